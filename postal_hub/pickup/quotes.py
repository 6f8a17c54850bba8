"""Before booking: which office would come, at what fee, and which windows still have room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.clock import to_local
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.geo.communes import nearest_commune
from postal_hub.core.geo.geocoder import GeoPoint
from postal_hub.core.orgs.models import Organization
from postal_hub.core.places.models import Commune
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.validation import FieldErrors
from postal_hub.pickup.booking import Place, Settings, check_place_input, find_procedure, locate
from postal_hub.pickup.offers import Offer, bookable_days, offers_on


@dataclass(frozen=True)
class Quote:
    procedure: Procedure
    unit: Organization
    point: GeoPoint
    day: date
    offer: Offer | None  # the nearest covered office with room that day; None when all are full
    place: Place | None = None
    commune_inferred: bool = False  # from a position alone: the commune whose reference point is nearest


def quote(
    session: Session, settings: Settings, procedure_code: str, place: Place, day: date | None, now: datetime
) -> Quote:
    """Without a day: the first day with room. The street is optional here (the point may come from it)."""
    errors = FieldErrors()
    procedure = find_procedure(session, procedure_code, errors)
    has_point = place.lat is not None and place.lon is not None
    if not has_point or place.province_code or place.commune_code:
        check_place_input(session, place, errors, street_required=False)
    else:
        errors.coordinates(place.lat, place.lon)
    days = bookable_days(now, settings.rules)
    if day is not None and day not in days:
        errors.add("date", _l("Choose a day from today to %(n)d days ahead.", n=settings.rules.horizon_days))
    errors.raise_if_any()
    assert procedure is not None
    inferred = False
    if not place.commune_code and place.lat is not None and place.lon is not None:
        near = nearest_commune(place.lat, place.lon)
        commune = session.get(Commune, near.code) if near else None
        if commune is not None:
            place.province_code, place.commune_code, inferred = commune.province_code, commune.code, True
    if not place.commune_code:
        raise ValidationFailed(
            str(_l("Choose the province and commune of the address.")),
            {"commune_code": str(_l("Choose the commune."))},
        )
    first = day or days[0]
    located = locate(session, settings, procedure, place, first)
    for candidate_day in [day] if day else days:
        offers = offers_on(session, located.candidates, candidate_day, now, settings.rules)
        offer = next((o for o in offers if o.free), None)
        if offer is not None or day is not None:
            return Quote(procedure, located.unit, located.point, candidate_day, offer, place, inferred)
    return Quote(procedure, located.unit, located.point, to_local(now).date(), None, place, inferred)

"""Booking a home pickup: check the request, place the address, choose the office, take a seat."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import validators
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.counters import next_value
from postal_hub.core.errors import Conflict, ValidationFailed
from postal_hub.core.geo.communes import distance_to_province_km, reference_distance_km
from postal_hub.core.geo.geocoder import Geocoder, GeoPoint, Precision, locate_address
from postal_hub.core.orgs.models import Organization
from postal_hub.core.orgs.services import check_place
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.intake.routing import competent_unit
from postal_hub.intake.status import ResultDelivery
from postal_hub.pickup import notices, seats, tokens
from postal_hub.pickup.events import record_event
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.offers import Candidate, FreeWindow, Offer, Rules, covered_candidates, offers_on
from postal_hub.pickup.status import OPEN, BookingSource, PickupStatus

NEXT_FREE = 5


@dataclass
class Settings:
    secret: str
    rules: Rules
    consent_version: str
    max_open_per_phone: int
    change_cutoff: timedelta
    base_url: str
    cache: dict[str, Any]
    geocoder: Geocoder

    @classmethod
    def from_app(cls, app: Any, geocoder: Geocoder) -> Settings:
        config = app.config
        return cls(
            secret=config["SECRET_KEY"],
            rules=Rules.from_config(config),
            consent_version=config["PICKUP_CONSENT_VERSION"],
            max_open_per_phone=int(config["PICKUP_MAX_OPEN_PER_PHONE"]),
            change_cutoff=timedelta(hours=float(config["PICKUP_CHANGE_CUTOFF_HOURS"])),
            base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
            cache=app.extensions,
            geocoder=geocoder,
        )


@dataclass
class Place:
    province_code: str = ""
    commune_code: str = ""
    street: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass
class BookingInput:
    procedure_code: str
    name: str
    phone: str
    citizen_id: str
    place: Place
    slot_start: datetime | None
    result_delivery: str
    consent: bool
    source: BookingSource = BookingSource.WEB
    language: str = "vi"
    idempotency_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Located:
    procedure: Procedure
    unit: Organization
    point: GeoPoint
    candidates: list[Candidate]


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"


class SlotFull(Conflict):
    code = "slot_full"

    def __init__(self, message: str, next_free: list[tuple[Offer, FreeWindow]]) -> None:
        super().__init__(message, {"slot_start": message})
        self.next_free = next_free


def find_procedure(session: Session, code: str, errors: FieldErrors) -> Procedure | None:
    procedure = session.scalar(sa.select(Procedure).where(Procedure.code == (code or "").strip().upper()))
    if procedure is None or not procedure.active:
        errors.add("procedure_code", _l("Choose a procedure from the catalogue."))
        return None
    if not procedure.postal_allowed:
        errors.add("procedure_code", _l("This procedure cannot be handed in through the post."))
        return None
    return procedure


def check_place_input(session: Session, place: Place, errors: FieldErrors, street_required: bool) -> None:
    if not place.province_code:
        errors.add("province_code", _l("Choose the province."))
    if not place.commune_code:
        errors.add("commune_code", _l("Choose the commune."))
    check_place(session, errors, place.province_code or None, place.commune_code or None)
    if street_required:
        place.street = errors.require("street", place.street)
    errors.coordinates(place.lat, place.lon)


DEVICE_NEAR_COMMUNE_KM = 25.0  # today's merged communes reach 10-20 km from their centre
DEVICE_NEAR_PROVINCE_KM = 100.0  # where only the province capital's point is known and no commune is near


def _far_from_commune(place: Place, point: GeoPoint) -> bool:
    """A phone position is the address only when it plausibly lies in the chosen commune: near the
    commune's own reference point, or, where only the province capital's is known, near one of the
    province's communes that has its own."""
    reference = reference_distance_km(place.commune_code, point.lat, point.lon)
    if reference is None:
        return False
    distance, own_point = reference
    if own_point:
        return distance > DEVICE_NEAR_COMMUNE_KM
    # Near a province's own communes (or, without any, near its capital): a border village counts.
    to_province = distance_to_province_km(place.province_code, point.lat, point.lon)
    if to_province is not None:
        return to_province > DEVICE_NEAR_COMMUNE_KM
    return distance > DEVICE_NEAR_PROVINCE_KM


def locate(session: Session, settings: Settings, procedure: Procedure, place: Place, day: date) -> Located:
    """The competent unit, the best known point for the address, and the offices that may go there."""
    unit = competent_unit(session, procedure, place.commune_code)
    point = locate_address(
        settings.geocoder, place.province_code, place.commune_code, place.street, place.lat, place.lon
    )
    if point is not None and point.precision == Precision.DEVICE and _far_from_commune(place, point):
        # Booking for a parent's house from the office: the address counts, not where the phone is.
        point = settings.geocoder.locate(place.province_code, place.commune_code, place.street)
    if point is None:
        raise ValidationFailed(
            str(_l("We could not place this address on the map; use your phone's location instead.")),
            {"commune_code": str(_l("No reference point is known for this commune."))},
        )
    candidates = covered_candidates(
        session, settings.cache, procedure, unit, point.lat, point.lon, day, settings.rules
    )
    if not candidates:
        raise ValidationFailed(
            str(
                _l(
                    "No post office within %(km)d km offers home pickup for this procedure at this "
                    "address. You can hand the dossier in at any post office.",
                    km=int(settings.rules.max_distance_km),
                )
            ),
            {"commune_code": str(_l("No post office picks up here."))},
        )
    return Located(procedure, unit, point, candidates)


def check_slot_time(slot_start: datetime | None, now: datetime, rules: Rules, errors: FieldErrors) -> None:
    if slot_start is None:
        errors.add("slot_start", _l("Choose a pickup window."))
        return
    if slot_start < now + rules.min_lead:
        errors.add("slot_start", _l("This window has passed or starts too soon; choose a later one."))
    elif to_local(slot_start).date() > to_local(now).date() + timedelta(days=rules.horizon_days):
        errors.add("slot_start", _l("Pickups can be booked at most %(n)d days ahead.", n=rules.horizon_days))


def next_free_windows(
    session: Session, candidates: list[Candidate], after: datetime, now: datetime, rules: Rules
) -> list[tuple[Offer, FreeWindow]]:
    """The soonest windows with room after a full one, at the nearest offices that have any."""
    found: list[tuple[Offer, FreeWindow]] = []
    day = to_local(after).date()
    last = to_local(now).date() + timedelta(days=rules.horizon_days)
    while day <= last and len(found) < NEXT_FREE:
        for offer in offers_on(session, candidates, day, now, rules):
            found.extend((offer, w) for w in offer.free if w.window.start > after)
        day += timedelta(days=1)
    found.sort(key=lambda pair: (pair[1].window.start, pair[0].distance_km))
    return found[:NEXT_FREE]


def take_window(
    session: Session, candidates: list[Candidate], slot_start: datetime, now: datetime, rules: Rules
) -> tuple[Offer, FreeWindow, int]:
    """A seat in the window starting at slot_start at the nearest covered office that has one."""
    offers = offers_on(session, candidates, to_local(slot_start).date(), now, rules)
    matching = [(o, w) for o in offers for w in o.windows if w.window.start == slot_start]
    if not matching:
        raise ValidationFailed(
            str(_l("No post office near you picks up in that window; choose one of the windows offered.")),
            {"slot_start": str(_l("Not a pickup window of the offices near this address."))},
        )
    for offer, window in matching:
        slot_id = seats.ensure_slot(session, offer.office.id, window.window, offer.schedule.capacity)
        if seats.take_seat(session, slot_id):
            return offer, window, slot_id
    raise SlotFull(
        str(_l("That window has just been fully booked; choose another.")),
        next_free_windows(session, candidates, slot_start, now, rules),
    )


def check_open_limit(session: Session, settings: Settings, phone: str) -> None:
    """Counted under a per-phone row lock (a counter named by the number's hash, not the number), so
    two bookings from one phone at the same moment cannot both see room under the limit."""
    next_value(session, "pickup-phone:" + hashlib.sha256(phone.encode()).hexdigest()[:32])
    open_count = session.scalar(
        sa.select(sa.func.count())
        .select_from(Pickup)
        .where(Pickup.applicant_phone == phone, Pickup.status.in_([s.value for s in OPEN]))
    )
    if (open_count or 0) >= settings.max_open_per_phone:
        raise Conflict(
            str(_l("This phone number already has %(n)d open bookings.", n=settings.max_open_per_phone)),
            {"applicant.phone": str(_l("Too many open bookings for this number."))},
        )


def request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def replay(session: Session, key: str | None, digest: str) -> Pickup | None:
    """The same Idempotency-Key with the same body returns the first booking; another body is refused."""
    if not key:
        return None
    earlier = session.scalar(sa.select(Pickup).where(Pickup.idempotency_key == key))
    if earlier is None:
        return None
    if earlier.request_hash != digest:
        raise KeyReused(
            str(_l("This Idempotency-Key was already used with a different request.")),
            {"Idempotency-Key": str(_l("Already used with a different body."))},
        )
    return earlier


def booking_digest(data: BookingInput) -> str:
    """What makes two booking requests 'the same' for an Idempotency-Key (the language does not)."""
    return request_hash({**data.__dict__, "place": data.place.__dict__, "language": None})


def book(
    session: Session, settings: Settings, data: BookingInput, now: datetime, actor: User | None = None
) -> Pickup:
    """All checks first, then one seat and one booking; anything refused leaves nothing written."""
    digest = booking_digest(data)
    earlier = replay(session, data.idempotency_key, digest)
    if earlier is not None:
        return earlier
    errors = FieldErrors()
    procedure = find_procedure(session, data.procedure_code, errors)
    name = errors.require("applicant.name", data.name)
    phone = errors.check("applicant.phone", validators.mobile_phone, data.phone)
    citizen_id = errors.check(
        "applicant.citizen_id", validators.citizen_id, data.citizen_id, to_local(now).date()
    )
    check_place_input(session, data.place, errors, street_required=True)
    check_slot_time(data.slot_start, now, settings.rules, errors)
    if data.result_delivery not in {r.value for r in ResultDelivery}:
        errors.add("result_delivery", _l("Choose how the result is returned."))
    if data.consent is not True:
        errors.add("consent", _l("Tick the box to agree to the processing of your personal data."))
    errors.raise_if_any()
    assert procedure is not None and phone and citizen_id and data.slot_start is not None
    located = locate(session, settings, procedure, data.place, to_local(data.slot_start).date())
    # Last before the seat: the per-phone lock is a write, held to the end of the transaction.
    check_open_limit(session, settings, phone)
    offer, window, slot_id = take_window(session, located.candidates, data.slot_start, now, settings.rules)
    pickup = Pickup(
        reference=tokens.new_reference(),
        manage_salt=tokens.new_salt(),
        status=PickupStatus.BOOKED.value,
        source=data.source.value,
        procedure_id=procedure.id,
        unit_id=located.unit.id,
        operator_id=offer.office.operator_id,
        office_id=offer.office.id,
        contract_id=offer.coverage.contract.id,
        slot_id=slot_id,
        slot_start=window.window.start,
        slot_end=window.window.end,
        applicant_name=name,
        applicant_phone=phone,
        applicant_citizen_id=citizen_id,
        province_code=data.place.province_code,
        commune_code=data.place.commune_code,
        street=data.place.street,
        lat=located.point.lat,
        lon=located.point.lon,
        point_source=located.point.source[:80],
        point_precision=located.point.precision.value,
        distance_km=round(offer.distance_km, 2),
        result_delivery=data.result_delivery,
        fee=offer.fee,
        consent_version=settings.consent_version,
        language=data.language,
        consent_at=now,
        idempotency_key=data.idempotency_key or None,
        request_hash=digest if data.idempotency_key else None,
        created_at=now,
        updated_at=now,
    )
    session.add(pickup)
    session.flush()
    record_event(session, pickup, "booked", now, actor)
    notices.booked(session, pickup, now, data.language)
    return pickup


def manage_token(settings: Settings, pickup: Pickup) -> str:
    return tokens.manage_token(settings.secret, pickup.reference, pickup.manage_salt)


def manage_url(settings: Settings, pickup: Pickup) -> str:
    return f"{settings.base_url}/pickup/manage/{pickup.reference}?token={manage_token(settings, pickup)}"


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ)

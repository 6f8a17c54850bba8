"""Which one-stop unit is competent for a dossier, wherever it was handed in.

The competent unit follows the procedure and the place it concerns (the applicant's commune, or the
subject's: where the land or the business is), never the accepting post office, except for procedures
that need an on-site inspection, which stay within the unit's own province.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import GovLevel, Organization, OrgKind, PostOffice
from postal_hub.core.places.crosswalk import resolve_legacy_address
from postal_hub.core.places.models import Commune
from postal_hub.core.procedures.models import Procedure


def _unit_at(session: Session, level: GovLevel, **place: str) -> Organization | None:
    stmt = sa.select(Organization).where(
        Organization.kind == OrgKind.ONE_STOP_UNIT,
        Organization.level == level,
        Organization.active.is_(True),
        *(getattr(Organization, key) == value for key, value in place.items()),
    )
    return session.scalars(stmt.order_by(Organization.id)).first()


def competent_unit(
    session: Session, procedure: Procedure, commune_code: str, office: PostOffice | None = None
) -> Organization:
    """Raises ValidationFailed, naming the reason, when no unit can take the dossier."""
    commune = session.get(Commune, commune_code)
    if commune is None:
        raise ValidationFailed(str(_l("Unknown commune.")), {"commune_code": str(_l("Unknown commune."))})
    if procedure.unit_id is not None:
        unit = session.get(Organization, procedure.unit_id)
    elif procedure.competent_level == GovLevel.COMMUNE:
        unit = _unit_at(session, GovLevel.COMMUNE, commune_code=commune.code)
    elif procedure.competent_level == GovLevel.PROVINCE:
        unit = _unit_at(session, GovLevel.PROVINCE, province_code=commune.province_code)
    else:
        unit = None
    if unit is None or not unit.active:
        raise ValidationFailed(
            str(
                _l(
                    "No one-stop unit is registered for %(procedure)s in %(place)s; "
                    "it cannot be accepted by post yet.",
                    procedure=procedure.name,
                    place=f"{commune.name}, {commune.province.name}",
                )
            ),
            {"commune_code": str(_l("No competent unit is registered for this place."))},
        )
    if procedure.onsite_inspection and office is not None and unit.province_code != office.province_code:
        raise ValidationFailed(
            str(
                _l(
                    "%(procedure)s needs an on-site inspection, so it is handled within %(province)s: "
                    "hand it in at a post office there.",
                    procedure=procedure.name,
                    province=unit.province.name if unit.province else "",
                )
            ),
            {"procedure_id": str(_l("Not boundary-independent: needs an on-site inspection."))},
        )
    return unit


def commune_from_old_text(session: Session, text: str) -> Commune:
    """'Phường Phúc Xá, Quận Ba Đình, Hà Nội' -> today's commune; refuses unknown or split wards by name."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if len(parts) != 3:
        raise ValidationFailed(
            str(_l("Write the old address as ward, district, province.")),
            {"old_address": str(_l("Write it as: ward, district, province."))},
        )
    codes = commune_from_old_address(parts[2], parts[1], parts[0])
    communes = [c for c in (session.get(Commune, code) for code in codes) if c is not None]
    if not communes:
        raise ValidationFailed(
            str(_l("This old address is not in the official conversion table.")),
            {"old_address": str(_l("Unknown old address; choose today's commune instead."))},
        )
    if len(communes) > 1:
        names = ", ".join(c.name for c in communes)
        raise ValidationFailed(
            str(_l("That old ward was split; choose today's commune: %(names)s", names=names)),
            {"old_address": str(_l("Split between: %(names)s", names=names))},
        )
    return communes[0]


def commune_from_old_address(province: str, district: str, ward: str) -> list[str]:
    """Current commune codes for a pre-2025 address: one when certain, several when the old ward was
    split, none when the address is unknown."""
    match = resolve_legacy_address(province, district, ward)
    return list(match.new_commune_codes) if match else []

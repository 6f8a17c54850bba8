"""Creating and changing organizations and post offices (admin screens, CSV import, demo data)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit, opening_hours, validators
from postal_hub.core.errors import PermissionDenied
from postal_hub.core.orgs.models import GovLevel, Organization, OrgKind, PostOffice
from postal_hub.core.permissions import is_admin, require_admin, require_office_manager
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.text import fold
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors

_OPERATOR_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
_OFFICE_CODE = re.compile(r"^[A-Z0-9]{3,16}$")


@dataclass
class OrganizationInput:
    kind: str
    code: str
    name: str
    level: str | None = None
    parent_id: int | None = None
    tax_code: str | None = None
    province_code: str | None = None
    commune_code: str | None = None
    address: str = ""
    phone: str | None = None
    email: str | None = None
    lat: float | None = None
    lon: float | None = None
    coordinate_source: str | None = None


@dataclass
class PostOfficeInput:
    code: str
    name: str
    postcode: str
    address: str
    province_code: str
    commune_code: str
    opening_hours: str
    lat: float | None = None
    lon: float | None = None
    coordinate_source: str | None = None
    active: bool = True


def check_place(
    session: Session, errors: FieldErrors, province_code: str | None, commune_code: str | None
) -> None:
    """The commune, when given, must exist and lie in the given province."""
    if province_code and session.get(Province, province_code) is None:
        errors.add("province_code", _l("Unknown province code."))
        return
    if commune_code:
        commune = session.get(Commune, commune_code)
        if commune is None:
            errors.add("commune_code", _l("Unknown commune code."))
        elif province_code and commune.province_code != province_code:
            errors.add("commune_code", _l("This commune is not in the chosen province."))


def _clean_organization(
    session: Session, data: OrganizationInput, current_id: int | None
) -> dict[str, object]:
    errors = FieldErrors()
    if data.kind not in {k.value for k in OrgKind}:
        errors.add("kind", _l("Choose what kind of organization this is."))
    name = errors.require("name", data.name)
    code = (data.code or "").strip().upper()
    level = data.level or None
    if data.kind == OrgKind.POSTAL_OPERATOR:
        if not _OPERATOR_CODE.match(code):
            errors.add("code", _l("Use 2 to 32 capital letters, digits, '-' or '_'."))
        level = None
    else:
        errors.check("code", validators.agency_code, code)
        if level not in {lv.value for lv in GovLevel}:
            errors.add("level", _l("Choose the level: ministry, province or commune."))
    parent_id = data.parent_id if data.kind == OrgKind.ONE_STOP_UNIT else None
    if data.kind == OrgKind.ONE_STOP_UNIT:
        parent = session.get(Organization, parent_id) if parent_id else None
        if parent is None or parent.kind != OrgKind.AGENCY:
            errors.add("parent_id", _l("A one-stop unit belongs to an agency; choose it."))
    tax_code = errors.check("tax_code", validators.tax_code, data.tax_code) if data.tax_code else None
    phone = errors.check("phone", validators.phone_number, data.phone) if data.phone else None
    email = errors.email("email", data.email)
    address = errors.optional_text("address", data.address, 500)
    check_place(session, errors, data.province_code or None, data.commune_code or None)
    errors.coordinates(data.lat, data.lon)
    if code and "code" not in errors.errors:
        clash = session.scalar(sa.select(Organization.id).where(Organization.code == code))
        if clash is not None and clash != current_id:
            errors.add("code", _l("Another organization already uses this code."))
    errors.raise_if_any()
    return {
        "kind": data.kind,
        "code": code,
        "name": name,
        "search_key": fold(f"{code} {name}"),
        "level": level,
        "parent_id": parent_id,
        "tax_code": tax_code,
        "province_code": data.province_code or None,
        "commune_code": data.commune_code or None,
        "address": address,
        "phone": phone,
        "email": email,
        "lat": data.lat,
        "lon": data.lon,
        "coordinate_source": data.coordinate_source if data.lat is not None else None,
    }


def save_organization(
    session: Session, actor: User | None, data: OrganizationInput, org: Organization | None = None
) -> Organization:
    """Create or update an organization; only a system administrator may (or the system, actor None)."""
    if actor is not None:
        require_admin(actor)
    values = _clean_organization(session, data, org.id if org else None)
    if org is None:
        org = Organization(active=True)
        session.add(org)
    for key, value in values.items():
        setattr(org, key, value)
    session.flush()
    audit.record(
        session, actor.id if actor else None, "organization.saved", "organization", org.id, _jsonable(values)
    )
    return org


def set_organization_active(session: Session, actor: User, org: Organization, active: bool) -> None:
    require_admin(actor)
    org.active = active
    audit.record(
        session,
        actor.id,
        "organization.activated" if active else "organization.deactivated",
        "organization",
        org.id,
    )
    session.flush()


def clean_post_office(
    session: Session, data: PostOfficeInput, current_id: int | None, errors: FieldErrors | None = None
) -> dict[str, object]:
    errors = errors or FieldErrors()
    code = (data.code or "").strip().upper()
    if not _OFFICE_CODE.match(code):
        errors.add("code", _l("Use 3 to 16 capital letters or digits."))
    name = errors.require("name", data.name)
    postcode = errors.check("postcode", validators.postcode, data.postcode)
    address = errors.require("address", data.address, 500)
    if not data.province_code:
        errors.add("province_code", _l("Choose the province."))
    if not data.commune_code:
        errors.add("commune_code", _l("Choose the commune."))
    check_place(session, errors, data.province_code, data.commune_code)
    hours = errors.check("opening_hours", opening_hours.normalise, data.opening_hours)
    errors.coordinates(data.lat, data.lon)
    if code and "code" not in errors.errors:
        clash = session.scalar(sa.select(PostOffice.id).where(PostOffice.code == code))
        if clash is not None and clash != current_id:
            errors.add("code", _l("Another post office already uses this code."))
    errors.raise_if_any()
    return {
        "code": code,
        "name": name,
        "search_key": fold(f"{code} {name} {postcode}"),
        "postcode": postcode,
        "address": address,
        "province_code": data.province_code,
        "commune_code": data.commune_code,
        "opening_hours": hours,
        "lat": data.lat,
        "lon": data.lon,
        "coordinate_source": data.coordinate_source if data.lat is not None else None,
        "active": data.active,
    }


def check_operator_access(actor: User | None, operator: Organization) -> None:
    if operator.kind != OrgKind.POSTAL_OPERATOR:
        raise PermissionDenied(str(_l("Post offices belong to a postal operator.")))
    if actor is None or is_admin(actor):
        return
    require_office_manager(actor)
    if actor.organization_id != operator.id:
        raise PermissionDenied(str(_l("You may only manage your own operator's offices.")))


def save_post_office(
    session: Session,
    actor: User | None,
    operator: Organization,
    data: PostOfficeInput,
    office: PostOffice | None = None,
) -> PostOffice:
    check_operator_access(actor, operator)
    values = clean_post_office(session, data, office.id if office else None)
    office = apply_post_office(session, operator, values, office)
    audit.record(
        session, actor.id if actor else None, "post_office.saved", "post_office", office.id, _jsonable(values)
    )
    return office


def apply_post_office(
    session: Session, operator: Organization, values: dict[str, object], office: PostOffice | None
) -> PostOffice:
    if office is None:
        office = PostOffice(operator_id=operator.id)
        session.add(office)
    for key, value in values.items():
        setattr(office, key, value)
    session.flush()
    return office


def set_post_office_active(session: Session, actor: User, office: PostOffice, active: bool) -> None:
    check_operator_access(actor, office.operator)
    office.active = active
    audit.record(
        session,
        actor.id,
        "post_office.activated" if active else "post_office.deactivated",
        "post_office",
        office.id,
    )
    session.flush()


def _jsonable(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if k != "search_key"}

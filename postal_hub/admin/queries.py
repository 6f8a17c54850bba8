"""Reads for the admin screens: choices for selects, and one page of each list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.orgs.models import GovLevel, Organization, OrgKind, PostOffice
from postal_hub.core.pagination import ListRequest, Page, paginate, search_filter
from postal_hub.core.permissions import scope_offices, scope_users
from postal_hub.core.places.queries import commune_choices, province_choices
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import ApiKey, User

KIND_LABELS = {
    OrgKind.POSTAL_OPERATOR: _l("Postal operator"),
    OrgKind.AGENCY: _l("Agency"),
    OrgKind.ONE_STOP_UNIT: _l("One-stop unit"),
}
LEVEL_LABELS = {
    GovLevel.MINISTRY: _l("Ministry"),
    GovLevel.PROVINCE: _l("Province"),
    GovLevel.COMMUNE: _l("Commune"),
}


def level_choices() -> list[tuple[str, Any]]:
    return [("", _l("— choose —")), *((lv.value, label) for lv, label in LEVEL_LABELS.items())]


def place_choices(session: Session, province_code: str | None) -> tuple[list[Any], list[Any]]:
    provinces = [("", _l("— choose —")), *province_choices(session)]
    communes = [("", _l("— choose the province first —") if not province_code else _l("— choose —"))]
    if province_code:
        communes += commune_choices(session, province_code)
    return provinces, communes


def org_choices(session: Session, kinds: tuple[OrgKind, ...], blank: Any = None) -> list[tuple[Any, Any]]:
    rows = session.execute(
        sa.select(Organization.id, Organization.code, Organization.name)
        .where(Organization.kind.in_([k.value for k in kinds]), Organization.active.is_(True))
        .order_by(Organization.name)
    )
    choices: list[tuple[Any, Any]] = [(r.id, f"{r.name} ({r.code})") for r in rows]
    return [("", blank), *choices] if blank is not None else choices


def office_choices(session: Session, actor: User, operator_id: int | None) -> list[tuple[Any, Any]]:
    stmt = scope_offices(actor, sa.select(PostOffice).where(PostOffice.active.is_(True)))
    if operator_id:
        stmt = stmt.where(PostOffice.operator_id == operator_id)
    return [("", _l("— none —"))] + [
        (o.id, f"{o.name} ({o.code})") for o in session.scalars(stmt.order_by(PostOffice.name))
    ]


def organizations_page(
    session: Session,
    kinds: tuple[OrgKind, ...],
    lr: ListRequest,
) -> Page[Organization]:
    stmt = sa.select(Organization).where(Organization.kind.in_([k.value for k in kinds]))
    if (cond := search_filter(Organization.search_key, lr.q)) is not None:
        stmt = stmt.where(cond)
    if not lr.show_inactive:
        stmt = stmt.where(Organization.active.is_(True))
    stmt = stmt.options(selectinload(Organization.parent), selectinload(Organization.province))
    return paginate(session, stmt.order_by(Organization.kind, Organization.name), lr.page, lr.per_page)


def offices_page(
    session: Session,
    actor: User,
    province: str | None,
    lr: ListRequest,
) -> Page[PostOffice]:
    stmt = scope_offices(actor, sa.select(PostOffice))
    if (cond := search_filter(PostOffice.search_key, lr.q)) is not None:
        stmt = stmt.where(cond)
    if province:
        stmt = stmt.where(PostOffice.province_code == province)
    if not lr.show_inactive:
        stmt = stmt.where(PostOffice.active.is_(True))
    stmt = stmt.options(
        selectinload(PostOffice.province), selectinload(PostOffice.commune), selectinload(PostOffice.operator)
    )
    return paginate(session, stmt.order_by(PostOffice.province_code, PostOffice.name), lr.page, lr.per_page)


def procedures_page(
    session: Session,
    level: str | None,
    lr: ListRequest,
) -> Page[Procedure]:
    stmt = sa.select(Procedure)
    if (cond := search_filter(Procedure.search_key, lr.q)) is not None:
        stmt = stmt.where(cond)
    if level:
        stmt = stmt.where(Procedure.competent_level == level)
    if not lr.show_inactive:
        stmt = stmt.where(Procedure.active.is_(True))
    stmt = stmt.options(
        selectinload(Procedure.components), selectinload(Procedure.unit), selectinload(Procedure.group)
    )
    return paginate(session, stmt.order_by(Procedure.code), lr.page, lr.per_page)


def users_page(
    session: Session,
    actor: User,
    role: str | None,
    lr: ListRequest,
) -> Page[User]:
    stmt = scope_users(actor, sa.select(User))
    if (cond := search_filter(User.search_key, lr.q)) is not None:
        stmt = stmt.where(cond)
    if role:
        stmt = stmt.where(User.role == role)
    if not lr.show_inactive:
        stmt = stmt.where(User.active.is_(True))
    stmt = stmt.options(selectinload(User.organization), selectinload(User.post_office))
    return paginate(session, stmt.order_by(User.username), lr.page, lr.per_page)


def api_keys_of(session: Session, org_id: int) -> list[ApiKey]:
    return list(
        session.scalars(sa.select(ApiKey).where(ApiKey.organization_id == org_id).order_by(ApiKey.id.desc()))
    )

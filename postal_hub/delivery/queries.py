"""Reads for the result screens: what each side sees of the deliveries, and one dossier's delivery."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.access import managed_ids
from postal_hub.core.pagination import Page, paginate
from postal_hub.core.users.models import Role, User
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.intake.models import Dossier

S = Any

# The office's work lists, by what the staff must do next.
VIEWS: dict[str, list[sa.ColumnElement[bool]]] = {
    "collect": [
        Delivery.status == DeliveryStatus.AT_OFFICE.value,
        Delivery.method == DeliveryMethod.POST_OFFICE.value,
    ],
    "deliver": [
        Delivery.status.in_(
            [DeliveryStatus.AT_OFFICE.value, DeliveryStatus.ASSIGNED.value, DeliveryStatus.OUT.value]
        ),
        Delivery.method == DeliveryMethod.HOME.value,
    ],
    "blocked": [Delivery.status == DeliveryStatus.BLOCKED.value],
    "to_return": [Delivery.status == DeliveryStatus.TO_RETURN.value],
    "coming": [Delivery.status.in_([DeliveryStatus.AT_UNIT.value, DeliveryStatus.IN_TRANSIT.value])],
    "closed": [
        Delivery.status.in_(
            [DeliveryStatus.DELIVERED.value, DeliveryStatus.RETURNING.value, DeliveryStatus.RETURNED.value]
        )
    ],
}


def scope_deliveries(session: Session, actor: User, stmt: S) -> S:
    """The office's clerks see its deliveries, a postman those on his runs, a postal manager the
    operator's, a unit its own."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(Role.POSTMAN):
        return stmt.where(Delivery.postman_id == actor.id)  # his own runs, nobody else's
    if actor.has_role(Role.POSTAL_CLERK):
        if actor.post_office_id is None:
            return stmt.where(sa.false())
        return stmt.where(Delivery.office_id == actor.post_office_id)
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(Delivery.operator_id == actor.organization_id)
    if actor.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        return stmt.where(Delivery.unit_id.in_(managed_ids(session, actor)))
    return stmt.where(sa.false())


def delivery_page(
    session: Session, actor: User, view: str, q: str, page: int, per_page: int
) -> Page[Delivery]:
    stmt = scope_deliveries(
        session, actor, sa.select(Delivery).join(Dossier, Dossier.id == Delivery.dossier_id)
    )
    stmt = stmt.where(*VIEWS.get(view, []))
    if q:
        code = q.strip().upper()
        stmt = stmt.where(sa.or_(Dossier.code == code, Dossier.item_number == code))
    stmt = stmt.options(
        selectinload(Delivery.dossier).selectinload(Dossier.procedure),
        selectinload(Delivery.office),
        selectinload(Delivery.postman),
    )
    order = Delivery.hold_until if view == "collect" else Delivery.updated_at
    return paginate(session, stmt.order_by(order.asc().nulls_last(), Delivery.id), page, per_page)


def view_counts(session: Session, actor: User) -> dict[str, int]:
    """How many are in each list, in one grouped query (the lists do not overlap)."""
    view = sa.case(*((sa.and_(*conditions), name) for name, conditions in VIEWS.items()), else_="")
    stmt = scope_deliveries(session, actor, sa.select(view, sa.func.count(Delivery.id))).group_by(view)
    counts = dict.fromkeys(VIEWS, 0)
    for name, n in session.execute(stmt):
        if name in counts:
            counts[name] = int(n)
    return counts


def delivery_for(session: Session, dossier: Dossier) -> Delivery | None:
    return session.scalar(
        sa.select(Delivery)
        .where(Delivery.dossier_id == dossier.id)
        .options(
            selectinload(Delivery.events), selectinload(Delivery.attempts_made), selectinload(Delivery.office)
        )
    )

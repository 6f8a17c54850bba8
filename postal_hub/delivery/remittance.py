"""Remittance statements: the fees the post collected for a unit in a period, line by line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids
from postal_hub.contracts.services import start_of_day
from postal_hub.core.errors import NotFound, PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.pagination import Page
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import Outcome
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import PaymentMethod

MAX_DAYS = 366
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class Source(StrEnum):
    ACCEPTANCE = "acceptance"  # the unit's fee and charge, paid at the counter or at pickup
    DELIVERY = "delivery"  # collected on handover of the result (COD)


SOURCE_LABELS = {Source.ACCEPTANCE: _l("At acceptance"), Source.DELIVERY: _l("On delivery (COD)")}


@dataclass(frozen=True)
class Period:
    """Whole local days, first to last inclusive; `month` is set when the period is one calendar month."""

    first: date
    last: date
    month: str = ""

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_day(self.last + timedelta(days=1))


def _day(errors: FieldErrors, field: str, text: str) -> date | None:
    text = text.strip()
    if not text:
        errors.add(field, _l("Enter a date (dd/mm/yyyy)."))
        return None
    try:
        day = datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else date.fromisoformat(text[:10])
    except ValueError:
        errors.add(field, _l("Enter a date (dd/mm/yyyy)."))
        return None
    return errors.sane_date(field, day)


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), f"{year:04d}-{month:02d}")


def parse_period(month: str, date_from: str, date_to: str, today: date) -> Period:
    """From/to dates when either is given (at most 366 days), else a yyyy-mm month, else this month."""
    errors = FieldErrors()
    if date_from.strip() or date_to.strip():
        first, last = _day(errors, "from", date_from), _day(errors, "to", date_to)
        if first and last and last < first:
            errors.add("to", _l("The end date must be on or after the start date."))
        elif first and last and (last - first).days + 1 > MAX_DAYS:
            errors.add("to", _l("A statement covers at most %(n)d days.", n=MAX_DAYS))
        errors.raise_if_any()
        assert first is not None and last is not None
        return Period(first, last)
    if not month.strip():
        return month_period(today.year, today.month)
    match = _MONTH.match(month.strip())
    if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        errors.add("month", _l("Choose a month (yyyy-mm)."))
        errors.raise_if_any()
    assert match is not None
    return month_period(int(match[1]), int(match[2]))


# --- who sees which unit -------------------------------------------------------------------------------


def _operator_of(actor: User) -> int | None:
    """A postal manager sees only what their own operator collected; None: no such restriction."""
    if actor.has_role(Role.SYSTEM_ADMIN, Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        return None
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return actor.organization_id
    raise PermissionDenied(str(_l("Your account may not see remittance statements.")))


def _visible_units(session: Session, actor: User) -> sa.Select[Any]:
    """The ids of the units whose statements the actor may open."""
    operator_id = _operator_of(actor)
    units = sa.select(Organization.id).where(Organization.kind == OrgKind.ONE_STOP_UNIT)
    if operator_id is not None:
        handled = sa.union(
            sa.select(Dossier.unit_id).where(Dossier.operator_id == operator_id),
            sa.select(Delivery.unit_id).where(Delivery.operator_id == operator_id),
        ).subquery()
        return units.where(Organization.id.in_(sa.select(handled.c[0])))
    if actor.has_role(Role.SYSTEM_ADMIN):
        # Every unit, but the list offers those the post has collected for at all.
        return units.where(Organization.id.in_(sa.select(Dossier.unit_id).distinct()))
    return units.where(Organization.id.in_(managed_ids(session, actor)))


def unit_choices(session: Session, actor: User) -> list[tuple[int, str]]:
    visible = _visible_units(session, actor)
    rows = session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(visible))
        .order_by(Organization.name, Organization.id)
    )
    return [(row.id, row.name) for row in rows]


def get_unit(session: Session, actor: User, unit_id: int) -> Organization:
    """Unknown and not-yours both answer 404: a statement never reveals that a unit exists."""
    visible = (
        sa.select(Organization.id).where(Organization.kind == OrgKind.ONE_STOP_UNIT)
        if actor.has_role(Role.SYSTEM_ADMIN)
        else _visible_units(session, actor)
    )
    unit = session.scalar(
        sa.select(Organization).where(Organization.id == unit_id, Organization.id.in_(visible))
    )
    if unit is None:
        raise NotFound(str(_l("There is no such unit, or it is not yours to see.")))
    return unit


# --- the statement ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    dossier_code: str
    item_number: str
    source: str
    at: datetime
    amount: int
    method: str
    office: str


@dataclass(frozen=True)
class Totals:
    by_source: dict[str, tuple[int, int]]  # source -> (lines, VND)
    by_method: dict[str, tuple[int, int]]  # payment method -> (lines, VND)
    count: int
    total: int


@dataclass
class Remittance:
    unit: Organization
    operators: list[str]
    period: Period
    generated_at: datetime
    totals: Totals
    lines: sa.Subquery


def _lines(unit_id: int, period: Period, operator_id: int | None) -> sa.Subquery:
    """Both sources as one table: the fee and charge at acceptance, and every COD handover."""
    accepted = (
        sa.select(
            Dossier.code.label("dossier_code"),
            Dossier.item_number.label("item_number"),
            sa.literal_column(f"'{Source.ACCEPTANCE.value}'", sa.String(10)).label("source"),
            Dossier.accepted_at.label("at"),
            sa.cast(Dossier.fee + Dossier.charge, sa.BigInteger).label("amount"),
            Dossier.payment_method.label("method"),
            PostOffice.name.label("office"),
            Dossier.operator_id.label("operator_id"),
            Dossier.id.label("ref"),
        )
        .join(PostOffice, PostOffice.id == Dossier.office_id)
        .where(
            Dossier.unit_id == unit_id,
            Dossier.accepted_at >= period.start,
            Dossier.accepted_at < period.end,
            Dossier.payment_method != PaymentMethod.NONE.value,
            Dossier.fee + Dossier.charge > 0,
        )
    )
    delivered = (
        sa.select(
            Dossier.code,
            Dossier.item_number,
            sa.literal_column(f"'{Source.DELIVERY.value}'", sa.String(10)),
            DeliveryAttempt.at,
            sa.cast(DeliveryAttempt.amount_collected, sa.BigInteger),
            sa.func.coalesce(DeliveryAttempt.payment_method, ""),
            PostOffice.name,
            Delivery.operator_id,
            DeliveryAttempt.id,
        )
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .join(Dossier, Dossier.id == Delivery.dossier_id)
        .join(PostOffice, PostOffice.id == Delivery.office_id)
        .where(
            Delivery.unit_id == unit_id,
            DeliveryAttempt.outcome == Outcome.DELIVERED.value,
            DeliveryAttempt.amount_collected > 0,
            DeliveryAttempt.at >= period.start,
            DeliveryAttempt.at < period.end,
        )
    )
    if operator_id is not None:
        accepted = accepted.where(Dossier.operator_id == operator_id)
        delivered = delivered.where(Delivery.operator_id == operator_id)
    return sa.union_all(accepted, delivered).subquery("remittance_lines")


def _totals(session: Session, lines: sa.Subquery) -> Totals:
    amount = sa.cast(sa.func.coalesce(sa.func.sum(lines.c.amount), 0), sa.BigInteger)
    by: dict[str, dict[str, tuple[int, int]]] = {}
    for key in ("source", "method"):
        rows = session.execute(
            sa.select(lines.c[key], sa.func.count(), amount).group_by(lines.c[key]).order_by(lines.c[key])
        )
        by[key] = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    grand = session.execute(sa.select(sa.func.count(), amount).select_from(lines)).one()
    return Totals(by["source"], by["method"], int(grand[0]), int(grand[1]))


def statement(session: Session, actor: User, unit_id: int, period: Period, now: datetime) -> Remittance:
    """What the post collected on the unit's behalf in the period; a postal manager sees only the part
    their operator collected. `postal_price` is the post's own price and is not remitted."""
    unit = get_unit(session, actor, unit_id)
    lines = _lines(unit.id, period, _operator_of(actor))
    operators = list(
        session.scalars(
            sa.select(Organization.name)
            .where(Organization.id.in_(sa.select(lines.c.operator_id)))
            .order_by(Organization.name)
        )
    )
    return Remittance(unit, operators, period, now, _totals(session, lines), lines)


def _ordered(remittance: Remittance) -> sa.Select[Any]:
    c = remittance.lines.c
    return sa.select(c.dossier_code, c.item_number, c.source, c.at, c.amount, c.method, c.office).order_by(
        c.at, c.source, c.dossier_code, c.ref
    )


def _line(row: Any) -> Line:
    return Line(row[0], row[1], row[2], row[3], int(row[4]), row[5], row[6])


def lines_page(session: Session, remittance: Remittance, page: int, per_page: int) -> Page[Line]:
    stmt = _ordered(remittance).limit(per_page).offset((page - 1) * per_page)
    return Page([_line(r) for r in session.execute(stmt)], page, per_page, remittance.totals.count)


def all_lines(session: Session, remittance: Remittance) -> Iterator[Line]:
    """Every line in order, fetched in batches (an export may hold a year of a busy unit's dossiers)."""
    for row in session.execute(_ordered(remittance).execution_options(yield_per=500)):
        yield _line(row)

"""A dashboard: every indicator of one scope, filters and period, each read as a few summed rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.models import Contract
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.monitoring import targets
from postal_hub.monitoring.models import SERIES_MEASURES, DossierFact
from postal_hub.monitoring.query import (
    Filters,
    Scope,
    TaskTotals,
    Totals,
    summed,
    summed_select,
    task_lowest,
    task_summed,
)
from postal_hub.training.models import Certificate

RANKED = 10
MIN_COUNT = 5  # fewer than this and a rate says nothing about an office: it is not ranked on it
COUNTER_ROLES = (Role.POSTAL_CLERK.value, Role.POSTAL_MANAGER.value)
POSTAL_STAFF = (Role.POSTAL_CLERK.value, Role.POSTAL_MANAGER.value, Role.POSTMAN.value)


@dataclass
class Ranked:
    """An office or unit with its figures and how far it is from the targets (points short, summed)."""

    id: int
    name: str
    totals: Totals
    shortfall: float
    misses: list[str]


@dataclass
class Staffing:
    staff: int  # postal staff at the offices in view (clerks, managers, postmen)
    certified: int  # of them, holding a certificate valid today
    counter_staff: int  # the productivity divisor: counter staff, or a unit's officers
    dossiers_per_year: float | None
    unit_side: bool

    @property
    def coverage(self) -> float | None:
        return 100.0 * self.certified / self.staff if self.staff else None


@dataclass
class Dashboard:
    scope: Scope
    filters: Filters
    previous_filters: Filters
    grain: str
    totals: Totals
    previous: Totals
    channels: list[tuple[str, Totals]]
    groups: list[tuple[int, Totals]]
    series: list[tuple[date, Totals]]
    task_types: list[tuple[str, TaskTotals]]
    contracts: list[tuple[int, str, TaskTotals]]  # the lowest compliance first, at most RANKED
    contract_count: int
    offices: list[Ranked]
    units: list[Ranked]
    staffing: Staffing
    names: dict[str, dict[int, str]] = field(default_factory=dict)


# The targets a ranked office (post side) or unit is held to: (name, part, whole, target in %).
CHECKS: dict[bool, tuple[tuple[str, str, str, float], ...]] = {
    False: (
        ("on_time", "on_time", "closed", targets.ON_TIME),
        ("postal_satisfaction", "postal_satisfied", "postal_rated", targets.SATISFACTION),
        ("digitization", "digitized", "dossiers", targets.DIGITIZATION),
        ("wait", "wait_ok", "wait_timed", 100.0),
    ),
    True: (
        ("on_time", "on_time", "closed", targets.ON_TIME),
        ("unit_on_time", "unit_on_time", "unit_done", targets.ON_TIME),
        ("unit_satisfaction", "unit_satisfied", "unit_rated", targets.SATISFACTION),
    ),
}


# What a ranking sums: the targets' parts and wholes, and the volume ties are broken by (a narrower
# row than every measure: a national ranking groups 13,000 offices, and width is what it costs).
RANK_MEASURES: dict[bool, tuple[str, ...]] = {
    side: tuple(dict.fromkeys(("dossiers", *(c for check in checks for c in check[1:3]))))
    for side, checks in CHECKS.items()
}


def _shortfalls(t: Totals, unit_side: bool) -> tuple[float, list[str]]:
    """Points short of each target, summed; a rate over fewer than MIN_COUNT items is not judged."""
    shortfall, misses = 0.0, []
    for name, part, whole, target in CHECKS[unit_side]:
        value = t.rate(part, whole)
        if value is not None and t[whole] >= MIN_COUNT and value < target:
            shortfall += target - value
            misses.append(name)
    return shortfall, misses


def _shortfall_sql(g: Any, unit_side: bool) -> Any:
    """The same sum as `_shortfalls`, as SQL over a grouped subquery, so ranking happens there."""
    terms: list[Any] = []
    for _name, part, whole, target in CHECKS[unit_side]:
        percent = g.c[part] * sa.literal(100.0, sa.Float)
        short = sa.and_(g.c[whole] >= MIN_COUNT, percent < target * g.c[whole])
        terms.append(sa.case((short, target - percent / g.c[whole]), else_=sa.literal(0.0, sa.Float)))
    total: Any = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def ranked(
    session: Session,
    scope: Scope,
    filters: Filters,
    key: str,
    names_of: Callable[[set[int]], dict[int, str]],
    unit_side: bool,
    limit: int = RANKED,
) -> list[Ranked]:
    """Furthest from target first; ties by volume (a bigger office short of target matters more).
    Scored, ordered and cut in SQL: of 13,000 offices only the ranked few leave the database."""
    measures = RANK_MEASURES[unit_side]
    g = summed_select(scope, filters, (key,), measures=measures).subquery("by_key")
    shortfall = _shortfall_sql(g, unit_side)
    rounded = sa.func.round(sa.cast(shortfall, sa.Numeric(12, 4)), 1)
    stmt = (
        sa.select(g, rounded.label("points"))
        .where(shortfall > 0)
        .order_by(rounded.desc(), g.c.dossiers.desc(), g.c[key])
        .limit(limit)
    )
    top = []
    for row in session.execute(stmt):
        totals = Totals()
        totals.values.update({m: int(getattr(row, m)) for m in measures})
        _points, misses = _shortfalls(totals, unit_side)
        # The points as SQL rounded them, so the order shown and the figures shown agree.
        top.append(Ranked(int(row[0]), "", totals, float(row.points), misses))
    names = names_of({r.id for r in top})
    for r in top:
        r.name = names.get(r.id, f"#{r.id}")
    return top


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        row[0]: row[1] for row in session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
    }


def _office_ids(scope: Scope, filters: Filters) -> Any:
    """The offices in view, as a subquery."""
    stmt = sa.select(PostOffice.id)
    if filters.office_id is not None:
        stmt = stmt.where(PostOffice.id == filters.office_id)
    if scope.operator_id is not None:
        stmt = stmt.where(PostOffice.operator_id == scope.operator_id)
    for province in (scope.province_code, filters.province_code):
        if province is not None:
            stmt = stmt.where(PostOffice.province_code == province)
    if scope.unit_ids is not None:
        served = sa.select(DossierFact.office_id).where(
            DossierFact.unit_id.in_(scope.unit_ids),
            DossierFact.day >= filters.start,
            DossierFact.day <= filters.end,
        )
        if filters.unit_id is not None:
            served = served.where(DossierFact.unit_id == filters.unit_id)
        stmt = stmt.where(PostOffice.id.in_(served.distinct()))
    return stmt


def staffing(session: Session, scope: Scope, filters: Filters, dossiers: int, today: date) -> Staffing:
    """Certification coverage of the postal staff in view, and dossiers per staff member per year.

    For the post, productivity divides by its counter staff; for a unit's viewer it divides by the
    unit's own one-stop officers, the staff the seeds' 2,000 a year is set for."""
    offices = _office_ids(scope, filters)
    staff_filter = [User.active.is_(True), User.role.in_(POSTAL_STAFF), User.post_office_id.in_(offices)]
    valid = (
        sa.select(Certificate.id)
        .where(
            Certificate.holder_id == User.id,
            Certificate.revoked_at.is_(None),
            Certificate.issued_on <= today,
            Certificate.expires_on >= today,
        )
        .exists()
    )
    staff, certified, counter = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((valid, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((User.role.in_(COUNTER_ROLES), 1), else_=0)), 0),
        ).where(*staff_filter)
    ).one()
    unit_side = scope.unit_ids is not None or filters.unit_id is not None
    if unit_side:
        units = [filters.unit_id] if filters.unit_id is not None else list(scope.unit_ids or ())
        if scope.unit_ids is not None:  # a filter never reaches past the viewer's own units
            units = [u for u in units if u in scope.unit_ids]
        counter = session.scalar(
            sa.select(sa.func.count()).where(
                User.active.is_(True), User.role == Role.UNIT_OFFICER.value, User.organization_id.in_(units)
            )
        )
    # A year's rate from the days that have passed: this month's first week is not a whole month.
    days = (min(filters.end, today) - filters.start).days + 1
    per_year = dossiers * 365 / days / counter if counter and days > 0 else None
    return Staffing(int(staff), int(certified), int(counter or 0), per_year, unit_side)


def build_dashboard(
    session: Session, scope: Scope, filters: Filters, now: datetime, today: date, grain: str = "day"
) -> Dashboard:
    if filters.today is None:
        filters = replace(filters, today=today)
    previous_filters = filters.previous()
    total = summed(session, scope, filters)[0][1]
    previous = summed(session, scope, previous_filters)[0][1]
    channels = [(str(k[0]), t) for k, t in summed(session, scope, filters, ("channel",))]
    groups = [(int(k[0]), t) for k, t in summed(session, scope, filters, ("group_id",))]
    series = [
        (k[0], t) for k, t in summed(session, scope, filters, (), time_grain=grain, measures=SERIES_MEASURES)
    ]
    task_types = [(str(k[0]), t) for k, t in task_summed(session, scope, filters, ("task_type",), now)]
    by_contract, contract_count = task_lowest(session, scope, filters, "contract_id", now, RANKED)
    numbers = {
        row[0]: row[1]
        for row in session.execute(
            sa.select(Contract.id, Contract.number).where(Contract.id.in_([k for k, _ in by_contract]))
        )
    }
    contracts = [(int(k), numbers.get(int(k), f"#{k}"), t) for k, t in by_contract]

    def office_names(ids: set[int]) -> dict[int, str]:
        return _names(session, PostOffice, ids)

    def unit_names(ids: set[int]) -> dict[int, str]:
        return _names(session, Organization, ids)

    group_names = _group_names(session, {g for g, _ in groups})
    return Dashboard(
        scope=scope,
        filters=filters,
        previous_filters=previous_filters,
        grain=grain,
        totals=total,
        previous=previous,
        channels=channels,
        groups=groups,
        series=series,
        task_types=task_types,
        contracts=contracts,
        contract_count=contract_count,
        offices=ranked(
            session,
            scope,
            filters,
            "office_id",
            lambda ids: _names(session, PostOffice, ids),
            unit_side=False,
        ),
        units=ranked(
            session, scope, filters, "unit_id", lambda ids: _names(session, Organization, ids), unit_side=True
        ),
        staffing=staffing(session, scope, filters, total["dossiers"], today),
        names={"group": group_names},
    )


def _group_names(session: Session, ids: set[int]) -> dict[int, str]:
    from postal_hub.core.procedures.models import ProcedureGroup

    return _names(session, ProcedureGroup, ids - {0})

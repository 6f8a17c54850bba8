"""The quarterly report of a one-stop unit, or of one of its contracts: every indicator of the
dashboards for the quarter beside the previous one, with the change and the seeds' target.

Everything is summed from the summary tables (a quarter is three whole months), never from dossiers.
Restricted to a contract, the dossier figures are the unit's dossiers taken in by that contract's
operator (a dossier does not name its contract) and the task figures are that contract's own tasks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import TASK_TYPE_LABELS, ContractStatus, TaskType
from postal_hub.core.errors import NotFound
from postal_hub.core.orgs.models import Organization
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.text import fold
from postal_hub.core.users.models import Role, User
from postal_hub.intake.status import CHANNEL_LABELS
from postal_hub.monitoring import report_figures as figures
from postal_hub.monitoring import targets
from postal_hub.monitoring.access import visible_units
from postal_hub.monitoring.quarters import Quarter
from postal_hub.monitoring.query import Filters, Scope, TaskTotals, Totals, summed, task_summed
from postal_hub.monitoring.refresh import last_refreshed
from postal_hub.monitoring.report_figures import Compared, Section, TaskLine, TaskRows

__all__ = ["Compared", "ContractRef", "QuarterReport", "Section", "TaskLine", "UnitRef", "build_report"]
DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ContractRef:
    id: int
    number: str
    operator_id: int
    operator_name: str


@dataclass(frozen=True)
class QuarterReport:
    unit: UnitRef
    contract: ContractRef | None
    quarter: Quarter
    previous_quarter: Quarter
    through: date  # the last day counted: the quarter's end, or today while it runs
    summary: list[Section]
    channels: list[Compared]
    groups: list[Compared]
    legs: list[Compared]
    task_types: list[TaskLine]
    contracts: list[TaskLine]
    officers: int
    generated_at: datetime
    data_as_of: datetime | None  # the summaries' last refresh
    productivity_variants: dict[str, int]

    @property
    def in_progress(self) -> bool:
        return self.through < self.quarter.end

    def file_name(self, ext: str) -> str:
        """report-<unit>-<quarter>[-<contract>].<ext>, in ASCII whatever the contract's number."""
        name = f"report-{self.unit.code}-{self.quarter.code}"
        if self.contract is not None:
            name += "-" + re.sub(r"[^a-z0-9]+", "-", fold(self.contract.number)).strip("-")
        return f"{name}.{ext}"

    def figure(self, key: str) -> Compared:
        for section in self.summary:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        raise KeyError(key)


# --- what the viewer may ask for ----------------------------------------------------------------------


def find_unit(session: Session, scope: Scope, code: str) -> Organization:
    """A unit the viewer may see, by its code; unknown and not-yours both answer 404."""
    wanted = (code or "").strip().upper()
    for unit in visible_units(session, scope):
        if unit.code.upper() == wanted:
            return unit
    raise NotFound(str(_l("There is no such one-stop unit, or it is not yours to see.")))


def unit_contracts(session: Session, scope: Scope, unit: Organization) -> list[ContractRef]:
    return contracts_by_unit(session, scope, [unit]).get(unit.id, [])


def contracts_by_unit(
    session: Session, scope: Scope, units: Sequence[Organization]
) -> dict[int, list[ContractRef]]:
    """The contracts covering each unit (its own and its agency's) in one query, only the viewer's
    operator's when the viewer is the post; drafts never had tasks."""
    covering: dict[int, list[int]] = defaultdict(list)  # contracting party -> the units it covers
    for unit in units:
        covering[unit.id].append(unit.id)
        if unit.parent_id is not None:
            covering[unit.parent_id].append(unit.id)
    operator = aliased(Organization)
    stmt = (
        sa.select(Contract.unit_id, Contract.id, Contract.number, Contract.operator_id, operator.name)
        .join(operator, operator.id == Contract.operator_id)
        .where(Contract.unit_id.in_(list(covering)), Contract.status != ContractStatus.DRAFT.value)
        .order_by(Contract.number)
    )
    if scope.operator_id is not None:
        stmt = stmt.where(Contract.operator_id == scope.operator_id)
    found: dict[int, list[ContractRef]] = defaultdict(list)
    for party, contract_id, number, operator_id, operator_name in session.execute(stmt):
        for unit_id in covering[party]:
            found[unit_id].append(ContractRef(contract_id, number, operator_id, operator_name))
    return dict(found)


def find_contract(
    session: Session, scope: Scope, unit: Organization, *, contract_id: int | None = None, number: str = ""
) -> ContractRef:
    wanted = number.strip().upper()
    for contract in unit_contracts(session, scope, unit):
        if contract.id == contract_id or (wanted and contract.number.upper() == wanted):
            return contract
    raise NotFound(str(_l("There is no such contract for this unit, or it is not yours to see.")))


# --- building it ----------------------------------------------------------------------------------


def build_report(
    session: Session,
    scope: Scope,
    unit: Organization,
    quarter: Quarter,
    now: datetime,
    today: date,
    contract: ContractRef | None = None,
) -> QuarterReport:
    """The report of a quarter that has begun (parse_quarter refuses the others). Productivity is
    annualized from the days counted and divides by today's officers: no headcount history is kept."""
    if contract is not None:
        scope = replace(scope, operator_id=contract.operator_id)
    this = Filters(quarter.start, quarter.end, unit_id=unit.id)
    before = this.previous()
    through = min(quarter.end, today)
    officers = unit_officers(session, unit.id)
    this_totals, before_totals = _totals(session, scope, this), _totals(session, scope, before)
    this_tasks = _task_rows(session, scope, this, now, contract)
    before_tasks = _task_rows(session, scope, before, now, contract)
    productivity = (
        _per_officer_year(this_totals["dossiers"], (through - quarter.start).days + 1, officers),
        _per_officer_year(before_totals["dossiers"], quarter.previous().days, officers),
    )
    return QuarterReport(
        unit=UnitRef(unit.id, unit.code, unit.name),
        contract=contract,
        quarter=quarter,
        previous_quarter=quarter.previous(),
        through=through,
        summary=figures.summary(this_totals, before_totals, officers, productivity, this_tasks, before_tasks),
        channels=by_channel(session, scope, this, before),
        groups=by_group(session, scope, this, before),
        legs=late_legs(this_totals, before_totals),
        task_types=task_lines(this_tasks, before_tasks, 1, task_type_labels()),
        contracts=task_lines(this_tasks, before_tasks, 0, contract_labels(session, this_tasks, before_tasks)),
        officers=officers,
        generated_at=now,
        data_as_of=last_refreshed(session),
        productivity_variants=dict(targets.PRODUCTIVITY_VARIANTS),
    )


def unit_officers(session: Session, unit_id: int) -> int:
    """The unit's active one-stop officers."""
    found = session.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(User.organization_id == unit_id, User.role == Role.UNIT_OFFICER.value, User.active)
    )
    return int(found or 0)


def _per_officer_year(dossiers: int, days: int, officers: int) -> float | None:
    return dossiers * DAYS_PER_YEAR / days / officers if officers and days > 0 else None


def _totals(session: Session, scope: Scope, filters: Filters) -> Totals:
    return summed(session, scope, filters)[0][1]


def _task_rows(
    session: Session, scope: Scope, filters: Filters, now: datetime, contract: ContractRef | None
) -> TaskRows:
    """The unit's tasks by contract and type (only the contract's, when the report is of one)."""
    rows = task_summed(session, scope, filters, ("contract_id", "task_type"), now)
    return {key: totals for key, totals in rows if contract is None or key[0] == contract.id}


# --- the breakdowns -------------------------------------------------------------------------------

LEG_LABELS = {
    "pickup": _l("Home pickup (post)"),
    "carriage": _l("Digitization and carriage to the unit (post)"),
    "unit": _l("Processing at the unit (statutory time)"),
    "delivery": _l("Result collection and delivery (post)"),
    "unattributed": _l("No leg over its own time"),
}


def _dossiers_by(session: Session, scope: Scope, filters: Filters, column: str) -> dict[Any, int]:
    rows = summed(session, scope, filters, (column,), measures=("dossiers",))
    return {key[0]: totals["dossiers"] for key, totals in rows}


def by_channel(session: Session, scope: Scope, this: Filters, before: Filters) -> list[Compared]:
    now, then = _dossiers_by(session, scope, this, "channel"), _dossiers_by(session, scope, before, "channel")
    return [
        Compared(c.value, label, now.get(c.value, 0), then.get(c.value, 0))
        for c, label in CHANNEL_LABELS.items()
    ]


def by_group(session: Session, scope: Scope, this: Filters, before: Filters) -> list[Compared]:
    now, then = (
        _dossiers_by(session, scope, this, "group_id"),
        _dossiers_by(session, scope, before, "group_id"),
    )
    ids = set(now) | set(then)
    names = {
        gid: f"{code} · {name}"
        for gid, code, name in session.execute(
            sa.select(ProcedureGroup.id, ProcedureGroup.code, ProcedureGroup.name).where(
                ProcedureGroup.id.in_(ids)
            )
        )
    }
    lines = [
        Compared(str(g), names.get(g) or _l("No procedure group"), now.get(g, 0), then.get(g, 0)) for g in ids
    ]
    return sorted(lines, key=lambda line: (line.key == "0", str(line.label)))


def late_legs(this: Totals, before: Totals) -> list[Compared]:
    """Late and overdue results, then each leg they are attributed to (one result may name several)."""
    total = Compared(
        "late_results",
        _l("Late or overdue results"),
        this["late"] + this["overdue"],
        before["late"] + before["overdue"],
    )
    return [total] + [
        Compared(leg, label, this[f"late_{leg}"], before[f"late_{leg}"]) for leg, label in LEG_LABELS.items()
    ]


def task_lines(this: TaskRows, before: TaskRows, index: int, labels: dict[Any, Any]) -> list[TaskLine]:
    """Fold the (contract, type) rows on one of the two: in the labels' order, then any other."""
    folded: dict[Any, tuple[TaskTotals, TaskTotals]] = defaultdict(lambda: (TaskTotals(), TaskTotals()))
    for side, rows in ((0, this), (1, before)):
        for key, totals in rows.items():
            folded[key[index]][side].add(totals)
    order = [k for k in labels if k in folded] + sorted((k for k in folded if k not in labels), key=str)
    return [TaskLine(str(k), labels.get(k, str(k)), *folded[k]) for k in order]


def task_type_labels() -> dict[Any, Any]:
    return {t.value: TASK_TYPE_LABELS[t] for t in TaskType}


def contract_labels(session: Session, *sides: TaskRows) -> dict[Any, Any]:
    """Contract id -> "number · operator", in the order of the numbers."""
    ids = {key[0] for side in sides for key in side}
    operator = aliased(Organization)
    rows = session.execute(
        sa.select(Contract.id, Contract.number, operator.name)
        .join(operator, operator.id == Contract.operator_id)
        .where(Contract.id.in_(ids))
        .order_by(Contract.number)
    )
    return {cid: f"{number} · {name}" for cid, number, name in rows}

"""The question every feature asks: which active contract covers this work, here, now?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.models import Contract, ContractTerm, ContractVersion
from postal_hub.contracts.status import TASK_TYPE_LABELS, ContractStatus, TaskType
from postal_hub.core.clock import to_local
from postal_hub.core.errors import Conflict, ValidationFailed
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure


@dataclass(frozen=True)
class Coverage:
    contract: Contract
    version: ContractVersion
    term: ContractTerm


def version_in_force(contract: Contract, at: datetime) -> ContractVersion | None:
    """The latest version whose effective time has come (versions are ordered by number)."""
    current = None
    for version in contract.versions:
        if version.effective_from <= at:
            current = version
    return current


def _unit_ids(unit: Organization) -> list[int]:
    return [unit.id] + ([unit.parent_id] if unit.parent_id else [])


def _covers_procedure(version: ContractVersion, procedure: Procedure | None) -> bool:
    return version.all_procedures or (procedure is not None and procedure in version.procedures)


def _covers_place(version: ContractVersion, province_code: str) -> bool:
    return version.nationwide or any(p.code == province_code for p in version.provinces)


def _candidates(session: Session, unit: Organization, operator_id: int, day: date) -> list[Contract]:
    return list(
        session.scalars(
            sa.select(Contract)
            .where(
                Contract.status == ContractStatus.ACTIVE,
                Contract.operator_id == operator_id,
                Contract.unit_id.in_(_unit_ids(unit)),
                Contract.valid_from <= day,
                Contract.valid_to >= day,
            )
            .options(
                selectinload(Contract.versions).selectinload(ContractVersion.terms),
                selectinload(Contract.versions).selectinload(ContractVersion.procedures),
                selectinload(Contract.versions).selectinload(ContractVersion.provinces),
            )
            .order_by(Contract.id)
        )
    )


def find_coverage(
    session: Session,
    task_type: TaskType,
    procedure: Procedure | None,
    unit: Organization,
    office: PostOffice,
    at: datetime,
) -> Coverage | None:
    """None, or the one active contract (activation refuses overlaps) covering the work."""
    found = []
    for contract in _candidates(session, unit, office.operator_id, to_local(at).date()):
        version = version_in_force(contract, at)
        if version is None:
            continue
        term = version.term(task_type)
        if term and _covers_procedure(version, procedure) and _covers_place(version, office.province_code):
            found.append(Coverage(contract, version, term))
    if len(found) > 1:
        raise Conflict(
            str(_l("Several active contracts cover the same work; an administrator must resolve it."))
        )
    return found[0] if found else None


def require_coverage(
    session: Session,
    task_type: TaskType,
    procedure: Procedure | None,
    unit: Organization,
    office: PostOffice,
    at: datetime,
) -> Coverage:
    """Like find_coverage, but refuses uncovered work with a message naming what is missing."""
    coverage = find_coverage(session, task_type, procedure, unit, office, at)
    if coverage is not None:
        return coverage
    work = TASK_TYPE_LABELS[task_type]
    contracts = _candidates(session, unit, office.operator_id, to_local(at).date())
    versions = [v for v in (version_in_force(c, at) for c in contracts) if v is not None]
    if not versions:
        reason = _l(
            "%(unit)s has no active contract with %(operator)s today.",
            unit=unit.name,
            operator=office.operator.name,
        )
    elif not any(v.term(task_type) for v in versions):
        reason = _l("The contract does not include %(work)s.", work=str(work).lower())
    elif not any(v.term(task_type) and _covers_procedure(v, procedure) for v in versions):
        reason = _l(
            "The contract does not cover the procedure %(code)s.", code=procedure.code if procedure else ""
        )
    else:
        reason = _l(
            "The contract's service area does not include %(province)s, where %(office)s is.",
            province=office.province.name,
            office=office.name,
        )
    raise ValidationFailed(
        str(_l("This work is not covered by a contract: %(reason)s", reason=reason)),
        {"contract": str(reason)},
    )


def _periods(contract: Contract) -> list[tuple[ContractVersion, datetime, datetime]]:
    """Each version with the span it governs: from its effective time to the next one's, or the end."""
    from postal_hub.contracts.services import start_of_day

    end = start_of_day(contract.valid_to) + timedelta(days=1)
    spans = []
    for index, version in enumerate(contract.versions):
        until = contract.versions[index + 1].effective_from if index + 1 < len(contract.versions) else end
        spans.append((version, max(version.effective_from, start_of_day(contract.valid_from)), until))
    return spans


def _scopes_meet(a: ContractVersion, b: ContractVersion) -> bool:
    if not {t.task_type for t in a.terms} & {t.task_type for t in b.terms}:
        return False
    procedures = (
        a.all_procedures
        or b.all_procedures
        or bool({p.id for p in a.procedures} & {p.id for p in b.procedures})
    )
    area = a.nationwide or b.nationwide or bool({p.code for p in a.provinces} & {p.code for p in b.provinces})
    return procedures and area


def overlapping(session: Session, contract: Contract) -> Contract | None:
    """Another active contract of the same operator that would cover some of the same work at the same
    time: same unit side, and some pair of versions in force together sharing a task type, a procedure
    and a province. Activating both would make coverage ambiguous."""
    unit_ids = set(_unit_ids(contract.unit)) | set(
        session.scalars(sa.select(Organization.id).where(Organization.parent_id == contract.unit_id))
    )
    others = session.scalars(
        sa.select(Contract).where(
            Contract.id != contract.id,
            Contract.status == ContractStatus.ACTIVE,
            Contract.operator_id == contract.operator_id,
            Contract.unit_id.in_(unit_ids),
            Contract.valid_from <= contract.valid_to,
            Contract.valid_to >= contract.valid_from,
        )
    )
    mine = _periods(contract)
    for other in others:
        for version, start, end in mine:
            for theirs, their_start, their_end in _periods(other):
                if start < their_end and their_start < end and _scopes_meet(version, theirs):
                    return other
    return None

"""Contract use cases: write a draft, record the capacity assessment, activate, amend, suspend, end."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids, may_create_contracts, require_manage
from postal_hub.contracts.coverage import overlapping
from postal_hub.contracts.inputs import CleanScope, ContractInput, ScopeInput, clean_header, clean_scope
from postal_hub.contracts.models import (
    CapacityAssessment,
    Contract,
    ContractDocument,
    ContractStatusChange,
    ContractTerm,
    ContractVersion,
)
from postal_hub.contracts.status import CONTRACT_MACHINE, ContractStatus
from postal_hub.core import audit
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.files import FileStore
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ)


def _apply_scope(version: ContractVersion, scope: CleanScope) -> None:
    existing = {t.task_type: t for t in version.terms}
    version.terms = [
        _term(existing.get(task_type), task_type, sla, price) for task_type, sla, price in scope.terms
    ]
    version.working_hours = scope.working_hours
    version.all_procedures = scope.all_procedures
    version.procedures = scope.procedures
    version.nationwide = scope.nationwide
    version.provinces = scope.provinces
    version.page_price = scope.page_price
    version.penalty_per_breach = scope.penalty_per_breach
    version.pickup_bands = scope.pickup_bands
    version.delivery_attempts = scope.delivery_attempts
    version.collection_hold_days = scope.collection_hold_days


def _term(term: ContractTerm | None, task_type: str, sla: int, price: int) -> ContractTerm:
    term = term or ContractTerm(task_type=task_type)
    term.sla_hours = sla
    term.unit_price = price
    return term


def save_draft(
    session: Session, actor: User | None, data: ContractInput, now: datetime, contract: Contract | None = None
) -> Contract:
    """Create a contract, or change one that is still a draft; a signed, active contract is amended."""
    if contract is not None:
        require_manage(session, actor, contract)
        if contract.status != ContractStatus.DRAFT:
            raise Conflict(str(_l("An active contract is not edited in place: record an amendment.")))
    elif actor is not None and not may_create_contracts(actor):
        raise PermissionDenied(str(_l("Only an agency supervisor may create contracts.")))
    errors = FieldErrors()
    header = clean_header(session, data, errors, contract.id if contract else None)
    if (
        actor is not None
        and actor.has_role(Role.AGENCY_SUPERVISOR)
        and data.unit_id not in managed_ids(session, actor)
    ):
        errors.add("unit_id", _l("Choose your own agency or one of its one-stop units."))
    scope = clean_scope(session, data.scope, errors)
    errors.raise_if_any()
    if contract is None:
        contract = Contract(status=ContractStatus.DRAFT.value, created_by_id=actor.id if actor else None)
        session.add(contract)
    for key, value in header.items():
        setattr(contract, key, value)
    session.flush()
    if not contract.versions:
        contract.versions.append(ContractVersion(number=0, created_by_id=actor.id if actor else None))
    original = contract.versions[0]
    original.effective_from = start_of_day(contract.valid_from)
    _apply_scope(original, scope)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "contract.saved",
        "contract",
        contract.id,
        {"number": contract.number},
        at=now,
    )
    return contract


def record_assessment(
    session: Session,
    actor: User | None,
    contract: Contract,
    assessed_on: date | None,
    unit_facilities: str,
    unit_staff: int | None,
    operator_offices: int | None,
    operator_staff: int | None,
    trained_staff: int | None,
    conclusion: str,
    signed_by: str,
    now: datetime,
) -> CapacityAssessment:
    """The capacity of both sides, assessed and signed, as the bidding rules require before award."""
    require_manage(session, actor, contract)
    errors = FieldErrors()
    if assessed_on is None or errors.sane_date("assessed_on", assessed_on) is None:
        errors.add("assessed_on", _l("Enter a date (dd/mm/yyyy)."))
    elif assessed_on > to_local(now).date():
        errors.add("assessed_on", _l("An assessment cannot be dated in the future."))
    facilities = errors.require("unit_facilities", unit_facilities, 5000)
    for name, value in (
        ("unit_staff", unit_staff),
        ("operator_offices", operator_offices),
        ("operator_staff", operator_staff),
        ("trained_staff", trained_staff),
    ):
        if value is None or not 0 <= value <= 1_000_000:
            errors.add(name, _l("Enter a whole number, 0 or more."))
    if trained_staff is not None and operator_staff is not None and trained_staff > operator_staff:
        errors.add("trained_staff", _l("Trained staff cannot outnumber the operator's staff."))
    text = errors.require("conclusion", conclusion, 5000)
    signer = errors.require("signed_by", signed_by)
    errors.raise_if_any()
    assessment = CapacityAssessment(
        assessed_on=assessed_on,
        unit_facilities=facilities,
        unit_staff=unit_staff,
        operator_offices=operator_offices,
        operator_staff=operator_staff,
        trained_staff=trained_staff,
        conclusion=text,
        signed_by=signer,
        recorded_by_id=actor.id if actor else None,
        created_at=now,
    )
    contract.assessments.append(assessment)
    session.flush()
    audit.record(session, actor.id if actor else None, "contract.assessed", "contract", contract.id, at=now)
    return assessment


def _set_status(
    session: Session,
    contract: Contract,
    target: ContractStatus,
    actor: User | None,
    now: datetime,
    reason: str = "",
) -> None:
    """The only place a contract's status changes: check the move, record who, when and why."""
    current = ContractStatus(contract.status)
    CONTRACT_MACHINE.check(current, target)
    contract.status = target.value
    contract.status_changes.append(
        ContractStatusChange(
            from_status=current.value,
            to_status=target.value,
            at=now,
            actor_id=actor.id if actor else None,
            reason=reason,
        )
    )
    audit.record(
        session,
        actor.id if actor else None,
        f"contract.{target.value}",
        "contract",
        contract.id,
        {"from": current.value, "reason": reason},
        at=now,
    )
    session.flush()


def _check_can_run(session: Session, contract: Contract, now: datetime) -> None:
    if to_local(now).date() > contract.valid_to:
        raise ValidationFailed(
            str(_l("The contract's validity has ended; it cannot be activated.")),
            {
                "valid_to": str(
                    _l("The contract ended on %(day)s.", day=contract.valid_to.strftime("%d/%m/%Y"))
                )
            },
        )
    other = overlapping(session, contract)
    if other is not None:
        raise Conflict(
            str(
                _l(
                    "Contract %(number)s already covers part of the same work, units and area.",
                    number=other.number,
                )
            )
        )


def activate(session: Session, actor: User | None, contract: Contract, now: datetime) -> None:
    """A draft becomes active once both sides' capacity is assessed and nothing overlaps it;
    a suspended contract resumes under the same overlap check."""
    require_manage(session, actor, contract)
    if contract.status == ContractStatus.DRAFT and not contract.assessments:
        raise ValidationFailed(
            str(_l("Record the capacity assessment before activating the contract.")),
            {"assessment": str(_l("No capacity assessment on record."))},
        )
    CONTRACT_MACHINE.check(ContractStatus(contract.status), ContractStatus.ACTIVE)
    _check_can_run(session, contract, now)
    _set_status(session, contract, ContractStatus.ACTIVE, actor, now)


def suspend(session: Session, actor: User | None, contract: Contract, now: datetime, reason: str) -> None:
    require_manage(session, actor, contract)
    _require_reason(reason)
    _set_status(session, contract, ContractStatus.SUSPENDED, actor, now, reason.strip())


def terminate(session: Session, actor: User | None, contract: Contract, now: datetime, reason: str) -> None:
    require_manage(session, actor, contract)
    _require_reason(reason)
    _set_status(session, contract, ContractStatus.TERMINATED, actor, now, reason.strip())


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationFailed(str(_l("Give the reason.")), {"reason": str(_l("This field is required."))})


def attach_document(
    session: Session,
    actor: User | None,
    contract: Contract,
    filename: str,
    content_type: str,
    data: bytes,
    store: FileStore,
    now: datetime,
) -> ContractDocument:
    """Keep a signed scan or decision with the contract: bytes in the file store, a record here."""
    require_manage(session, actor, contract)
    if not data:
        raise ValidationFailed(str(_l("The file is empty.")), {"file": str(_l("The file is empty."))})
    document = ContractDocument(
        filename=(filename or "document")[-255:],
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(data),
        sha256=store.put(data),
        uploaded_at=now,
        uploaded_by_id=actor.id if actor else None,
    )
    contract.documents.append(document)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "contract.document_attached",
        "contract",
        contract.id,
        {"filename": document.filename, "sha256": document.sha256},
        at=now,
    )
    return document


def expire_ended(session: Session, now: datetime) -> list[Contract]:
    """Contracts whose validity has ended expire by themselves (run by the worker)."""
    today = to_local(now).date()
    ended = list(
        session.scalars(
            sa.select(Contract).where(
                Contract.status.in_([ContractStatus.ACTIVE.value, ContractStatus.SUSPENDED.value]),
                Contract.valid_to < today,
            )
        )
    )
    for contract in ended:
        _set_status(session, contract, ContractStatus.EXPIRED, None, now, "validity ended")
    return ended


def amend(
    session: Session,
    actor: User | None,
    contract: Contract,
    amendment_number: str,
    effective_on: date | None,
    scope: ScopeInput,
    note: str,
    now: datetime,
) -> ContractVersion:
    """A change after activation is a new version in force from its effective date; earlier versions stay,
    and tasks keep the terms of the version they were created under."""
    require_manage(session, actor, contract)
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
        raise Conflict(str(_l("Only an active or suspended contract is amended; edit a draft directly.")))
    errors = FieldErrors()
    number = errors.require("amendment_number", amendment_number, 40)
    if number and any(v.amendment_number == number for v in contract.versions):
        errors.add("amendment_number", _l("This contract already has an amendment with this number."))
    latest = contract.versions[-1]
    if effective_on is None:
        errors.add("effective_on", _l("Enter a date (dd/mm/yyyy)."))
    elif effective_on < contract.valid_from:
        errors.add(
            "effective_on",
            _l(
                "An amendment cannot take effect before the contract starts (%(day)s).",
                day=contract.valid_from.strftime("%d/%m/%Y"),
            ),
        )
    elif effective_on > contract.valid_to:
        errors.add("effective_on", _l("An amendment cannot take effect after the contract ends."))
    elif start_of_day(effective_on) <= latest.effective_from:
        errors.add(
            "effective_on",
            _l(
                "It must take effect after the previous version (%(day)s).",
                day=to_local(latest.effective_from).strftime("%d/%m/%Y"),
            ),
        )
    clean = clean_scope(session, scope, errors)
    errors.raise_if_any()
    assert effective_on is not None
    version = ContractVersion(
        number=latest.number + 1,
        amendment_number=number,
        effective_from=start_of_day(effective_on),
        note=(note or "").strip()[:5000],
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    contract.versions.append(version)
    _apply_scope(version, clean)
    session.flush()
    if contract.status == ContractStatus.ACTIVE and (other := overlapping(session, contract)):
        raise Conflict(
            str(
                _l(
                    "With this amendment, contract %(number)s would cover part of the same work.",
                    number=other.number,
                )
            )
        )
    audit.record(
        session,
        actor.id if actor else None,
        "contract.amended",
        "contract",
        contract.id,
        {"amendment": number, "effective_on": effective_on.isoformat()},
        at=now,
    )
    return version


def change_status(
    session: Session,
    actor: User | None,
    contract: Contract,
    target: ContractStatus,
    now: datetime,
    reason: str = "",
) -> None:
    """One entry for the status buttons: each target goes through its own rules."""
    if target == ContractStatus.ACTIVE:
        activate(session, actor, contract, now)
    elif target == ContractStatus.SUSPENDED:
        suspend(session, actor, contract, now, reason)
    elif target == ContractStatus.TERMINATED:
        terminate(session, actor, contract, now, reason)
    elif target == ContractStatus.EXPIRED and to_local(now).date() <= contract.valid_to:
        raise ValidationFailed(
            str(_l("A contract expires by itself after its end date.")),
            {"status": str(_l("The contract is still within its validity period."))},
        )
    else:
        require_manage(session, actor, contract)
        _set_status(session, contract, target, actor, now, reason)

"""Enrolling postal staff in a session: seats up to the capacity, then a waiting list in order of asking."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import Conflict, NotFound, PermissionDenied
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.access import is_postal_staff, may_enrol
from postal_hub.training.models import Enrolment, TrainingSession
from postal_hub.training.status import ENROLMENT_MACHINE, SEATED, EnrolmentStatus, SessionStatus


def set_enrolment_status(
    session: Session, actor: User | None, enrolment: Enrolment, target: EnrolmentStatus, now: datetime
) -> None:
    """The only place an enrolment's status changes: the move is checked and logged."""
    current = EnrolmentStatus(enrolment.status)
    ENROLMENT_MACHINE.check(current, target)
    enrolment.status = target.value
    if target == EnrolmentStatus.WITHDRAWN:
        enrolment.withdrawn_at = now
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "enrolment.status",
        "enrolment",
        enrolment.id,
        {"from": current.value, "to": target.value},
        at=now,
    )


def lock(session: Session, record: TrainingSession) -> TrainingSession:
    """Re-read the session and its list under a row lock: two managers cannot both take the last seat,
    and a capacity lowered or a session closed meanwhile is seen (a plain refresh keeps stale rows)."""
    # The lock on the row alone (a refresh FOR UPDATE would carry the page's outer-join eager loads,
    # which PostgreSQL refuses to lock); then a re-read, which now sees the latest committed state.
    session.execute(
        sa.select(TrainingSession.id).where(TrainingSession.id == record.id).with_for_update()
    ).scalar_one()
    session.refresh(record)
    session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.session_id == record.id)
        .execution_options(populate_existing=True)
    ).all()
    session.refresh(record, attribute_names=["enrolments"])
    return record


def seats_taken(record: TrainingSession) -> int:
    return sum(1 for e in record.enrolments if EnrolmentStatus(e.status) in SEATED)


def enrol(
    session: Session, actor: User, record: TrainingSession, staff: User, now: datetime, waitlist: bool = True
) -> Enrolment:
    """A seat if one is free; otherwise a place on the waiting list (or a refusal when waitlist is False)."""
    # Permission first: a manager must not learn anything about another operator's people.
    if not may_enrol(actor, record, staff):
        raise PermissionDenied(str(_l("You may enrol only the staff of your own operator.")))
    if not is_postal_staff(staff):
        errors = FieldErrors()
        errors.add("user_id", _l("Only active postal staff (clerks, postmen, managers) are trained here."))
        errors.raise_if_any()
    lock(session, record)
    if SessionStatus(record.status) != SessionStatus.PLANNED:
        raise Conflict(str(_l("This session is closed to enrolment.")))
    earlier = next((e for e in record.enrolments if e.user_id == staff.id), None)
    if earlier is not None and earlier.status != EnrolmentStatus.WITHDRAWN:
        raise Conflict(str(_l("%(name)s is already on this session's list.", name=staff.full_name)))
    full = seats_taken(record) >= record.capacity
    if full and not waitlist:
        raise Conflict(
            str(
                _l(
                    "The session is full (%(n)d seats). Put the trainee on the waiting list.",
                    n=record.capacity,
                )
            )
        )
    status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
    if earlier is not None:
        # Coming back after withdrawing: a new line at the back of the queue (the audit log keeps the old).
        session.delete(earlier)
        session.flush()
    enrolment = Enrolment(
        session_id=record.id, user_id=staff.id, status=status.value, enrolled_at=now, enrolled_by_id=actor.id
    )
    session.add(enrolment)
    session.flush()
    session.refresh(record, attribute_names=["enrolments"])
    audit.record(
        session,
        actor.id,
        "enrolment.created",
        "enrolment",
        enrolment.id,
        {"session": record.id, "user": staff.id, "status": status.value},
        at=now,
    )
    return enrolment


def withdraw(session: Session, actor: User, enrolment: Enrolment, now: datetime) -> Enrolment | None:
    """A withdrawal frees the seat for the first on the waiting list, who is returned (or None)."""
    record = enrolment.session
    if not (may_enrol(actor, record, enrolment.user) or actor.id == enrolment.user_id):
        raise PermissionDenied(str(_l("You may withdraw only the staff of your own operator.")))
    lock(session, record)
    if SessionStatus(record.status) != SessionStatus.PLANNED:
        raise Conflict(str(_l("This session is closed: its list can no longer change.")))
    if EnrolmentStatus(enrolment.status) not in {EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED}:
        raise Conflict(str(_l("An assessed trainee cannot be withdrawn.")))
    set_enrolment_status(session, actor, enrolment, EnrolmentStatus.WITHDRAWN, now)
    promoted = fill_from_waiting_list(session, actor, record, now)
    return promoted[0] if promoted else None


def fill_from_waiting_list(
    session: Session, actor: User | None, record: TrainingSession, now: datetime
) -> list[Enrolment]:
    """Free seats go to the waiting list in the order people asked."""
    promoted = []
    waiting = sorted(
        (e for e in record.enrolments if e.status == EnrolmentStatus.WAITLISTED),
        key=lambda e: (e.enrolled_at, e.id),
    )
    for enrolment in waiting:
        if seats_taken(record) >= record.capacity:
            break
        set_enrolment_status(session, actor, enrolment, EnrolmentStatus.ENROLLED, now)
        promoted.append(enrolment)
    return promoted


def withdraw_all(session: Session, actor: User, record: TrainingSession, now: datetime) -> None:
    for enrolment in record.enrolments:
        if enrolment.status in {EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED}:
            set_enrolment_status(session, actor, enrolment, EnrolmentStatus.WITHDRAWN, now)


def get_enrolment(record: TrainingSession, enrolment_id: int) -> Enrolment:
    found = next((e for e in record.enrolments if e.id == enrolment_id), None)
    if found is None:
        raise NotFound(str(_l("This trainee is not on the session's list.")))
    return found

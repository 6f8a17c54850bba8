"""Training sessions of a course: when, where, by whom, for how many; planned, then completed or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.errors import Conflict
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.access import require_course_manager, require_runs_session
from postal_hub.training.enrolment import (
    fill_from_waiting_list,
    lock,
    seats_taken,
    set_enrolment_status,
    withdraw_all,
)
from postal_hub.training.models import Course, TrainingSession
from postal_hub.training.status import SESSION_MACHINE, EnrolmentStatus, SessionStatus

MAX_SESSION_DAYS = 60


@dataclass
class SessionInput:
    starts_on: date | None
    ends_on: date | None
    trainer_id: int | None
    capacity: int | None
    place: str = ""
    online_url: str = ""
    note: str = ""


def save_session(
    session: Session,
    actor: User,
    course: Course,
    data: SessionInput,
    now: datetime,
    existing: TrainingSession | None = None,
) -> TrainingSession:
    """A session is held somewhere or online (or both); a trainer of the course runs it."""
    require_course_manager(actor, course.organization)
    if existing is None and not course.active:
        raise Conflict(str(_l("This course is inactive: it takes no new session.")))
    errors = FieldErrors()
    starts = errors.sane_date("starts_on", data.starts_on)
    ends = errors.sane_date("ends_on", data.ends_on)
    if data.starts_on is None:
        errors.add("starts_on", _l("Enter a date (dd/mm/yyyy)."))
    if data.ends_on is None:
        errors.add("ends_on", _l("Enter a date (dd/mm/yyyy)."))
    if starts and ends:
        if ends < starts:
            errors.add("ends_on", _l("The last day cannot come before the first."))
        elif (ends - starts).days + 1 > MAX_SESSION_DAYS:
            errors.add("ends_on", _l("A session lasts at most %(n)d days.", n=MAX_SESSION_DAYS))
    trainer = session.get(User, data.trainer_id) if data.trainer_id else None
    # The trainer issues certificates in the course organization's name, so is one of its trainers.
    if (
        trainer is None
        or not trainer.active
        or not (
            trainer.has_role(Role.SYSTEM_ADMIN)
            or (trainer.has_role(Role.TRAINER) and trainer.organization_id == course.organization_id)
        )
    ):
        errors.add("trainer_id", _l("Choose an active trainer of %(org)s.", org=course.organization.name))
    if data.capacity is None or not 1 <= data.capacity <= 500:
        errors.add("capacity", _l("The capacity is 1 to 500 trainees."))
    elif existing is not None and data.capacity < seats_taken(existing):
        errors.add(
            "capacity",
            _l("%(n)d trainees already hold a seat: the capacity cannot be lower.", n=seats_taken(existing)),
        )
    place = errors.optional_text("place", data.place, 500)
    url = (data.online_url or "").strip()
    if (url and not url.startswith(("https://", "http://"))) or len(url) > 500:
        errors.add("online_url", _l("An online link starts with https://."))
    if not place and not url:
        errors.add("place", _l("Give the place, the online link, or both."))
    note = errors.optional_text("note", data.note, 2000)
    errors.raise_if_any()
    assert trainer is not None and starts is not None and ends is not None and data.capacity is not None
    if existing is not None:
        lock(session, existing)
        if SessionStatus(existing.status) != SessionStatus.PLANNED:
            raise Conflict(str(_l("Only a planned session can be changed.")))
        if data.capacity < seats_taken(existing):
            errors.add(
                "capacity",
                _l(
                    "%(n)d trainees already hold a seat: the capacity cannot be lower.",
                    n=seats_taken(existing),
                ),
            )
            errors.raise_if_any()
    record = existing or TrainingSession(
        course_id=course.id, status=SessionStatus.PLANNED.value, created_at=now, created_by_id=actor.id
    )
    if existing is None:
        session.add(record)
    record.starts_on, record.ends_on = starts, ends
    record.trainer_id = trainer.id
    record.capacity = data.capacity
    record.place, record.online_url, record.note = place, url, note
    session.flush()
    audit.record(session, actor.id, "training_session.saved", "training_session", record.id, at=now)
    if existing is not None:
        fill_from_waiting_list(session, actor, record, now)
    return record


def set_session_status(
    session: Session,
    actor: User,
    record: TrainingSession,
    target: SessionStatus,
    now: datetime,
    reason: str = "",
) -> None:
    """The only place a session's status changes. Completing needs every seated trainee assessed and the
    last day come; cancelling needs a reason, and withdraws everyone."""
    require_runs_session(actor, record)
    lock(session, record)
    SESSION_MACHINE.check(SessionStatus(record.status), target)
    if target == SessionStatus.COMPLETED:
        if to_local(now).date() < record.ends_on:
            raise Conflict(
                str(
                    _l(
                        "The session is not over yet: it ends on %(day)s.",
                        day=record.ends_on.strftime("%d/%m/%Y"),
                    )
                )
            )
        waiting = [e.user.full_name for e in record.enrolments if e.status == EnrolmentStatus.ENROLLED]
        if waiting:
            raise Conflict(
                str(
                    _l(
                        "Record a score for every trainee first. Not assessed: %(names)s",
                        names="; ".join(waiting),
                    )
                )
            )
    if target == SessionStatus.COMPLETED:
        # Nobody waits any longer for a session that is over.
        for line in record.enrolments:
            if line.status == EnrolmentStatus.WAITLISTED:
                set_enrolment_status(session, actor, line, EnrolmentStatus.WITHDRAWN, now)
    if target == SessionStatus.CANCELLED:
        text = " ".join((reason or "").split())
        if not text:
            errors = FieldErrors()
            errors.add("reason", _l("Say why the session is cancelled."))
            errors.raise_if_any()
        if any(e.certificate is not None for e in record.enrolments):
            raise Conflict(str(_l("Certificates were issued on this session: revoke them instead.")))
        withdraw_all(session, actor, record, now)
    record.status = target.value
    session.flush()
    audit.record(
        session,
        actor.id,
        f"training_session.{target.value}",
        "training_session",
        record.id,
        {"reason": reason} if reason else {},
        at=now,
    )

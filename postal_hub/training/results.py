"""Attendance per day and the assessment score; pass or fail follows from the course's two rules."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.errors import Conflict
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.access import require_runs_session
from postal_hub.training.enrolment import set_enrolment_status
from postal_hub.training.models import Attendance, Course, Enrolment
from postal_hub.training.status import SEATED, EnrolmentStatus, SessionStatus


def passes(course: Course, score: int, attendance_percent: int) -> bool:
    """Both rules: the score reaches the pass mark and the trainee attended enough of the days."""
    return score >= course.pass_mark and attendance_percent >= course.min_attendance


def attendance_percent(enrolment: Enrolment) -> int:
    """Days present over the session's days; a day with nothing recorded counts as absent."""
    days = enrolment.session.days
    present = {a.day for a in enrolment.attendance if a.present}
    return (100 * sum(1 for d in days if d in present)) // len(days)


def _open_for_results(enrolment: Enrolment) -> None:
    if SessionStatus(enrolment.session.status) != SessionStatus.PLANNED:
        raise Conflict(str(_l("This session is closed: its results can no longer change.")))
    if EnrolmentStatus(enrolment.status) not in SEATED:
        raise Conflict(str(_l("%(name)s holds no seat in this session.", name=enrolment.user.full_name)))
    if enrolment.certificate is not None:
        raise Conflict(str(_l("A certificate was issued on this result: it can no longer change.")))


def record_attendance(
    session: Session, actor: User, enrolment: Enrolment, day: date | None, present: bool, now: datetime
) -> Attendance:
    """One mark per trainee per day of the session, corrected by recording it again."""
    record = enrolment.session
    require_runs_session(actor, record)
    _open_for_results(enrolment)
    errors = FieldErrors()
    if day is None:
        errors.add("day", _l("Enter a date (dd/mm/yyyy)."))
    elif day not in record.days:
        errors.add(
            "day",
            _l(
                "%(day)s is not a day of this session (%(first)s to %(last)s).",
                day=day.strftime("%d/%m/%Y"),
                first=record.starts_on.strftime("%d/%m/%Y"),
                last=record.ends_on.strftime("%d/%m/%Y"),
            ),
        )
    elif day > to_local(now).date():
        errors.add("day", _l("Attendance is recorded on the day or after it, not before."))
    errors.raise_if_any()
    assert day is not None
    mark = next((a for a in enrolment.attendance if a.day == day), None)
    if mark is None:
        mark = Attendance(day=day, present=present, recorded_at=now, recorded_by_id=actor.id)
        try:
            with session.begin_nested():
                enrolment.attendance.append(mark)
                session.flush()
        except IntegrityError:
            # The same grid sent twice at once: the other request recorded this day first.
            raise Conflict(
                str(_l("Attendance was being saved from another screen: reload and try again."))
            ) from None
    else:
        mark.present, mark.recorded_at, mark.recorded_by_id = present, now, actor.id
    session.flush()
    if enrolment.score is not None:
        _apply_outcome(session, actor, enrolment, now)
    return mark


def record_score(
    session: Session, actor: User, enrolment: Enrolment, score: int | None, now: datetime
) -> bool:
    """The assessment score, 0 to 100; returns whether the trainee passed."""
    record = enrolment.session
    require_runs_session(actor, record)
    _open_for_results(enrolment)
    errors = FieldErrors()
    if score is None or not 0 <= score <= 100:
        errors.add(f"score-{enrolment.id}", _l("A score is a whole number from 0 to 100."))
    elif to_local(now).date() < record.starts_on:
        errors.add(f"score-{enrolment.id}", _l("The session has not started yet."))
    errors.raise_if_any()
    enrolment.score = score
    enrolment.assessed_at, enrolment.assessed_by_id = now, actor.id
    session.flush()
    audit.record(session, actor.id, "enrolment.assessed", "enrolment", enrolment.id, {"score": score}, at=now)
    return _apply_outcome(session, actor, enrolment, now)


def _apply_outcome(session: Session, actor: User, enrolment: Enrolment, now: datetime) -> bool:
    assert enrolment.score is not None
    passed = passes(enrolment.session.course, enrolment.score, attendance_percent(enrolment))
    target = EnrolmentStatus.PASSED if passed else EnrolmentStatus.FAILED
    if enrolment.status != target:
        set_enrolment_status(session, actor, enrolment, target, now)
    return passed

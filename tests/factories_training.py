"""Training factories: groups, courses, sessions and certificates, built through the real services where a
test is about them, and directly (valid rows, no ceremony) where a test only needs someone certified."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.orgs.models import Organization
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import Role, User
from postal_hub.training.catalogue import CourseInput, save_course
from postal_hub.training.models import Certificate, Course, Enrolment, TrainingSession
from postal_hub.training.sessions import SessionInput, save_session
from postal_hub.training.status import EnrolmentStatus, SessionStatus

_seq = itertools.count(1)
DEFAULT_GROUP = "TG"
# Long enough that no test moving the clock by weeks steps out of it.
VALID_FROM, VALID_TO = date(2026, 1, 1), date(2028, 12, 31)
WHEN = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)


def procedure_group(session: Session, code: str | None = None, name: str | None = None) -> ProcedureGroup:
    """The group with this code, made if missing (DEFAULT_GROUP is the one factories.procedure uses)."""
    code = code or f"G{next(_seq)}"
    found = session.scalar(sa.select(ProcedureGroup).where(ProcedureGroup.code == code))
    if found is not None:
        return found
    group = ProcedureGroup(
        code=code, name=name or f"Nhóm thử {code}", description="", active=True, created_at=WHEN
    )
    session.add(group)
    session.flush()
    return group


def course(
    session: Session, actor: User, organization: Organization, groups: list[ProcedureGroup], **overrides: Any
) -> Course:
    values: dict[str, Any] = {
        "code": f"KH-{next(_seq)}",
        "title": "Kỹ năng tiếp nhận hồ sơ",
        "organization_id": organization.id,
        "duration_hours": 16,
        "pass_mark": 70,
        "validity_months": 24,
        "min_attendance": 80,
        "outline": "Quy trình tiếp nhận; kiểm tra thành phần hồ sơ; số hóa.",
        "group_ids": [g.id for g in groups],
    }
    values.update(overrides)
    return save_course(session, actor, CourseInput(**values), WHEN)


def training_session(
    session: Session, actor: User, course_obj: Course, now: datetime, **overrides: Any
) -> TrainingSession:
    values: dict[str, Any] = {
        "starts_on": date(2026, 11, 16),
        "ends_on": date(2026, 11, 17),
        "trainer_id": actor.id,
        "capacity": 10,
        "place": "Trung tâm đào tạo Bưu điện Hà Nội",
    }
    values.update(overrides)
    return save_session(session, actor, course_obj, SessionInput(**values), now)


def _shelf(session: Session, holder: User) -> TrainingSession:
    """One course and session per database for direct certificates, run by the holder's organization."""
    code = "KH-FACTORY"
    found = session.scalar(sa.select(Course).where(Course.code == code))
    if found is None:
        org_id = holder.organization_id
        assert org_id is not None, "certify postal staff, who belong to an operator"
        found = Course(
            code=code,
            title="Khóa thử",
            outline="",
            duration_hours=8,
            pass_mark=50,
            min_attendance=0,
            validity_months=36,
            organization_id=org_id,
            active=True,
            created_at=WHEN,
        )
        session.add(found)
        session.flush()
        found.sessions.append(
            TrainingSession(
                course_id=found.id,
                starts_on=VALID_FROM,
                ends_on=VALID_FROM,
                trainer_id=holder.id,
                place="Hà Nội",
                capacity=500,
                status=SessionStatus.COMPLETED.value,
                created_at=WHEN,
            )
        )
        session.flush()
    return found.sessions[0]


def certificate(
    session: Session,
    holder: User,
    groups: list[ProcedureGroup],
    issued_on: date = VALID_FROM,
    expires_on: date = VALID_TO,
    revoked: bool = False,
) -> Certificate:
    """A certificate for `holder` covering `groups`, written directly (a passed enrolment on a shelf)."""
    shelf = _shelf(session, holder)
    enrolment = Enrolment(
        session_id=shelf.id,
        user_id=holder.id,
        status=EnrolmentStatus.PASSED.value,
        enrolled_at=WHEN,
        score=90,
        assessed_at=WHEN,
    )
    # A holder may have several certificates: each needs its own enrolment row, so each its own session.
    taken = session.scalar(
        sa.select(Enrolment.id).where(Enrolment.session_id == shelf.id, Enrolment.user_id == holder.id)
    )
    if taken is not None:
        extra = TrainingSession(
            course_id=shelf.course_id,
            starts_on=VALID_FROM,
            ends_on=VALID_FROM,
            trainer_id=shelf.trainer_id,
            place="Hà Nội",
            capacity=500,
            status=SessionStatus.COMPLETED.value,
            created_at=WHEN,
        )
        session.add(extra)
        session.flush()
        enrolment.session_id = extra.id
    session.add(enrolment)
    session.flush()
    cert = Certificate(
        number=f"CC-TEST-{next(_seq):06d}",
        holder_id=holder.id,
        enrolment_id=enrolment.id,
        course_id=shelf.course_id,
        issuer_id=shelf.course.organization_id,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_at=WHEN,
        revoked_at=WHEN + timedelta(days=1) if revoked else None,
        revoke_reason="Thu hồi thử" if revoked else "",
        groups=list(groups),
    )
    session.add(cert)
    session.flush()
    return cert


def certify(session: Session, *users: User, groups: list[ProcedureGroup] | None = None) -> None:
    """Give each user a valid certificate for the default group (or the ones named)."""
    chosen = groups if groups is not None else [procedure_group(session, DEFAULT_GROUP, "Nhóm thủ tục thử")]
    for user in users:
        certificate(session, user, chosen)


def trainer(session: Session, organization: Organization) -> User:
    from tests.factories import user

    return user(session, Role.TRAINER, organization=organization)


# --- coverage and reminders (appended) ---------------------------------------------------------------


def enrolment_only(
    session: Session, user: User, status: EnrolmentStatus, starts_on: date = VALID_FROM
) -> Enrolment:
    """An enrolment with no certificate (failed, still enrolled, withdrawn), on a session of its own."""
    shelf = _shelf(session, user)
    assessed = status in (EnrolmentStatus.PASSED, EnrolmentStatus.FAILED)
    run = TrainingSession(
        course_id=shelf.course_id,
        starts_on=starts_on,
        ends_on=starts_on,
        trainer_id=shelf.trainer_id,
        place="Hà Nội",
        capacity=500,
        status=(SessionStatus.COMPLETED if assessed else SessionStatus.PLANNED).value,
        created_at=WHEN,
    )
    session.add(run)
    session.flush()
    line = Enrolment(
        session_id=run.id,
        user_id=user.id,
        status=status.value,
        enrolled_at=WHEN,
        score=40 if status == EnrolmentStatus.FAILED else None,
        assessed_at=WHEN if assessed else None,
    )
    session.add(line)
    session.flush()
    return line


def expiring_in(
    session: Session, holder: User, groups: list[ProcedureGroup], today: date, days: int, **overrides: Any
) -> Certificate:
    """A certificate issued a year before `today` that expires `days` after it (negative: already expired)."""
    return certificate(
        session, holder, groups, today - timedelta(days=365), today + timedelta(days=days), **overrides
    )


# ---- helpers for the screen tests (appended) -----------------------------------------------------------


def enrolled(
    session: Session, actor: User, record: TrainingSession, *users: User, now: datetime
) -> list[Enrolment]:
    """Each user enrolled through the real service (seated while seats last, then waitlisted)."""
    from postal_hub.training.enrolment import enrol

    return [enrol(session, actor, record, u, now) for u in users]


def passed(session: Session, actor: User, record: TrainingSession, user: User, now: datetime) -> Enrolment:
    """A trainee enrolled, present every day of the session and scored 90: ready for a certificate."""
    from postal_hub.training.results import record_attendance, record_score

    (line,) = enrolled(session, actor, record, user, now=now)
    for day in record.days:
        record_attendance(session, actor, line, day, True, now)
    record_score(session, actor, line, 90, now)
    return line

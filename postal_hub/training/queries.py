"""Reads for the training screens, each eager-loading what its page shows (templates never query).

The certificate reads live in queries_certificates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from postal_hub.core.errors import NotFound
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.pagination import Page, paginate, search_filter
from postal_hub.core.procedures.models import Procedure, ProcedureGroup
from postal_hub.core.users.models import POSTAL_ROLES, Role, User
from postal_hub.training.access import (
    COURSE_ORG_KINDS,
    get_course,
    is_admin,
    runs_session,
    scope_sessions,
)
from postal_hub.training.models import Attendance, Course, Enrolment, TrainingSession
from postal_hub.training.status import SEATED, EnrolmentStatus, SessionStatus

STAFF_LIST_LIMIT = 200


def _session_list_options() -> list[Any]:
    return [
        joinedload(TrainingSession.course).joinedload(Course.organization),
        joinedload(TrainingSession.trainer),
        selectinload(TrainingSession.enrolments),
    ]


# ---- the hub ------------------------------------------------------------------------------------------


def my_enrolments(session: Session, user: User) -> list[Enrolment]:
    return list(
        session.scalars(
            sa.select(Enrolment)
            .join(Enrolment.session)
            .where(Enrolment.user_id == user.id)
            .options(
                joinedload(Enrolment.session).joinedload(TrainingSession.course),
                joinedload(Enrolment.session).joinedload(TrainingSession.trainer),
                joinedload(Enrolment.certificate),
            )
            .order_by(TrainingSession.starts_on.desc(), Enrolment.id.desc())
        ).unique()
    )


def upcoming_sessions(session: Session, actor: User, today: date, limit: int = 20) -> list[TrainingSession]:
    """Planned sessions not over yet; a trainer sees those of their organization and their own."""
    stmt = scope_sessions(
        actor,
        sa.select(TrainingSession)
        .join(TrainingSession.course)
        .where(
            TrainingSession.status == SessionStatus.PLANNED.value,
            TrainingSession.ends_on >= today,
        ),
    )
    if actor.has_role(Role.TRAINER):
        stmt = stmt.where(
            sa.or_(
                TrainingSession.trainer_id == actor.id,
                Course.organization_id == actor.organization_id,
            )
        )
    stmt = stmt.options(*_session_list_options()).order_by(TrainingSession.starts_on, TrainingSession.id)
    return list(session.scalars(stmt.limit(limit)).unique())


def seat_counts(record: TrainingSession) -> tuple[int, int]:
    """(seats taken, on the waiting list)."""
    seated = sum(1 for e in record.enrolments if EnrolmentStatus(e.status) in SEATED)
    waiting = sum(1 for e in record.enrolments if e.status == EnrolmentStatus.WAITLISTED)
    return seated, waiting


# ---- sessions -----------------------------------------------------------------------------------------

SESSION_WHEN = ("upcoming", "past", "all")


def sessions_page(
    session: Session,
    actor: User,
    when: str,
    course_id: int | None,
    today: date,
    page: int,
    per_page: int,
) -> Page[TrainingSession]:
    stmt = scope_sessions(actor, sa.select(TrainingSession))
    if when == "upcoming":
        stmt = stmt.where(TrainingSession.ends_on >= today).order_by(
            TrainingSession.starts_on, TrainingSession.id
        )
    elif when == "past":
        stmt = stmt.where(TrainingSession.ends_on < today).order_by(
            TrainingSession.starts_on.desc(), TrainingSession.id.desc()
        )
    else:
        stmt = stmt.order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc())
    if course_id is not None:
        stmt = stmt.where(TrainingSession.course_id == course_id)
    return paginate(session, stmt.options(*_session_list_options()), page, per_page)


def session_for_page(session: Session, actor: User, session_id: int) -> TrainingSession:
    """The session with its course, trainer and every line's trainee, attendance and certificate."""
    lines = selectinload(TrainingSession.enrolments)
    found = session.scalar(
        scope_sessions(
            actor,
            sa.select(TrainingSession)
            .where(TrainingSession.id == session_id)
            .options(
                joinedload(TrainingSession.course).selectinload(Course.groups),
                joinedload(TrainingSession.course).joinedload(Course.organization),
                joinedload(TrainingSession.trainer),
                lines.joinedload(Enrolment.user).joinedload(User.post_office),
                lines.joinedload(Enrolment.user).joinedload(User.organization),
                lines.selectinload(Enrolment.attendance),
                lines.selectinload(Enrolment.certificate),
            )
            .execution_options(populate_existing=True),
        )
    )
    if found is None:
        raise NotFound(str(_l("There is no such training session.")))
    return found


def visible_lines(actor: User, record: TrainingSession) -> list[Enrolment]:
    """The session's staff see everyone; a postal manager their own operator's staff; others themselves."""
    if runs_session(actor, record):
        return list(record.enrolments)
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return [e for e in record.enrolments if e.user.organization_id == actor.organization_id]
    return [e for e in record.enrolments if e.user_id == actor.id]


def eligible_staff(
    session: Session, actor: User, record: TrainingSession, q: str = ""
) -> tuple[list[User], bool]:
    """Active postal staff not already on the list (for a postal manager, their own operator's), matched
    by name, account or office code; and whether the list was cut short."""
    stmt = (
        sa.select(User)
        .outerjoin(PostOffice, PostOffice.id == User.post_office_id)
        .where(User.active.is_(True), User.role.in_([r.value for r in POSTAL_ROLES]))
    )
    if not runs_session(actor, record):
        if not actor.has_role(Role.POSTAL_MANAGER) or actor.organization_id is None:
            return [], False
        stmt = stmt.where(User.organization_id == actor.organization_id)
    taken = [e.user_id for e in record.enrolments if e.status != EnrolmentStatus.WITHDRAWN]
    if taken:
        stmt = stmt.where(User.id.not_in(taken))
    text = " ".join(q.split())[:80]
    if text:
        by_name = search_filter(User.search_key, text)
        by_office = sa.func.upper(PostOffice.code).startswith(text.upper(), autoescape=True)
        stmt = stmt.where(sa.or_(by_office, by_name) if by_name is not None else by_office)
    stmt = stmt.options(joinedload(User.post_office), joinedload(User.organization)).order_by(
        User.full_name, User.id
    )
    found = list(session.scalars(stmt.limit(STAFF_LIST_LIMIT + 1)).unique())
    return found[:STAFF_LIST_LIMIT], len(found) > STAFF_LIST_LIMIT


def attendance_marks(enrolment: Enrolment) -> dict[date, bool]:
    return {a.day: a.present for a in enrolment.attendance}


def find_attendance(enrolment: Enrolment, day: date) -> Attendance | None:
    return next((a for a in enrolment.attendance if a.day == day), None)


def user_names(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(sa.select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


# ---- catalogue ----------------------------------------------------------------------------------------


def groups_with_counts(session: Session) -> list[tuple[ProcedureGroup, int]]:
    procedures = (
        sa.select(sa.func.count(Procedure.id))
        .where(Procedure.group_id == ProcedureGroup.id)
        .correlate(ProcedureGroup)
        .scalar_subquery()
    )
    rows = session.execute(sa.select(ProcedureGroup, procedures).order_by(ProcedureGroup.code))
    return [(group, int(n or 0)) for group, n in rows]


def get_group(session: Session, group_id: int) -> ProcedureGroup:
    group = session.get(ProcedureGroup, group_id)
    if group is None:
        raise NotFound(str(_l("There is no such procedure group.")))
    return group


def group_procedures(session: Session, group: ProcedureGroup, limit: int = 50) -> list[Procedure]:
    return list(
        session.scalars(
            sa.select(Procedure).where(Procedure.group_id == group.id).order_by(Procedure.code).limit(limit)
        )
    )


def group_size(session: Session, group: ProcedureGroup) -> int:
    return int(
        session.scalar(sa.select(sa.func.count(Procedure.id)).where(Procedure.group_id == group.id)) or 0
    )


def procedure_fields(session: Session) -> list[tuple[str, int]]:
    """The distinct fields (lĩnh vực) of the catalogue, with how many procedures each holds."""
    rows = session.execute(
        sa.select(Procedure.field, sa.func.count(Procedure.id))
        .where(Procedure.field != "")
        .group_by(Procedure.field)
        .order_by(Procedure.field)
    )
    return [(name, int(n)) for name, n in rows]


def group_choices(session: Session, include: list[int] | None = None) -> list[tuple[int, str]]:
    """Active groups, plus any inactive one a course already covers (so an edit does not drop it)."""
    cond: sa.ColumnElement[bool] = ProcedureGroup.active.is_(True)
    if include:
        cond = sa.or_(cond, ProcedureGroup.id.in_(include))
    groups = session.scalars(sa.select(ProcedureGroup).where(cond).order_by(ProcedureGroup.code))
    return [(g.id, f"{g.code} · {g.name}") for g in groups]


def course_org_choices(session: Session, actor: User) -> list[tuple[int, str]]:
    """One-stop units and postal operators; a trainer only their own organization."""
    stmt = sa.select(Organization).where(
        Organization.kind.in_([k.value for k in COURSE_ORG_KINDS]), Organization.active.is_(True)
    )
    if not is_admin(actor):
        stmt = stmt.where(Organization.id == actor.organization_id)
    return [
        (o.id, o.name) for o in session.scalars(stmt.order_by(Organization.kind.desc(), Organization.name))
    ]


def course_organizations(session: Session) -> list[tuple[int, str]]:
    """The organizations that run at least one course (the course list's filter)."""
    stmt = (
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(Course.organization_id)))
        .order_by(Organization.name)
    )
    return [(i, n) for i, n in session.execute(stmt)]


def courses_page(
    session: Session, organization_id: int | None, active: str, page: int, per_page: int
) -> Page[Course]:
    stmt = sa.select(Course)
    if organization_id is not None:
        stmt = stmt.where(Course.organization_id == organization_id)
    if active in ("1", "0"):
        stmt = stmt.where(Course.active.is_(active == "1"))
    stmt = stmt.options(
        selectinload(Course.groups),
        joinedload(Course.organization),
    ).order_by(Course.code)
    return paginate(session, stmt, page, per_page)


def planned_counts(session: Session, course_ids: list[int]) -> dict[int, int]:
    """How many planned sessions each course has (the course list's column)."""
    if not course_ids:
        return {}
    rows = session.execute(
        sa.select(TrainingSession.course_id, sa.func.count(TrainingSession.id))
        .where(
            TrainingSession.course_id.in_(course_ids),
            TrainingSession.status == SessionStatus.PLANNED.value,
        )
        .group_by(TrainingSession.course_id)
    )
    return {course_id: int(n) for course_id, n in rows}


def course_for_page(session: Session, actor: User, course_id: int) -> Course:
    get_course(session, actor, course_id)  # unknown and not-yours both answer 404
    found = session.scalar(
        sa.select(Course)
        .where(Course.id == course_id)
        .options(
            selectinload(Course.groups),
            joinedload(Course.organization),
            selectinload(Course.sessions).options(
                joinedload(TrainingSession.trainer), selectinload(TrainingSession.enrolments)
            ),
        )
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


def trainer_choices(session: Session, course: Course, current: int | None = None) -> list[tuple[int, str]]:
    """Active trainers of the course's organization, and administrators (who may run a session too)."""
    cond = sa.or_(
        sa.and_(User.role == Role.TRAINER.value, User.organization_id == course.organization_id),
        User.role == Role.SYSTEM_ADMIN.value,
    )
    stmt = sa.select(User).where(User.active.is_(True), cond)
    if current is not None:
        stmt = sa.select(User).where(sa.or_(sa.and_(User.active.is_(True), cond), User.id == current))
    users = session.scalars(stmt.order_by(User.role.desc(), User.full_name))
    return [(u.id, f"{u.full_name} ({u.username})") for u in users]


def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id else None


def course_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(sa.select(Course.id, Course.code, Course.title).order_by(Course.code))
    return [(i, f"{code} · {title}") for i, code, title in rows]

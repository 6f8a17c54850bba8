"""Who may run which part of training, and the scoping helpers for sessions and certificates."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.errors import NotFound, PermissionDenied
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import POSTAL_ROLES, Role, User
from postal_hub.training.models import Certificate, Course, TrainingSession

S = TypeVar("S", bound=sa.Select[Any])

# Courses are run by a one-stop unit or by the operator's training centre.
COURSE_ORG_KINDS = (OrgKind.ONE_STOP_UNIT, OrgKind.POSTAL_OPERATOR)


def is_admin(actor: User) -> bool:
    return actor.has_role(Role.SYSTEM_ADMIN)


def can_manage_courses(actor: User) -> bool:
    return is_admin(actor) or (actor.has_role(Role.TRAINER) and actor.organization_id is not None)


def require_course_manager(actor: User, organization: Organization) -> None:
    """An administrator, or a trainer of the organization that runs the course."""
    if is_admin(actor):
        return
    if actor.has_role(Role.TRAINER) and actor.organization_id == organization.id:
        return
    raise PermissionDenied(str(_l("Only the trainers of %(org)s manage its courses.", org=organization.name)))


def runs_session(actor: User, session_obj: TrainingSession) -> bool:
    """The session's trainer, the trainers of the course's organization, or an administrator."""
    if is_admin(actor):
        return True
    if actor.id == session_obj.trainer_id:
        return True
    return actor.has_role(Role.TRAINER) and actor.organization_id == session_obj.course.organization_id


def require_runs_session(actor: User, session_obj: TrainingSession) -> None:
    if not runs_session(actor, session_obj):
        raise PermissionDenied(
            str(_l("Only the session's trainer records attendance, scores and certificates."))
        )


def may_enrol(actor: User, session_obj: TrainingSession, staff: User) -> bool:
    """The trainer enrols anyone; a postal manager enrols the staff of their own operator."""
    if runs_session(actor, session_obj):
        return True
    return (
        actor.has_role(Role.POSTAL_MANAGER)
        and actor.organization_id is not None
        and staff.organization_id == actor.organization_id
    )


def is_postal_staff(user: User) -> bool:
    return user.active and user.has_role(*POSTAL_ROLES)


def sees_training(actor: User) -> bool:
    return is_admin(actor) or actor.has_role(Role.TRAINER, Role.POSTAL_MANAGER, *POSTAL_ROLES)


def scope_sessions(actor: User, stmt: S) -> S:
    """Everyone in training sees the sessions on offer: staff to ask for a seat, managers to enrol."""
    if sees_training(actor):
        return stmt
    return stmt.where(sa.false())


def get_session(session: Session, actor: User, session_id: int) -> TrainingSession:
    found = session.scalar(
        scope_sessions(actor, sa.select(TrainingSession).where(TrainingSession.id == session_id))
    )
    if found is None:
        raise NotFound(str(_l("There is no such training session.")))
    return found


def get_course(session: Session, actor: User, course_id: int) -> Course:
    course = session.get(Course, course_id) if sees_training(actor) else None
    if course is None:
        raise NotFound(str(_l("There is no such course.")))
    return course


def scope_certificates(actor: User, stmt: S) -> S:
    """Administrators all; the issuing organization's trainers theirs; a postal manager the certificates of
    their operator's staff; anyone else their own."""
    if is_admin(actor):
        return stmt
    holder = sa.select(User.id).where(User.organization_id == actor.organization_id)
    if actor.has_role(Role.TRAINER) and actor.organization_id is not None:
        return stmt.where(
            sa.or_(Certificate.issuer_id == actor.organization_id, Certificate.holder_id.in_(holder))
        )
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(Certificate.holder_id.in_(holder))
    return stmt.where(Certificate.holder_id == actor.id)


def get_certificate(session: Session, actor: User, certificate_id: int) -> Certificate:
    found = session.scalar(
        scope_certificates(actor, sa.select(Certificate).where(Certificate.id == certificate_id))
    )
    if found is None:
        raise NotFound(str(_l("There is no such certificate, or it is not yours to see.")))
    return found


def may_revoke(actor: User, certificate: Certificate) -> bool:
    return is_admin(actor) or (
        actor.has_role(Role.TRAINER) and actor.organization_id == certificate.issuer_id
    )

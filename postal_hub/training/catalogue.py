"""Procedure groups and courses: what a certificate covers and what leads to one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import Conflict
from postal_hub.core.orgs.models import Organization
from postal_hub.core.permissions import require_admin
from postal_hub.core.procedures.models import Procedure, ProcedureGroup
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.access import COURSE_ORG_KINDS, require_course_manager
from postal_hub.training.models import Course

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")


@dataclass
class GroupInput:
    code: str
    name: str
    description: str = ""


def save_group(
    session: Session, actor: User, data: GroupInput, now: datetime, group: ProcedureGroup | None = None
) -> ProcedureGroup:
    require_admin(actor)
    errors = FieldErrors()
    code = (data.code or "").strip().upper()
    if not _CODE.match(code) or len(code) > 16:
        errors.add("code", _l("Give the group a short code of letters and digits, such as HT."))
    name = errors.require("name", data.name)
    description = errors.optional_text("description", data.description, 2000)
    if "code" not in errors.errors:
        clash = session.scalar(sa.select(ProcedureGroup.id).where(ProcedureGroup.code == code))
        if clash is not None and (group is None or clash != group.id):
            errors.add("code", _l("Another group already uses this code."))
    errors.raise_if_any()
    if group is None:
        group = ProcedureGroup(created_at=now, active=True)
        session.add(group)
    group.code, group.name, group.description = code, name, description
    session.flush()
    audit.record(
        session, actor.id, "procedure_group.saved", "procedure_group", group.id, {"code": code}, at=now
    )
    return group


def assign_field(session: Session, actor: User, group: ProcedureGroup, field_name: str, now: datetime) -> int:
    """Every procedure of one field (lĩnh vực) joins the group: how a catalogue of thousands gets grouped."""
    require_admin(actor)
    text = " ".join((field_name or "").split())
    if not text:
        errors = FieldErrors()
        errors.add("field", _l("Choose a field."))
        errors.raise_if_any()
    procedures = list(session.scalars(sa.select(Procedure).where(Procedure.field == text)))
    for procedure in procedures:
        procedure.group_id = group.id
    session.flush()
    audit.record(
        session,
        actor.id,
        "procedure_group.field_assigned",
        "procedure_group",
        group.id,
        {"field": text, "procedures": len(procedures)},
        at=now,
    )
    return len(procedures)


@dataclass
class CourseInput:
    code: str
    title: str
    organization_id: int | None
    duration_hours: int | None
    pass_mark: int | None
    validity_months: int | None
    min_attendance: int | None = 80
    outline: str = ""
    group_ids: list[int] = field(default_factory=list)


def save_course(
    session: Session, actor: User, data: CourseInput, now: datetime, course: Course | None = None
) -> Course:
    """A course names the groups its certificate covers, its pass mark, attendance rule and validity."""
    errors = FieldErrors()
    code = (data.code or "").strip().upper()
    if not _CODE.match(code):
        errors.add("code", _l("Give the course a short code of letters and digits, such as DT-HT-01."))
    title = errors.require("title", data.title)
    outline = errors.optional_text("outline", data.outline, 10000)
    organization = session.get(Organization, data.organization_id) if data.organization_id else None
    if organization is None or organization.kind not in {k.value for k in COURSE_ORG_KINDS}:
        errors.add("organization_id", _l("Choose the one-stop unit or postal operator that runs the course."))
    for name, value, low, high, message in (
        ("duration_hours", data.duration_hours, 1, 1000, _l("The duration is 1 to 1000 hours.")),
        ("pass_mark", data.pass_mark, 0, 100, _l("The pass mark is a score from 0 to 100.")),
        ("min_attendance", data.min_attendance, 0, 100, _l("The attendance rule is 0 to 100 percent.")),
        ("validity_months", data.validity_months, 1, 120, _l("A certificate is valid 1 to 120 months.")),
    ):
        if value is None or not low <= value <= high:
            errors.add(name, message)
    kept = [g.id for g in course.groups] if course is not None else []
    groups = list(
        session.scalars(
            sa.select(ProcedureGroup).where(
                ProcedureGroup.id.in_(data.group_ids),
                sa.or_(ProcedureGroup.active.is_(True), ProcedureGroup.id.in_(kept)),
            )
        )
    )
    if not groups or len(groups) != len(set(data.group_ids)):
        errors.add("group_ids", _l("Choose at least one active procedure group the certificate covers."))
    if "code" not in errors.errors:
        clash = session.scalar(sa.select(Course.id).where(Course.code == code))
        if clash is not None and (course is None or clash != course.id):
            errors.add("code", _l("Another course already uses this code."))
    errors.raise_if_any()
    assert organization is not None
    require_course_manager(actor, organization)
    if course is not None:
        require_course_manager(actor, course.organization)
    else:
        course = Course(created_at=now, created_by_id=actor.id, active=True)
        session.add(course)
    course.code, course.title, course.outline = code, title, outline
    course.organization_id = organization.id
    course.duration_hours = data.duration_hours  # type: ignore[assignment]
    course.pass_mark = data.pass_mark  # type: ignore[assignment]
    course.min_attendance = data.min_attendance  # type: ignore[assignment]
    course.validity_months = data.validity_months  # type: ignore[assignment]
    course.groups = groups
    session.flush()
    audit.record(
        session,
        actor.id,
        "course.saved",
        "course",
        course.id,
        {"code": code, "groups": [g.code for g in groups]},
        at=now,
    )
    return course


def set_group_active(
    session: Session, actor: User, group: ProcedureGroup, active: bool, now: datetime
) -> None:
    """An inactive group is offered to no new course or procedure; certificates already covering it stay."""
    require_admin(actor)
    if not active:
        left = session.scalar(
            sa.select(sa.func.count()).where(Procedure.group_id == group.id, Procedure.active.is_(True))
        )
        if left:
            raise Conflict(
                str(
                    _l(
                        "%(n)d active procedures are still in this group: move them to another group first.",
                        n=left,
                    )
                )
            )
    group.active = active
    session.flush()
    audit.record(
        session,
        actor.id,
        "procedure_group.activated" if active else "procedure_group.deactivated",
        "procedure_group",
        group.id,
        at=now,
    )


def set_course_active(session: Session, actor: User, course: Course, active: bool, now: datetime) -> None:
    """An inactive course takes no new session; its past sessions and certificates are kept."""
    require_course_manager(actor, course.organization)
    course.active = active
    session.flush()
    audit.record(
        session, actor.id, "course.activated" if active else "course.deactivated", "course", course.id, at=now
    )

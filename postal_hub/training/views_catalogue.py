"""The training catalogue: procedure groups (administrators), courses and their sessions (trainers)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError
from postal_hub.core.pagination import parse_page, record_number
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.forms_i18n import BaseForm
from postal_hub.services import clock
from postal_hub.training import queries
from postal_hub.training.access import can_manage_courses, require_course_manager
from postal_hub.training.blueprint import bp
from postal_hub.training.catalogue import (
    CourseInput,
    GroupInput,
    assign_field,
    save_course,
    save_group,
    set_course_active,
    set_group_active,
)
from postal_hub.training.forms import AssignFieldForm, CourseForm, GroupForm, SessionForm
from postal_hub.training.models import Course, TrainingSession
from postal_hub.training.sessions import SessionInput, save_session
from postal_hub.training.status import SESSION_STATUS_LABELS, SessionStatus
from postal_hub.training.views_sessions import ORGANIZERS, refuse, today
from postal_hub.web_helpers import apply_errors, toggle_active


def _report(exc: DomainError, form: GroupForm | CourseForm | SessionForm | AssignFieldForm) -> None:
    refuse(exc)
    apply_errors(form, exc.fields)


# ---- procedure groups ---------------------------------------------------------------------------------


@bp.get("/training/groups")
@roles_required(Role.SYSTEM_ADMIN)
def groups() -> str:
    return render_template("training/group_list.html", rows=queries.groups_with_counts(db.session))


def _group_form(group: ProcedureGroup | None) -> str | Response:
    form = GroupForm(obj=group) if request.method == "GET" else GroupForm()
    if form.validate_on_submit():
        data = GroupInput(form.code.data or "", form.name.data or "", form.description.data or "")
        try:
            saved = save_group(db.session, current_user, data, clock().now(), group)
        except DomainError as exc:
            _report(exc, form)
        else:
            db.session.commit()
            flash(_("Procedure group %(code)s saved.", code=saved.code), "success")
            return redirect(url_for("training.group_edit", group_id=saved.id))
    assign = AssignFieldForm()
    assign.field.choices = [("", "—"), *((n, f"{n} ({c})") for n, c in queries.procedure_fields(db.session))]
    return render_template(
        "training/group_form.html",
        form=form,
        confirm=BaseForm(),
        group=group,
        assign=assign,
        procedures=queries.group_procedures(db.session, group) if group else [],
        count=queries.group_size(db.session, group) if group else 0,
    )


@bp.route("/training/groups/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def group_new() -> str | Response:
    return _group_form(None)


@bp.route("/training/groups/<int:group_id>", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def group_edit(group_id: int) -> str | Response:
    return _group_form(queries.get_group(db.session, group_id))


@bp.post("/training/groups/<int:group_id>/assign-field")
@roles_required(Role.SYSTEM_ADMIN)
def group_assign_field(group_id: int) -> Response:
    group = queries.get_group(db.session, group_id)
    form = AssignFieldForm()
    form.field.choices = []
    if form.validate_on_submit():
        try:
            n = assign_field(db.session, current_user, group, form.field.data or "", clock().now())
        except DomainError as exc:
            refuse(exc)
            for message in exc.fields.values():
                flash(message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(n)d procedures of the field “%(field)s” are now in the group %(code)s.",
                    n=n,
                    field=form.field.data,
                    code=group.code,
                ),
                "success",
            )
    return redirect(url_for("training.group_edit", group_id=group.id) + "#assign")


# ---- courses ------------------------------------------------------------------------------------------


@bp.get("/training/courses")
@roles_required(*ORGANIZERS)
def courses() -> str:
    organization_id = record_number(request.args.get("organization"))
    active = request.args.get("active", "1")
    active = active if active in ("1", "0", "all") else "1"
    page = queries.courses_page(
        db.session,
        organization_id,
        active,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "training/course_list.html",
        page=page,
        planned=queries.planned_counts(db.session, [c.id for c in page.items]),
        organizations=queries.course_organizations(db.session),
        organization_id=organization_id,
        active=active,
        args={k: v for k, v in {"organization": organization_id, "active": active}.items() if v},
        can_create=can_manage_courses(current_user),
    )


def _course_form(course: Course | None) -> str | Response:
    if not can_manage_courses(current_user):
        abort(403)
    if course is not None:
        require_course_manager(current_user, course.organization)
    form = CourseForm(obj=course) if request.method == "GET" else CourseForm()
    if request.method == "GET" and course is not None:
        form.group_ids.data = [g.id for g in course.groups]
    form.organization_id.choices = [("", "—"), *queries.course_org_choices(db.session, current_user)]
    if course is None and request.method == "GET" and len(form.organization_id.choices) == 2:
        form.organization_id.data = form.organization_id.choices[1][0]
    form.group_ids.choices = queries.group_choices(
        db.session, [g.id for g in course.groups] if course else []
    )
    if form.validate_on_submit():
        data = CourseInput(
            code=form.code.data or "",
            title=form.title.data or "",
            organization_id=form.organization_id.data,
            duration_hours=form.duration_hours.data,
            pass_mark=form.pass_mark.data,
            validity_months=form.validity_months.data,
            min_attendance=form.min_attendance.data,
            outline=form.outline.data or "",
            group_ids=list(form.group_ids.data or []),
        )
        try:
            saved = save_course(db.session, current_user, data, clock().now(), course)
        except DomainError as exc:
            _report(exc, form)
        else:
            db.session.commit()
            flash(_("Course %(code)s saved.", code=saved.code), "success")
            return redirect(url_for("training.course_page", course_id=saved.id))
    elif request.method == "GET" and course is None:
        form.min_attendance.data = 80
    return render_template("training/course_form.html", form=form, course=course)


@bp.route("/training/courses/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def course_new() -> str | Response:
    return _course_form(None)


@bp.route("/training/courses/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def course_edit(course_id: int) -> str | Response:
    return _course_form(queries.course_for_page(db.session, current_user, course_id))


@bp.get("/training/courses/<int:course_id>")
@roles_required(*ORGANIZERS)
def course_page(course_id: int) -> str:
    course = queries.course_for_page(db.session, current_user, course_id)
    try:
        require_course_manager(current_user, course.organization)
        manages = True
    except DomainError:
        manages = False
    return render_template(
        "training/course_page.html",
        course=course,
        confirm=BaseForm(),
        rows=[(s, *queries.seat_counts(s)) for s in course.sessions],
        manages=manages,
        today=today(),
        statuses=SESSION_STATUS_LABELS,
    )


# ---- sessions of a course -----------------------------------------------------------------------------


def _session_form(course: Course, record: TrainingSession | None) -> str | Response:
    require_course_manager(current_user, course.organization)
    if record is not None and record.status != SessionStatus.PLANNED:
        flash(_("Only a planned session can be changed."), "error")
        return redirect(url_for("training.session_page", session_id=record.id))
    form = SessionForm(obj=record) if request.method == "GET" else SessionForm()
    form.trainer_id.choices = [
        ("", "—"),
        *queries.trainer_choices(db.session, course, record.trainer_id if record else None),
    ]
    if request.method == "GET" and record is None:
        form.trainer_id.data = current_user.id
    if form.validate_on_submit():
        data = SessionInput(
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            trainer_id=form.trainer_id.data,
            capacity=form.capacity.data,
            place=form.place.data or "",
            online_url=form.online_url.data or "",
            note=form.note.data or "",
        )
        try:
            saved = save_session(db.session, current_user, course, data, clock().now(), record)
        except DomainError as exc:
            _report(exc, form)
        else:
            db.session.commit()
            flash(
                _(
                    "Session of %(first)s – %(last)s saved.",
                    first=saved.starts_on.strftime("%d/%m/%Y"),
                    last=saved.ends_on.strftime("%d/%m/%Y"),
                ),
                "success",
            )
            return redirect(url_for("training.session_page", session_id=saved.id))
    return render_template("training/session_form.html", form=form, course=course, record=record)


@bp.route("/training/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_new(course_id: int) -> str | Response:
    return _session_form(queries.course_for_page(db.session, current_user, course_id), None)


@bp.route("/training/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_edit(session_id: int) -> str | Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    return _session_form(record.course, record)


@bp.post("/training/groups/<int:group_id>/active")
@roles_required(Role.SYSTEM_ADMIN)
def group_active(group_id: int) -> Response:
    group = queries.get_group(db.session, group_id)
    return toggle_active(
        group.code,
        lambda active: set_group_active(db.session, current_user, group, active, clock().now()),
        url_for("training.group_edit", group_id=group.id),
    )


@bp.post("/training/courses/<int:course_id>/active")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def course_active(course_id: int) -> Response:
    course = queries.course_for_page(db.session, current_user, course_id)
    return toggle_active(
        course.code,
        lambda active: set_course_active(db.session, current_user, course, active, clock().now()),
        url_for("training.course_page", course_id=course.id),
    )

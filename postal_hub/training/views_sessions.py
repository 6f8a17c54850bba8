"""The training hub, the session list and the session page (its actions live in views_roster)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError, NotFound, PermissionDenied
from postal_hub.core.pagination import parse_page, record_number
from postal_hub.core.users.models import ROLE_LABELS, Role, User
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.training import queries, queries_certificates
from postal_hub.training.access import is_admin, may_enrol, require_course_manager, runs_session
from postal_hub.training.blueprint import bp
from postal_hub.training.forms import ConfirmForm, EnrolForm, ReasonForm
from postal_hub.training.models import Enrolment, TrainingSession
from postal_hub.training.results import attendance_percent, passes
from postal_hub.training.status import (
    ENROLMENT_STATUS_LABELS,
    SEATED,
    SESSION_STATUS_LABELS,
    EnrolmentStatus,
    SessionStatus,
)

# Everyone the main navigation sends here; staff see their own certificates and enrolments.
HUB = (Role.SYSTEM_ADMIN, Role.TRAINER, Role.POSTAL_MANAGER, Role.POSTAL_CLERK, Role.POSTMAN)
# Those who plan, enrol or run: trainers, postal managers and administrators.
ORGANIZERS = (Role.SYSTEM_ADMIN, Role.TRAINER, Role.POSTAL_MANAGER)


def today() -> date:
    return to_local(clock().now()).date()


def refuse(exc: DomainError) -> None:
    """A forged or stale request (not allowed, not there) answers 403/404; anything else is the user's to
    correct: undo the attempt and say what was wrong."""
    if isinstance(exc, (PermissionDenied, NotFound)):
        raise exc
    db.session.rollback()
    flash(exc.message, "error")


def manages_course(actor: User, record: TrainingSession) -> bool:
    try:
        require_course_manager(actor, record.course.organization)
    except PermissionDenied:
        return False
    return True


def staff_label(user: User) -> str:
    where = (
        user.post_office.code if user.post_office else (user.organization.name if user.organization else "")
    )
    return f"{user.full_name} · {ROLE_LABELS[Role(user.role)]}" + (f" · {where}" if where else "")


@bp.get("/training")
@roles_required(*HUB)
def index() -> str:
    day = today()
    organizer = current_user.has_role(*ORGANIZERS)
    upcoming = queries.upcoming_sessions(db.session, current_user, day) if organizer else []
    views = current_app.view_functions
    return render_template(
        "training/index.html",
        today=day,
        certificates=queries_certificates.my_certificates(db.session, current_user),
        enrolments=queries.my_enrolments(db.session, current_user),
        upcoming=[(s, *queries.seat_counts(s)) for s in upcoming],
        organizer=organizer,
        is_admin=is_admin(current_user),
        has_coverage="training.coverage" in views,
        has_gate="training.gate" in views and is_admin(current_user),
        state_of=queries_certificates.certificate_state,
        states=queries_certificates.CERTIFICATE_STATE_LABELS,
        enrolment_statuses=ENROLMENT_STATUS_LABELS,
        session_statuses=SESSION_STATUS_LABELS,
    )


@bp.get("/training/sessions")
@roles_required(*HUB)
def sessions() -> str:
    when = request.args.get("when", "upcoming")
    when = when if when in queries.SESSION_WHEN else "upcoming"
    course_id = record_number(request.args.get("course"))
    page = queries.sessions_page(
        db.session,
        current_user,
        when,
        course_id,
        today(),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "training/session_list.html",
        page=page,
        rows=[(s, *queries.seat_counts(s)) for s in page.items],
        when=when,
        course_id=course_id,
        courses=queries.course_choices(db.session),
        args={k: v for k, v in {"when": when, "course": course_id}.items() if v},
        statuses=SESSION_STATUS_LABELS,
    )


def _line(
    record: TrainingSession, line: Enrolment, day: date, posted: dict[tuple[int, date], bool] | None
) -> dict[str, Any]:
    percent = attendance_percent(line)
    marks = queries.attendance_marks(line)
    if posted is not None:
        marks = {**marks, **{d: v for (eid, d), v in posted.items() if eid == line.id}}
    return {
        "e": line,
        "marks": marks,
        "percent": percent,
        "passed": None if line.score is None else passes(record.course, line.score, percent),
        "locked": line.certificate is not None or record.status != SessionStatus.PLANNED,
    }


def render_session(
    record: TrainingSession,
    status: int = 200,
    *,
    score_errors: dict[str, str] | None = None,
    score_values: dict[str, str] | None = None,
    posted_marks: dict[tuple[int, date], bool] | None = None,
    cancel_form: ReasonForm | None = None,
) -> tuple[str, int]:
    actor = current_user
    day = today()
    runs = runs_session(actor, record)
    planned = record.status == SessionStatus.PLANNED
    lines = queries.visible_lines(actor, record)
    seated = [e for e in lines if EnrolmentStatus(e.status) in SEATED]
    waiting = sorted(
        (e for e in lines if e.status == EnrolmentStatus.WAITLISTED), key=lambda e: (e.enrolled_at, e.id)
    )
    can_enrol = planned and (
        runs or (actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None)
    )
    q = request.args.get("q", "")[:80]
    candidates, truncated = queries.eligible_staff(db.session, actor, record, q) if can_enrol else ([], False)
    enrol_form = EnrolForm()
    enrol_form.user_id.choices = [("", "—"), *((u.id, staff_label(u)) for u in candidates)]
    taken, waiting_count = queries.seat_counts(record)
    page = render_template(
        "training/session_page.html",
        record=record,
        course=record.course,
        today=day,
        runs=runs,
        planned=planned,
        manages=manages_course(actor, record),
        seated=[_line(record, e, day, posted_marks) for e in seated],
        waiting=waiting,
        withdrawn=[e for e in lines if e.status == EnrolmentStatus.WITHDRAWN],
        may_withdraw={e.id for e in lines if planned and may_enrol(actor, record, e.user)},
        taken=taken,
        waiting_count=waiting_count,
        can_enrol=can_enrol,
        enrol_form=enrol_form,
        q=q,
        truncated=truncated,
        cancel_form=cancel_form or ReasonForm(),
        confirm=ConfirmForm(),
        score_errors=score_errors or {},
        score_values=score_values or {},
        # A cancelled session issues nothing, even to a trainee assessed before it was called off.
        can_issue=runs and record.status != SessionStatus.CANCELLED,
        to_issue=[
            e
            for e in seated
            if e.status == EnrolmentStatus.PASSED
            and e.certificate is None
            and record.status != SessionStatus.CANCELLED
        ],
        statuses=SESSION_STATUS_LABELS,
        enrolment_statuses=ENROLMENT_STATUS_LABELS,
        own_only=not runs and not actor.has_role(Role.POSTAL_MANAGER),
    )
    return page, status


@bp.get("/training/sessions/<int:session_id>")
@roles_required(*HUB)
def session_page(session_id: int) -> tuple[str, int]:
    return render_session(queries.session_for_page(db.session, current_user, session_id))


def _checked_form() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _back(record: TrainingSession, anchor: str = "") -> Response:
    return redirect(url_for("training.session_page", session_id=record.id) + anchor)

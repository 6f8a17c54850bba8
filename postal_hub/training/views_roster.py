"""The session screen's actions: enrolment, withdrawal, attendance, scores, completion, cancellation."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError, NotFound, PermissionDenied
from postal_hub.core.pagination import is_number, record_number
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.training import queries
from postal_hub.training.access import runs_session
from postal_hub.training.blueprint import bp
from postal_hub.training.enrolment import enrol, get_enrolment, withdraw
from postal_hub.training.forms import EnrolForm, ReasonForm
from postal_hub.training.models import Enrolment, TrainingSession
from postal_hub.training.results import record_attendance, record_score
from postal_hub.training.sessions import set_session_status
from postal_hub.training.status import SEATED, EnrolmentStatus, SessionStatus
from postal_hub.training.views_sessions import ORGANIZERS, _back, _checked_form, refuse, render_session
from postal_hub.web_helpers import apply_errors


@bp.post("/training/sessions/<int:session_id>/enrol")
@roles_required(*ORGANIZERS)
def session_enrol(session_id: int) -> Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    form = EnrolForm()
    form.user_id.choices = []
    if not form.validate_on_submit():
        flash(_("Choose a staff member from the list."), "error")
        return _back(record, "#enrol")
    staff = queries.get_user(db.session, form.user_id.data)
    if staff is None:
        flash(_("Choose a staff member from the list."), "error")
        return _back(record, "#enrol")
    try:
        line = enrol(db.session, current_user, record, staff, clock().now())
    except DomainError as exc:
        refuse(exc)
        return _back(record, "#enrol")
    db.session.commit()
    if line.status == EnrolmentStatus.WAITLISTED:
        position = sum(1 for e in record.enrolments if e.status == EnrolmentStatus.WAITLISTED)
        flash(
            _(
                "The session is full: %(name)s is on the waiting list (number %(n)d) and gets a seat "
                "when one frees up.",
                name=staff.full_name,
                n=position,
            ),
            "info",
        )
    else:
        flash(_("%(name)s is enrolled.", name=staff.full_name), "success")
    return _back(record, "#roster")


@bp.post("/training/sessions/<int:session_id>/enrolments/<int:enrolment_id>/withdraw")
@roles_required(*ORGANIZERS)
def session_withdraw(session_id: int, enrolment_id: int) -> Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    _checked_form()
    line = get_enrolment(record, enrolment_id)
    name = line.user.full_name
    try:
        promoted = withdraw(db.session, current_user, line, clock().now())
    except DomainError as exc:
        refuse(exc)
        return _back(record, "#roster")
    db.session.commit()
    flash(_("%(name)s is withdrawn.", name=name), "success")
    if promoted is not None:
        flash(_("%(name)s takes the freed seat from the waiting list.", name=promoted.user.full_name), "info")
    return _back(record, "#roster")


def _posted_marks(record: TrainingSession) -> list[tuple[Enrolment, str, date | None, bool]]:
    """The grid's cells as sent: (line, the day as typed, the day, present)."""
    cells = []
    for cell in request.form.getlist("cell"):
        line_text, _sep, day_text = cell.partition(":")
        line_id = record_number(line_text)
        if line_id is None:
            abort(400)
        try:
            day: date | None = date.fromisoformat(day_text)
        except ValueError:
            day = None
        cells.append(
            (get_enrolment(record, line_id), day_text, day, f"att-{line_id}-{day_text}" in request.form)
        )
    return cells


@bp.post("/training/sessions/<int:session_id>/attendance")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_attendance(session_id: int) -> tuple[str, int] | Response:
    """The whole grid in one go: every changed cell is recorded, or none is."""
    record = queries.session_for_page(db.session, current_user, session_id)
    if not runs_session(current_user, record):
        abort(403)
    _checked_form()
    cells = _posted_marks(record)
    now, changed = clock().now(), 0
    for line, day_text, day, present in cells:
        mark = queries.find_attendance(line, day) if day else None
        if (mark is None and not present) or (mark is not None and mark.present == present):
            continue
        try:
            record_attendance(db.session, current_user, line, day, present, now)
        except DomainError as exc:
            if isinstance(exc, (PermissionDenied, NotFound)):
                raise
            name, shown = line.user.full_name, day.strftime("%d/%m/%Y") if day else day_text
            db.session.rollback()
            problem = "; ".join(exc.fields.values()) or exc.message
            flash(
                _(
                    "Nothing was saved. %(name)s, %(day)s: %(problem)s",
                    name=name,
                    day=shown,
                    problem=problem,
                ),
                "error",
            )
            posted = {(c[0].id, c[2]): c[3] for c in cells if c[2] is not None}
            fresh = queries.session_for_page(db.session, current_user, session_id)
            return render_session(fresh, 422, posted_marks=posted)
        changed += 1
    db.session.commit()
    if changed:
        flash(
            ngettext(
                "Attendance saved (%(num)d mark changed).",
                "Attendance saved (%(num)d marks changed).",
                changed,
            ),
            "success",
        )
    else:
        flash(_("Nothing changed in the attendance."), "info")
    return _back(record, "#attendance")


@bp.post("/training/sessions/<int:session_id>/scores")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_scores(session_id: int) -> tuple[str, int] | Response:
    """Every score typed is recorded, or none is; each problem is shown on its trainee's field."""
    record = queries.session_for_page(db.session, current_user, session_id)
    if not runs_session(current_user, record):
        abort(403)
    _checked_form()
    now, errors, values, changed = clock().now(), {}, {}, 0
    for line in record.enrolments:
        name = f"score-{line.id}"
        if name not in request.form or EnrolmentStatus(line.status) not in SEATED or line.certificate:
            continue
        raw = request.form.get(name, "").strip()
        values[name] = raw
        if not raw:
            continue
        score = int(raw) if is_number(raw) and len(raw) <= 3 else None
        if score is not None and score == line.score:
            continue
        try:
            record_score(db.session, current_user, line, score, now)
            changed += 1
        except DomainError as exc:
            if isinstance(exc, (PermissionDenied, NotFound)):
                raise
            errors.update(exc.fields or {name: exc.message})
    if errors:
        db.session.rollback()
        flash(_("Nothing was saved: correct the scores marked below."), "error")
        fresh = queries.session_for_page(db.session, current_user, session_id)
        return render_session(fresh, 422, score_errors=errors, score_values=values)
    db.session.commit()
    if changed:
        flash(ngettext("%(num)d score saved.", "%(num)d scores saved.", changed), "success")
    else:
        flash(_("No score changed."), "info")
    return _back(record, "#results")


@bp.post("/training/sessions/<int:session_id>/complete")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_complete(session_id: int) -> Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    _checked_form()
    try:
        set_session_status(db.session, current_user, record, SessionStatus.COMPLETED, clock().now())
    except DomainError as exc:
        refuse(exc)
        return _back(record)
    db.session.commit()
    flash(_("The session is completed: its results are final."), "success")
    return _back(record)


@bp.post("/training/sessions/<int:session_id>/cancel")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_cancel(session_id: int) -> tuple[str, int] | Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Please correct the fields marked below."), "error")
        return render_session(record, 422, cancel_form=form)
    try:
        set_session_status(
            db.session, current_user, record, SessionStatus.CANCELLED, clock().now(), form.reason.data or ""
        )
    except DomainError as exc:
        refuse(exc)
        apply_errors(form, exc.fields)
        fresh = queries.session_for_page(db.session, current_user, session_id)
        return render_session(fresh, 422, cancel_form=form)
    db.session.commit()
    flash(_("The session is cancelled; everyone on its list is withdrawn."), "success")
    return _back(record)

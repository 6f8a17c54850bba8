"""The postal manager's delivery runs and the postman's start of the run.

The pages themselves are the pickup dispatch page and route sheets (`pickup.views_staff`), which list
the day's results beside the pickups; these are the actions their forms post to.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.users.models import Role, User
from postal_hub.delivery import runs
from postal_hub.delivery.blueprint import bp
from postal_hub.extensions import db
from postal_hub.forms_i18n import BaseForm
from postal_hub.pickup import queries
from postal_hub.services import clock
from postal_hub.web_helpers import optional_int

DISPATCHERS = (Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)


class RunAssignForm(BaseForm):
    # The service decides who may take a result: a tampered id gets its message, not WTForms'.
    postman_id = SelectField(_l("Postman"), validate_choice=False)
    date = HiddenField()  # the day on the dispatch page: the day a result without one goes out


class RunForm(BaseForm):
    date = HiddenField()


def _day(text: str | None, fallback: date) -> date:
    if not text:
        return fallback
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        abort(400)


def _today() -> date:
    return to_local(clock().now()).date()


@bp.post("/deliveries/<code>/assign")
@roles_required(*DISPATCHERS)
def assign_delivery(code: str) -> Response:
    delivery = runs.dispatch_delivery(db.session, current_user, code)
    office_id, code = delivery.office_id, delivery.dossier.code
    form = RunAssignForm()
    if not form.validate_on_submit():
        abort(400)
    page_day = _day(form.date.data, delivery.day or _today())
    back = url_for("pickup.dispatch", office=office_id, date=page_day.isoformat()) + f"#delivery-{code}"
    refused = _("%(code)s: the postman is not a postman of this office.", code=code)
    try:
        postman_id = optional_int(form.postman_id.data)
    except ValueError:
        flash(refused, "error")
        return redirect(back)
    postman: User | None = None
    if postman_id is not None:
        postman = queries.user_by_id(db.session, postman_id)
        if postman is None:
            flash(refused, "error")
            return redirect(back)
    try:
        runs.assign(db.session, current_user, delivery, postman, clock().now(), day=page_day)
    except DomainError as exc:
        db.session.rollback()
        field_problem = exc.fields.get("postman_id")
        flash(f"{code}: {field_problem}" if field_problem else exc.message, "error")
        return redirect(back)
    message = (
        _("The result of %(code)s is on %(name)s's run.", code=code, name=postman.full_name)
        if postman
        else _("The result of %(code)s is back in the office's pool.", code=code)
    )
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _back_to_my_route() -> Response:
    return redirect(url_for("pickup.my_route"))


@bp.post("/deliveries/run/start")
@roles_required(Role.POSTMAN)
def start_run() -> Response:
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        taken = runs.start_run(db.session, current_user, _day(form.date.data, _today()), clock().now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back_to_my_route()
    db.session.commit()
    if taken:
        flash(
            ngettext(
                "You are out with %(num)d result; the citizen has been sent the handover code.",
                "You are out with %(num)d results; the citizens have been sent their handover codes.",
                len(taken),
            ),
            "success",
        )
    else:
        flash(_("No result is waiting on your run today."), "info")
    return _back_to_my_route()


@bp.post("/deliveries/<code>/take-out")
@roles_required(Role.POSTMAN)
def take_out(code: str) -> Response:
    delivery = runs.office_delivery(db.session, current_user, code)
    code = delivery.dossier.code
    if not RunForm().validate_on_submit():
        abort(400)
    try:
        runs.take_out(db.session, current_user, delivery, clock().now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back_to_my_route()
    db.session.commit()
    flash(
        _("The result of %(code)s is out with you; the citizen has been sent the code.", code=code), "success"
    )
    return redirect(url_for("pickup.my_route") + f"#delivery-{code}")

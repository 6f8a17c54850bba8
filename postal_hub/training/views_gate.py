"""The gate's switch: an administrator turns the certification check off or on, with a reason, and
reads the log of every dossier let through while it was off."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.training.blueprint import bp
from postal_hub.training.forms_ops import GateForm
from postal_hub.training.gate import GateAction, switch
from postal_hub.training.gate_log import gate_status, override_log
from postal_hub.web_helpers import apply_errors, list_args, list_request

# What was let through, as a column of the log (the gate's own labels are phrased for its refusals).
ACTION_LABELS = {
    GateAction.COUNTER.value: _l("Counter acceptance"),
    GateAction.PICKUP.value: _l("Home pickup"),
    GateAction.DIGITIZATION.value: _l("Digitization"),
}
TARGETS = {"on": True, "off": False}


@bp.route("/training/gate", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def gate() -> str | Response:
    form = GateForm()
    if form.validate_on_submit():
        if form.target.data not in TARGETS:
            abort(400)
        on = TARGETS[form.target.data]
        try:
            switch(db.session, current_user, on, form.reason.data or "", clock().now())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
        else:
            message = (
                _("The gate is on: only certified staff accept, pick up and digitize dossiers.")
                if on
                else _("The gate is off: uncertified staff are let through, and each time is logged.")
            )
            flash(message, "success" if on else "info")
            return redirect(url_for("training.gate"))
    status = gate_status(db.session)
    form.target.data = "off" if status.on else "on"  # the one button offers the other state
    lr = list_request()
    return render_template(
        "training/gate.html",
        form=form,
        status=status,
        log=override_log(db.session, lr.page, lr.per_page),
        args=list_args(),
        actions=ACTION_LABELS,
    )

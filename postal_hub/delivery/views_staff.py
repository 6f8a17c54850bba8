"""The unit's and the office's result screens: result ready, what is waiting, returns."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError
from postal_hub.core.pagination import parse_page
from postal_hub.core.users.models import Role
from postal_hub.delivery import queries
from postal_hub.delivery.blueprint import bp
from postal_hub.delivery.forms import ResultReadyForm
from postal_hub.delivery.ready import ResultReady, mark_result_ready
from postal_hub.delivery.status import DELIVERY_STATUS_LABELS
from postal_hub.extensions import db
from postal_hub.intake.access import get_dossier
from postal_hub.intake.custody import actor_label
from postal_hub.intake.status import RESULT_DELIVERY_LABELS, DossierStatus
from postal_hub.services import clock, geocoder
from postal_hub.web_helpers import apply_errors

STAFF = (
    Role.SYSTEM_ADMIN,
    Role.POSTAL_CLERK,
    Role.POSTAL_MANAGER,
    Role.POSTMAN,
    Role.UNIT_OFFICER,
    Role.AGENCY_SUPERVISOR,
)


@bp.route("/dossiers/<code>/result-ready", methods=["GET", "POST"])
@roles_required(Role.UNIT_OFFICER)
def result_ready(code: str) -> str | Response:
    dossier = get_dossier(db.session, current_user, code)
    if current_user.organization_id != dossier.unit_id:
        abort(403)  # a supervisor's or another unit's view of the dossier: the deciding unit marks it
    if dossier.status != DossierStatus.RECEIVED.value:
        flash(
            _("The result of %(code)s cannot be ready: the unit has not received it.", code=dossier.code),
            "error",
        )
        return redirect(url_for("intake.dossier_page", code=dossier.code))
    form = ResultReadyForm(result_delivery=dossier.result_delivery)
    if form.validate_on_submit():
        data = ResultReady(form.summary.data or "", form.result_delivery.data, form.amount_due.data or 0)
        try:
            delivery = mark_result_ready(
                db.session, current_user, actor_label(current_user), dossier, data, clock().now(), geocoder()
            )
        except DomainError as exc:
            db.session.rollback()
            apply_errors(
                form, {"result_delivery" if k == "contract" else k: v for k, v in exc.fields.items()}
            )
            flash(exc.message, "error")
        else:
            db.session.commit()
            if delivery is None:
                flash(_("Result ready: the citizen is told to collect it at your counter."), "success")
            else:
                flash(
                    _(
                        "Result ready: the citizen is told. Put it on a manifest to %(office)s.",
                        office=dossier.office.name,
                    ),
                    "success",
                )
            return redirect(url_for("intake.dossier_page", code=dossier.code))
    return render_template(
        "delivery/result_ready.html", dossier=dossier, form=form, deliveries=RESULT_DELIVERY_LABELS
    )


@bp.get("/deliveries")
@roles_required(*STAFF)
def deliveries() -> str:
    view = request.args.get("view", "deliver")
    view = view if view in queries.VIEWS else "deliver"
    q = request.args.get("q", "")[:40]
    page = queries.delivery_page(db.session, current_user, view, q, parse_page(request.args.get("page")), 25)
    return render_template(
        "delivery/list.html",
        page=page,
        view=view,
        q=q,
        args={k: v for k, v in {"view": view, "q": q}.items() if v},
        counts=queries.view_counts(db.session, current_user),
        statuses=DELIVERY_STATUS_LABELS,
        may_return=current_user.has_role(Role.POSTAL_CLERK, Role.POSTAL_MANAGER)
        and current_user.post_office_id is not None,
    )

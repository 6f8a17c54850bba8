"""Webhook screens: an organization's endpoints, registration (secret shown once), delivery history."""

from __future__ import annotations

from typing import cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError, NotFound
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.services import clock, webhook_resolver
from postal_hub.web_helpers import apply_errors
from postal_hub.webhooks import queries, services
from postal_hub.webhooks.forms import ConfirmForm, DisableForm, EndpointForm
from postal_hub.webhooks.models import WebhookEndpoint
from postal_hub.webhooks.status import EVENT_TYPES, event_labels, message_status_labels

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
MANAGERS = (Role.UNIT_OFFICER, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)


@bp.record_once
def _start_dev_delivery(state: BlueprintSetupState) -> None:
    from postal_hub.webhooks.runner import start_dev_thread

    start_dev_thread(cast(Flask, state.app))


def _scope() -> list[int] | None:
    return services.organization_ids_for(db.session, current_user)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return services.get_endpoint(db.session, _scope(), endpoint_id)
    except NotFound:
        abort(404)


@bp.get("")
@roles_required(*MANAGERS)
def endpoints() -> str:
    return render_template(
        "webhooks/list.html", rows=queries.endpoints(db.session, _scope()), labels=event_labels()
    )


def _detail(endpoint: WebhookEndpoint, new_secret: str | None = None) -> str:
    return render_template(
        "webhooks/detail.html",
        endpoint=endpoint,
        messages=queries.recent_messages(db.session, endpoint.id),
        labels=event_labels(),
        statuses=message_status_labels(),
        new_secret=new_secret,
        confirm=ConfirmForm(),
        disable_form=DisableForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def endpoint_new() -> str:
    scope = _scope()
    organizations = queries.api_organizations(db.session, scope)
    if not organizations:
        abort(403)
    form = EndpointForm()
    form.organization_id.choices = [(o.id, f"{o.name} ({o.code})") for o in organizations]
    form.event_types.choices = [(t, event_labels()[t]) for t in EVENT_TYPES]
    if form.validate_on_submit():
        try:
            org = services.require_organization(
                db.session, current_user, form.organization_id.data or organizations[0].id
            )
            endpoint, secret = services.register(
                db.session,
                org,
                services.EndpointInput(
                    url=form.url.data or "",
                    description=form.description.data or "",
                    event_types=tuple(form.event_types.data or ()),
                ),
                webhook_resolver(),
                bool(current_app.config["WEBHOOK_ALLOW_LOOPBACK"]),
                current_app.config["SECRET_KEY"],
                current_user.id,
                clock().now(),
            )
        except DomainError as exc:
            db.session.rollback()
            if exc.fields:
                apply_errors(form, exc.fields)
            else:
                form.form_errors.append(exc.message)
        else:
            db.session.commit()
            # Rendered, not redirected: the secret is in this one response and nowhere else.
            return _detail(endpoint, new_secret=secret)
    return render_template("webhooks/form.html", form=form, choose_org=len(organizations) > 1)


@bp.get("/<int:endpoint_id>")
@roles_required(*MANAGERS)
def endpoint_detail(endpoint_id: int) -> str:
    return _detail(_endpoint(endpoint_id))


def _act(endpoint_id: int, action: str) -> Response:
    endpoint = _endpoint(endpoint_id)
    now = clock().now()
    form = DisableForm() if action == "disable" else ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "disable":
            services.disable(db.session, endpoint, form.reason.data or "", current_user.id, now)
            message = _("The endpoint is disabled; new events wait until it is enabled.")
        elif action == "enable":
            services.enable(
                db.session,
                endpoint,
                webhook_resolver(),
                bool(current_app.config["WEBHOOK_ALLOW_LOOPBACK"]),
                current_user.id,
                now,
            )
            message = _("The endpoint is enabled; waiting events go out now.")
        else:
            services.delete(db.session, endpoint, current_user.id, now)
            message = _("The endpoint is deleted; its delivery history is kept.")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("webhooks.endpoint_detail", endpoint_id=endpoint.id))


@bp.post("/<int:endpoint_id>/disable")
@roles_required(*MANAGERS)
def endpoint_disable(endpoint_id: int) -> Response:
    return _act(endpoint_id, "disable")


@bp.post("/<int:endpoint_id>/enable")
@roles_required(*MANAGERS)
def endpoint_enable(endpoint_id: int) -> Response:
    return _act(endpoint_id, "enable")


@bp.post("/<int:endpoint_id>/delete")
@roles_required(*MANAGERS)
def endpoint_delete(endpoint_id: int) -> Response:
    return _act(endpoint_id, "delete")


@bp.post("/<int:endpoint_id>/messages/<int:message_id>/send-again")
@roles_required(*MANAGERS)
def message_send_again(endpoint_id: int, message_id: int) -> Response:
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        message = services.redeliver(db.session, endpoint, message_id, current_user.id, clock().now())
    except NotFound:
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Message %(id)s will be sent again now.", id=message.msg_id), "success")
    return redirect(url_for("webhooks.endpoint_detail", endpoint_id=endpoint.id))

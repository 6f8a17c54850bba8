"""Admin screens for users."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.admin.blueprint import bp
from postal_hub.admin.forms import UserForm
from postal_hub.admin.queries import office_choices, org_choices, users_page
from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import OrgKind
from postal_hub.core.permissions import is_admin, scope_users
from postal_hub.core.users.models import POSTAL_ROLES, ROLE_LABELS, Role, User
from postal_hub.core.users.services import UserInput, save_user
from postal_hub.extensions import db
from postal_hub.web_helpers import apply_errors, list_args, list_request

MANAGERS = (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)


def _role_choices() -> list[tuple[str, Any]]:
    roles = tuple(Role) if is_admin(current_user) else POSTAL_ROLES
    return [(r.value, ROLE_LABELS[r]) for r in roles]


@bp.get("/users")
@roles_required(*MANAGERS)
def users() -> str:
    lr = list_request()
    role = request.args.get("role", "")
    page = users_page(db.session, current_user, role, lr)
    rows = [
        {
            "cells": [
                u.username,
                u.full_name,
                str(ROLE_LABELS[Role(u.role)]),
                u.organization.name if u.organization else "",
                u.post_office.name if u.post_office else "",
                {"dt": u.last_sign_in_at},
            ],
            "url": url_for("admin.user_edit", user_id=u.id),
            "active": u.active,
        }
        for u in page.items
    ]
    filters = [
        {
            "name": "role",
            "label": _("Role"),
            "value": role,
            "options": [("", _("All roles")), *((v, str(lb)) for v, lb in _role_choices())],
        }
    ]
    return render_template(
        "admin/list.html",
        title=_("Users"),
        columns=[
            _("Username"),
            _("Full name"),
            _("Role"),
            _("Organization"),
            _("Post office"),
            _("Last sign-in"),
        ],
        rows=rows,
        page=page,
        q=lr.q,
        show_inactive=lr.show_inactive,
        filters=filters,
        args=list_args(),
        new_links=[{"url": url_for("admin.user_new"), "label": _("New user")}],
    )


def _edit(user: User | None) -> str | Response:
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if user is not None and request.method == "GET":
        form.password.data = ""
    if user is None and request.method == "GET":
        form.active.data = True
        if not is_admin(current_user):
            form.organization_id.data = current_user.organization_id
    form.role.choices = _role_choices()
    if is_admin(current_user):
        form.organization_id.choices = org_choices(db.session, tuple(OrgKind), _l("— none (citizen) —"))
    else:
        form.organization_id.choices = [(current_user.organization_id, current_user.organization.name)]
    form.post_office_id.choices = office_choices(db.session, current_user, form.organization_id.data)
    if request.method == "POST" and form.validate():
        data = UserInput(
            username=form.username.data or "",
            full_name=form.full_name.data or "",
            role=form.role.data or "",
            organization_id=form.organization_id.data,
            post_office_id=form.post_office_id.data,
            email=form.email.data,
            phone=form.phone.data,
            password=form.password.data or None,
            active=bool(form.active.data),
        )
        try:
            saved = save_user(
                db.session, current_user, data, user, current_app.config["PASSWORD_HASH_METHOD"]
            )
            db.session.commit()
            flash(_("Saved %(name)s.", name=saved.full_name), "success")
            return redirect(url_for("admin.users"))
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_new() -> str | Response:
    return _edit(None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_edit(user_id: int) -> str | Response:
    user = db.session.scalar(scope_users(current_user, sa.select(User).where(User.id == user_id)))
    if user is None:
        abort(404)
    return _edit(user)

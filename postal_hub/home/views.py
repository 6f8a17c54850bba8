"""The start page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.handoff.queries import start_page_counts
from postal_hub.home.notifications import mark_all_read, unread
from postal_hub.home.queries import profile, system_counts
from postal_hub.services import clock

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    counts = system_counts(db.session) if current_user.has_role(Role.SYSTEM_ADMIN) else None
    inbox, unread_count = unread(db.session, current_user.id)
    return render_template(
        "home/index.html",
        me=profile(db.session, current_user),
        counts=counts,
        inbox=inbox,
        unread_count=unread_count,
        read_form=FlaskForm(),
        handoff=start_page_counts(db.session, current_user),
    )


@bp.post("/notifications/read")
@login_required
def notifications_read() -> Response:
    if FlaskForm().validate_on_submit():
        mark_all_read(db.session, current_user.id, clock().now())
        db.session.commit()
    return redirect(url_for("home.index"))

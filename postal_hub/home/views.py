"""The start page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.home.queries import profile, system_counts

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    counts = system_counts(db.session) if current_user.has_role(Role.SYSTEM_ADMIN) else None
    return render_template("home/index.html", me=profile(db.session, current_user), counts=counts)

"""Sign-in, sign-out and language switch pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from postal_hub.auth.forms import LanguageForm, SignInForm
from postal_hub.auth.services import Throttle, sign_in
from postal_hub.extensions import db
from postal_hub.services import clock

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or '\\' tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        cfg = current_app.config
        throttle = Throttle(
            cfg["SIGNIN_MAX_FAILURES"],
            cfg["SIGNIN_MAX_FAILURES_PER_IP"],
            timedelta(minutes=cfg["SIGNIN_WINDOW_MINUTES"]),
        )
        result = sign_in(
            db.session,
            form.username.data or "",
            form.password.data or "",
            request.remote_addr or "unknown",
            clock().now(),
            throttle,
        )
        db.session.commit()
        if result.ok and result.user is not None:
            # A fresh session on sign-in, so nothing from before (a planted session id) carries over.
            language = session.get("lang")
            session.clear()
            if language:
                session["lang"] = language
            session.permanent = True
            login_user(result.user)
            flash(_("Welcome, %(name)s.", name=result.user.full_name), "success")
            return redirect(safe_next(form.next.data) or url_for("home.index"))
        if result.locked_minutes:
            flash(
                _("Too many failed sign-ins. Try again in %(n)d minutes.", n=result.locked_minutes), "error"
            )
            return render_template("auth/sign_in.html", form=form), 429
        flash(_("The username or password is not right."), "error")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in_page"))


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit() and form.language.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("home.index"))

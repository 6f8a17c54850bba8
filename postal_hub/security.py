"""Security headers on every response, malformed input refused, idle sessions signed out."""

from __future__ import annotations

from flask import Flask, abort, request, session
from flask_login import logout_user
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def init_input_guard(app: Flask) -> None:
    """No text a person types contains a NUL byte, and PostgreSQL refuses to store one: such a request
    is malformed, answered 400 before any view runs."""

    @app.before_request
    def _refuse_nul() -> None:
        if (
            "\x00" in request.path
            or any(_has_nul(v) for source in (request.args, request.form) for v in source.values())
            or (request.is_json and _has_nul(request.get_json(silent=True)))
        ):
            abort(400)


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["ENV_NAME"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


SEEN_KEY = "_seen"  # when the signed-in session last made a request, in Unix seconds of the app's clock


def init_session_expiry(app: Flask) -> None:
    """A signed-in session unused for longer than SESSION_IDLE_MINUTES (PERMANENT_SESSION_LIFETIME) is
    signed out on the server: the cookie carries the time of its last request, signed with the session,
    so a copy replayed later is refused even though the cookie itself is still valid. A signed-in session
    without the stamp predates it and is signed out too."""
    from postal_hub.services import clock

    @app.before_request
    def _sign_out_idle_session() -> None:
        if "_user_id" not in session:
            return
        seen = session.get(SEEN_KEY)
        idle = app.permanent_session_lifetime.total_seconds()
        if isinstance(seen, int | float) and clock().now().timestamp() - seen <= idle:
            return
        logout_user()
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language

    @app.after_request
    def _stamp_signed_in_session(response: Response) -> Response:
        if "_user_id" in session:
            session[SEEN_KEY] = int(clock().now().timestamp())
        return response

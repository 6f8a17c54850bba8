"""Security headers on every response, and who may sign in through Flask-Login."""

from __future__ import annotations

from flask import Flask, abort, request
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

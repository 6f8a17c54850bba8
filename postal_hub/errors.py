"""One place maps domain errors and HTTP errors to pages (or JSON for the API)."""

from __future__ import annotations

import logging
import sqlite3

import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from postal_hub.core.errors import DomainError
from postal_hub.core.logsafe import log_failure
from postal_hub.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


JSON_CODES = {
    400: "malformed",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
RETRY_AFTER_SECONDS = 5
# SQLite reports nearly every failure, a missing table included, as an OperationalError; these are
# the ones that mean the database cannot be used right now.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def database_unavailable(exc: sa.exc.OperationalError) -> bool:
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.OperationalError):
        return any(text in str(exc.orig).lower() for text in SQLITE_UNAVAILABLE)
    # PostgreSQL's operational errors are the server's state, never the statement's mistake: a
    # connection refused or lost, a shutdown, a statement timeout, a deadlock, no free connection.
    return True


def _error_page(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        body = {"error": {"code": JSON_CODES.get(status, str(status)), "message": message, "fields": {}}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> tuple[Response | str, int]:
        db.session.rollback()
        if _wants_json():
            body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
            return jsonify(body), exc.status_code
        titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Conflict")}
        return _error_page(exc.status_code, titles.get(exc.status_code, _("Cannot do that")), exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
        return _error_page(
            400,
            _("Form expired"),
            _("The form expired or was sent from elsewhere. Go back, reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response | str, int, dict[str, str]]:
        status = exc.code or 500
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("Your account may not open this page.")),
            404: (_("Not found"), _("There is no such page, or it is not yours to see.")),
            405: (_("Not allowed"), _("This page does not accept that kind of request.")),
            413: (_("Too large"), _("The file is too large.")),
            429: (_("Too many requests"), _("Please wait a little and try again.")),
        }
        title, message = messages.get(status, (_("Error"), exc.description or ""))
        body, status = _error_page(status, title, message)
        # A 405 names the methods the resource does accept (RFC 9110), as Werkzeug's own answer does.
        allow = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        return body, status, allow

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        log_failure(log, "Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _error_page(
            500,
            _("Something went wrong"),
            _("The error has been logged. Nothing was saved; please try again."),
        )

    @app.errorhandler(sa.exc.OperationalError)
    def database_error(
        exc: sa.exc.OperationalError,
    ) -> tuple[Response | str, int] | tuple[Response | str, int, dict[str, str]]:
        """The database went away, restarted, timed out a statement or broke a deadlock: a passing
        condition, not a bug, so a 503 that asks for another try (nothing was saved), not a 500."""
        if not database_unavailable(exc):
            return unexpected(exc)
        log_failure(log, "Database unavailable on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            log.warning("rollback after a database failure failed too")
        body, status = _error_page(
            503,
            _("Service briefly unavailable"),
            _("Please try again in a moment. Nothing was saved."),
        )
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

"""One place maps domain errors and HTTP errors to pages (or JSON for the API)."""

from __future__ import annotations

import logging

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
}


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

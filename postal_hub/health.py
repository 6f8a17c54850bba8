"""Liveness and readiness for load balancers; the throughput benchmark's ceiling and its floor."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from postal_hub.core.logsafe import log_failure
from postal_hub.extensions import csrf, db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
csrf.exempt(bp)  # probes send no token; the route only reads


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: no database, session, locale or rate limit, so a probe measures (and
    loads) the stack alone. Readiness (is the database reachable?) is a different question."""
    response = jsonify({"status": "ok"})
    response.cache_control.no_store = True
    return response


@bp.get("/readyz")
def readyz() -> Response | tuple[Response, int]:
    """The process can serve: the database answers one statement, on the connection pool public
    lookups use. 503 while it does not, so a load balancer sends the traffic elsewhere. In the
    throughput benchmark it is the floor of any answer that needs the database."""
    try:
        db.read(lambda conn: conn.execute(sa.text("SELECT 1")).scalar_one())
    except sa.exc.SQLAlchemyError:
        log_failure(log, "readiness check: the database did not answer")
        response, status = jsonify({"status": "unavailable"}), 503
    else:
        response, status = jsonify({"status": "ok"}), 200
    response.cache_control.no_store = True
    return response, status

"""Liveness for load balancers and the throughput benchmark's ceiling: a fixed body, nothing else."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from postal_hub.extensions import csrf

bp = Blueprint("health", __name__)
csrf.exempt(bp)  # probes send no token; the route only reads


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: no database, session, locale or rate limit, so a probe measures (and
    loads) the stack alone. Readiness (is the database reachable?) is a different question."""
    response = jsonify({"status": "ok"})
    response.cache_control.no_store = True
    return response

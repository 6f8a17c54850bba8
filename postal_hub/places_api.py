"""Public reference data for forms: the communes of a province (filter-as-you-type lists)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from postal_hub.core.places.queries import commune_choices
from postal_hub.extensions import db

bp = Blueprint("places", __name__, url_prefix="/places")


@bp.get("/provinces/<code>/communes")
def communes(code: str) -> Response:
    items = [{"code": c, "name": n} for c, n in commune_choices(db.session, code)] if code.isdigit() else []
    response = jsonify({"items": items, "page": 1, "total": len(items)})
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response

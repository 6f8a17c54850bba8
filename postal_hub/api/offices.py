"""Public API: the post offices nearest to a point, by true geodesic distance, across boundaries."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, collection, error
from postal_hub.core.geo.offices import nearest_offices
from postal_hub.core.pagination import is_number
from postal_hub.core.validation import FieldErrors
from postal_hub.extensions import db

MAX_LIMIT = 50


def _coordinate(errors: FieldErrors, name: str) -> float | None:
    text = request.args.get(name, "").strip().replace(",", ".")
    if not text:
        errors.add(name, "Required: a decimal number such as 21.0285.")
        return None
    try:
        value = float(text)
    except ValueError:
        errors.add(name, "Not a number; use a decimal such as 21.0285.")
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        errors.add(name, "Not a number; use a decimal such as 21.0285.")
        return None
    return value


@bp.get("/post-offices")
def post_offices() -> Response | tuple[Response, int]:
    errors = FieldErrors()
    lat, lon = _coordinate(errors, "lat"), _coordinate(errors, "lon")
    if lat is not None and lon is not None:
        errors.coordinates(lat, lon)
    limit_text = request.args.get("limit", "5").strip() or "5"
    limit = int(limit_text) if is_number(limit_text) and len(limit_text) <= 3 else 0
    if not 1 <= limit <= MAX_LIMIT:
        errors.add("limit", f"Use a number from 1 to {MAX_LIMIT}.")
    if errors.errors:
        return error(422, "invalid", "Some query parameters are invalid.", dict(errors.errors))
    assert lat is not None and lon is not None
    found = nearest_offices(db.session, current_app.extensions, lat, lon, limit)
    return collection(
        [
            {
                "code": n.office.code,
                "name": n.office.name,
                "postcode": n.office.postcode,
                "province_code": n.office.province_code,
                "commune_code": n.office.commune_code,
                "address": n.office.address,
                "opening_hours": n.office.opening_hours,
                "lat": n.office.lat,
                "lon": n.office.lon,
                "distance_km": round(n.distance_km, 3),
            }
            for n in found
        ]
    )

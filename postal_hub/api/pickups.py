"""Public API of home pickup: windows with room, booking, and the citizen's own booking by its token."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from flask import jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, error
from postal_hub.core.retry import commit_with_retry
from postal_hub.core.validation import FieldErrors
from postal_hub.core.validators import mobile_phone
from postal_hub.extensions import db
from postal_hub.pickup import manage
from postal_hub.pickup.booking import (
    BookingInput,
    Place,
    SlotFull,
    book,
    booking_digest,
    manage_token,
    replay,
)
from postal_hub.pickup.inputs import parse_moment
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.quotes import quote
from postal_hub.pickup.status import BookingSource
from postal_hub.pickup.views_json import pickup_json, window_json
from postal_hub.services import clock, pickup_limiter, pickup_settings

MAX_KEY = 255


def _float(errors: FieldErrors, name: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.add(name, "Not a number; use a decimal such as 21.0285.")
        return None
    if number != number or number in (float("inf"), float("-inf")) or isinstance(value, bool):
        errors.add(name, "Not a number; use a decimal such as 21.0285.")
        return None
    return number


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@bp.get("/pickups/slots")
def pickup_slots() -> Response | tuple[Response, int]:
    args = request.args
    errors = FieldErrors()
    lat, lon = _float(errors, "lat", args.get("lat")), _float(errors, "lon", args.get("lon"))
    day: date | None = None
    if args.get("date"):
        try:
            day = date.fromisoformat(args["date"].strip())
        except ValueError:
            errors.add("date", "Write the date as YYYY-MM-DD.")
    if errors.errors:
        return error(422, "invalid", "Please correct the fields named.", errors.errors)
    place = Place(
        _str(args.get("province_code")), _str(args.get("commune_code")), _str(args.get("street")), lat, lon
    )
    answer = quote(db.session, pickup_settings(), args.get("procedure_code", ""), place, day, clock().now())
    offer = answer.offer
    items = [window_json(w) for w in offer.free] if offer else []
    body = {
        "procedure_code": answer.procedure.code,
        "date": answer.day.isoformat(),
        "unit": {"code": answer.unit.code, "name": answer.unit.name},
        "point": {"precision": answer.point.precision.value, "exact": answer.point.exact},
        "address": {
            "province_code": answer.place.province_code if answer.place else place.province_code,
            "commune_code": answer.place.commune_code if answer.place else place.commune_code,
            "commune_inferred": answer.commune_inferred,
        },
        "post_office": (
            {"code": offer.office.code, "name": offer.office.name, "address": offer.office.address}
            if offer
            else None
        ),
        "distance_km": round(offer.distance_km, 2) if offer else None,
        "fee": offer.fee if offer else None,
        "slots": items,
        "items": items,
        "page": 1,
        "total": len(items),
    }
    return jsonify(body)


def _booking_input(body: dict[str, Any], errors: FieldErrors) -> BookingInput:
    applicant = body.get("applicant") if isinstance(body.get("applicant"), dict) else {}
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    assert isinstance(applicant, dict) and isinstance(address, dict)
    slot_text = body.get("slot_start")
    slot_start = parse_moment(slot_text)
    if slot_text and slot_start is None:
        errors.add("slot_start", "Write the window's start as ISO 8601, e.g. 2026-12-03T08:00:00+07:00.")
    return BookingInput(
        procedure_code=_str(body.get("procedure_code")),
        name=_str(applicant.get("name")),
        phone=_str(applicant.get("phone")),
        citizen_id=_str(applicant.get("citizen_id")),
        place=Place(
            _str(address.get("province_code")),
            _str(address.get("commune_code")),
            _str(address.get("street")),
            _float(errors, "address.lat", address.get("lat")),
            _float(errors, "address.lon", address.get("lon")),
        ),
        slot_start=slot_start,
        result_delivery=_str(body.get("result_delivery")),
        consent=body.get("consent") is True,
        source=BookingSource.API,
        language=_str(body.get("language")) if body.get("language") in ("vi", "en") else "vi",
        idempotency_key=(request.headers.get("Idempotency-Key") or "").strip() or None,
    )


def _limit_keys(phone_text: str) -> list[tuple[str, str]]:
    keys = [("ip", request.remote_addr or "unknown")]
    with contextlib.suppress(ValueError):
        keys.append(("phone", mobile_phone(phone_text)))
    return keys


def limited(phone_text: str) -> tuple[Response, int] | None:
    """Per address and per phone number: a script cannot fill the windows of a whole town. Bookings
    made count against the limits; any attempt counts against a ten times larger one per address."""
    checks = [("attempt", request.remote_addr or "unknown", True)]
    checks += [(kind, key, False) for kind, key in _limit_keys(phone_text)]
    for kind, key, counted in checks:
        limiter = pickup_limiter(kind)
        if wait := (limiter.hit(key) if counted else limiter.blocked(key)):
            response, status = error(429, "rate_limited", "Too many bookings; try again later.")
            response.headers["Retry-After"] = str(wait)
            return response, status
    return None


def count_booking(phone_text: str) -> None:
    for kind, key in _limit_keys(phone_text):
        pickup_limiter(kind).hit(key)


def slot_full_response(exc: SlotFull) -> tuple[Response, int]:
    response, _ = error(409, "slot_full", exc.message, exc.fields)
    body = response.get_json()
    body["next_free"] = [
        {**window_json(w), "post_office": {"code": o.office.code, "name": o.office.name}}
        for o, w in exc.next_free
    ]
    return jsonify(body), 409


@bp.post("/pickups")
def create_pickup() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "malformed", "The body must be a JSON object.")
    if len(request.headers.get("Idempotency-Key") or "") > MAX_KEY:
        return error(
            400, "malformed", "The Idempotency-Key is too long.", {"Idempotency-Key": "At most 255."}
        )
    errors = FieldErrors()
    data = _booking_input(body, errors)
    if errors.errors:
        return error(422, "invalid", "Please correct the fields named.", errors.errors)
    settings = pickup_settings()
    digest = booking_digest(data)
    pickup = replay(db.session, data.idempotency_key, digest)
    replayed = pickup is not None
    if pickup is None and (refused := limited(data.phone)):
        return refused  # a replay is answered whatever the limits: it books nothing
    if pickup is None:
        try:
            pickup = commit_with_retry(db.session, lambda: book(db.session, settings, data, clock().now()))
        except SlotFull as exc:
            db.session.rollback()
            return slot_full_response(exc)
        except IntegrityError:
            # The same key racing its own first request: the first committed, so this one is its replay.
            db.session.rollback()
            pickup = replay(db.session, data.idempotency_key, digest)
            if pickup is None:
                raise
            replayed = True
    if not replayed:
        count_booking(data.phone)
    answer = pickup_json(pickup, clock().now(), settings)
    answer["manage_token"] = manage_token(settings, pickup)
    response = jsonify(answer)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, 201


def _own(reference: str) -> Pickup:
    return manage.get_with_token(
        db.session, pickup_settings(), reference, request.headers.get("X-Manage-Token")
    )


# A reference is HP and 8 letters or digits: /pickups/slots is not a booking (nor does OPTIONS say it
# accepts PATCH and DELETE).
@bp.get("/pickups/<string(length=10):reference>")
def get_pickup(reference: str) -> Response:
    return jsonify(pickup_json(_own(reference), clock().now(), pickup_settings()))


@bp.patch("/pickups/<string(length=10):reference>")
def reschedule_pickup(reference: str) -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "malformed", "The body must be a JSON object.")
    new_start = parse_moment(body.get("slot_start"))
    if new_start is None:
        return error(
            422,
            "invalid",
            "Please correct the fields named.",
            {"slot_start": "Give the new window's start (ISO 8601)."},
        )
    settings = pickup_settings()
    language = "en" if body.get("language") == "en" else "vi"

    def work() -> Pickup:
        pickup = _own(reference)
        return manage.reschedule(db.session, settings, pickup, new_start, clock().now(), language)

    try:
        pickup = commit_with_retry(db.session, work)
    except SlotFull as exc:
        db.session.rollback()
        return slot_full_response(exc)
    return jsonify(pickup_json(pickup, clock().now(), settings))


@bp.delete("/pickups/<string(length=10):reference>")
def cancel_pickup(reference: str) -> Response:
    settings = pickup_settings()

    def work() -> Pickup:
        pickup = _own(reference)
        return manage.cancel(db.session, settings, pickup, clock().now(), pickup.language)

    pickup = commit_with_retry(db.session, work)
    return jsonify(pickup_json(pickup, clock().now(), settings))

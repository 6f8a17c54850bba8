"""Schemathesis runs every operation of the served OpenAPI document with every check, once with a unit's
key and once with an operator's, against an organization that owns real dossiers at each step of their
journey, manifests, a home-pickup booking and webhook endpoints."""

from __future__ import annotations

import collections
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case, HookContext
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    object_level_authorization,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.handoff.models import Manifest
from postal_hub.pickup.booking import manage_token
from postal_hub.services import pickup_settings
from tests import factories
from tests.factories_delivery import delivery_world, ready_result, received_dossier
from tests.fakes import FakeResolver, FixedClock

# Every built-in check but max_response_time (a timed assertion, and this machine is shared).
ALL_CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
    unsupported_method,
    allow_header_conformance,
    object_level_authorization,
]

# Well-formed requests these operations refuse with 422 for rules no schema can state: the procedure's
# required components (422 `incomplete`, API.md), a pickup window in the past, full or beyond the
# horizon, a webhook host that does not resolve. Every other check still runs on them.
BUSINESS_RULES = {
    "POST /api/v1/dossiers",
    "POST /api/v1/pickups",
    "PATCH /api/v1/pickups/{reference}",
    "GET /api/v1/pickups/slots",
    "POST /api/v1/webhooks",
}

# What each key must have managed at least once with the real records (a 2xx): the run is not just 404s.
REAL_WORK = {
    "unit": {
        "GET /api/v1/dossiers",
        "GET /api/v1/dossiers/{code}",
        "GET /api/v1/dossiers/{code}/events",
        "POST /api/v1/dossiers/{code}/receipt",
        "POST /api/v1/dossiers/{code}/result-ready",
        "GET /api/v1/manifests",
        "GET /api/v1/manifests/{number}",
        "POST /api/v1/manifests/{number}/close",
        "GET /api/v1/track/{code}",
        "GET /api/v1/pickups/slots",
        "POST /api/v1/pickups",
        "GET /api/v1/pickups/{reference}",
        "POST /api/v1/webhooks",
        "GET /api/v1/webhooks",
        "DELETE /api/v1/webhooks/{id}",
        "GET /api/v1/procedures",
        "GET /api/v1/post-offices",
    },
    "operator": {
        "POST /api/v1/dossiers",
        "GET /api/v1/dossiers",
        "GET /api/v1/dossiers/{code}",
        "GET /api/v1/manifests/{number}",
        "POST /api/v1/webhooks",
        "GET /api/v1/webhooks",
    },
}


def _pick(options: list[Any], seed: object) -> Any:
    """A deterministic choice among the real records; the last slot keeps the generated value, so
    unknown identifiers are fuzzed too (crc32, not hash(): the choice must not change between runs)."""
    index = zlib.crc32(repr(seed).encode()) % (len(options) + 1)
    return options[index] if index < len(options) else None


def _real_world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = delivery_world(session)
    now = clock.now()
    dispatched = factories.accepted_dossier(session, world, now)
    factories.manifest_for(session, world, [dispatched], now)
    received = received_dossier(session, world, now)
    ready, _delivery = ready_result(session, world, now)
    waiting = factories.accepted_dossier(session, world, now)
    dossiers = [dispatched, received, ready, waiting]
    world["codes"] = [d.code for d in dossiers] + [d.item_number for d in dossiers]
    world["manifests"] = list(session.scalars(sa.select(Manifest.number).order_by(Manifest.id)))
    bookings = [
        factories.booked_pickup(session, world, now, slot_start=factories.next_window(h)) for h in (8, 14)
    ]
    world["pickups"] = [(b.reference, manage_token(pickup_settings(), b)) for b in bookings]
    for who in ("unit", "operator"):
        _row, world[f"{who}_key"] = api_keys.create_api_key(session, world[who], who, now)
        world[f"{who}_webhooks"] = [factories.webhook_endpoint(session, world[who])[0].id for _ in range(2)]
    session.commit()
    return world


def _real_body(world: dict[str, Any], label: str, body: dict[str, Any]) -> None:
    """Bodies that name the world's procedure, office, address and windows, so writes can succeed."""
    person = {"name": "Nguyễn Văn An", "phone": "0912345678", "citizen_id": "001090012345"}
    if label == "POST /api/v1/dossiers":
        body.pop("subject_commune_code", None)
        body.pop("accepted_by", None)
        body.update(
            procedure_code=world["procedure"].code,
            post_office_code=world["office"].code,
            applicant=person,
            address={"province_code": "01", "commune_code": "00097", "street": "12 Phúc Xá"},
            components=[{"code": c.code, "present": True} for c in world["procedure"].components],
        )
    elif label == "POST /api/v1/pickups":
        lat, lon = factories.PICKUP_POINT
        body.update(
            procedure_code=world["procedure"].code,
            applicant=person,
            address={
                "province_code": "01",
                "commune_code": "00097",
                "street": "12 Phúc Xá",
                "lat": lat,
                "lon": lon,
            },
            slot_start=factories.next_window(10).isoformat(),
            consent=True,
        )
    elif label == "PATCH /api/v1/pickups/{reference}":
        body["slot_start"] = factories.next_window(10, days=4).isoformat()
    elif label == "POST /api/v1/webhooks":
        body["url"] = f"https://hooks.example.com/h{zlib.crc32(repr(body).encode())}"


def _map_to_real_records(world: dict[str, Any], case: Case) -> Case:
    """Positive cases mostly name records that exist, so operations do real work instead of 404s."""
    meta = case.meta
    if meta is not None and not meta.generation.mode.is_positive:
        return case
    label = case.operation.label
    params = case.path_parameters or {}
    if "code" in params and (choice := _pick(world["codes"], params)) is not None:
        params["code"] = choice
    if "number" in params and (choice := _pick(world["manifests"], params)) is not None:
        params["number"] = choice
    if "id" in params and (choice := _pick(world[f"{world['who']}_webhooks"], params)) is not None:
        params["id"] = choice
    if "reference" in params and (choice := _pick(world["pickups"], params)) is not None:
        params["reference"] = choice[0]
        if case.headers is not None and "X-Manage-Token" in case.headers:
            case.headers["X-Manage-Token"] = choice[1]
    if label == "GET /api/v1/pickups/slots" and case.query is not None and _pick([1, 2], case.query):
        case.query.update(procedure_code=world["procedure"].code, province_code="01", commune_code="00097")
        case.query.pop("lat", None), case.query.pop("lon", None)
        case.query["date"] = factories.next_window().date().isoformat()
    if isinstance(case.body, dict) and _pick([1, 2], (label, case.body)):
        _real_body(world, label, case.body)
    if case.headers and case.headers.get("Idempotency-Key"):
        # A key drawn again for another request is a 422 by the contract; one key per request keeps
        # positive requests positive (replays of the very same request still happen).
        request = repr((label, case.path_parameters, case.query, case.body))
        case.headers["Idempotency-Key"] = (
            f"{case.headers['Idempotency-Key'][:200]}-{zlib.crc32(request.encode())}"
        )
    return case


@pytest.fixture(params=["unit", "operator"])
def api_schema(
    request: pytest.FixtureRequest, app: Flask, session: Session, clock: FixedClock
) -> Iterator[Any]:
    # Rate limits count real seconds; hundreds of requests in a few seconds are this test, not abuse.
    app.config.update(API_REQUESTS_PER_MINUTE=100_000, TRACK_LOOKUPS_PER_MINUTE=100_000)
    app.config.update(PICKUP_BOOKINGS_PER_HOUR_PER_IP=100_000, PICKUP_BOOKINGS_PER_HOUR_PER_PHONE=100_000)
    app.extensions["webhook_resolver"] = FakeResolver()
    world = _real_world(session, clock)
    world["who"] = request.param
    world["answered"] = collections.Counter()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {world[request.param + '_key']}"})
    # The input guard answers 400 to any NUL byte (PostgreSQL cannot store one; tests/web covers it);
    # with NULs drawn into property names, no positive request would ever pass it.
    schema.config.generation.update(allow_x00=False)

    @schema.hook
    def map_case(context: HookContext, case: Case) -> Case:
        return _map_to_real_records(world, case)

    schema.world = world  # type: ignore[attr-defined]
    yield schema
    succeeded = {label for (label, status), _n in world["answered"].items() if 200 <= status < 300}
    assert REAL_WORK[request.param] <= succeeded, REAL_WORK[request.param] - succeeded


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 renames the running node through `_nodeid`, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # The app, its database transaction and the world are built once per key, not per example (the
    # examples build on each other's writes, as a client's requests do); building the world is slow.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_passes_every_check(case: Case, api_schema: Any) -> None:
    world = api_schema.world
    headers = {"Authorization": f"Bearer {world[world['who'] + '_key']}"}
    label = case.operation.label
    checks = [c for c in ALL_CHECKS if c is not positive_data_acceptance or label not in BUSINESS_RULES]
    response = case.call_and_validate(headers=headers, checks=checks)
    # Only the operation's own method counts (not the OPTIONS and undeclared methods of the coverage phase).
    if response.request.method == case.method.upper() == case.operation.method.upper():
        world["answered"][(label, response.status_code)] += 1

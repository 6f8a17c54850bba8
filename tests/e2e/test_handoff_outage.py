"""Two hundred real hand-offs while the unit's receiver is down, then its recovery: every event reaches
it, signed, in order per dossier, and de-duplication by webhook-id leaves exactly one of each."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from postal_hub.core.users import api_keys
from postal_hub.webhooks import delivery
from postal_hub.webhooks.delivery import DeliverySettings
from postal_hub.webhooks.models import OutboxMessage
from postal_hub.webhooks.sender import SendResult
from postal_hub.webhooks.signing import verify
from tests import factories
from tests.fakes import FakeReceiver, FakeResolver, FixedClock, UpperJitter

HAND_OFFS = 200
PER_MANIFEST = 50
SETTINGS = DeliverySettings(app_secret="test-secret", allow_loopback=True, retry_hours=48)


class UnitReceiver(FakeReceiver):
    """The unit's system: checks every signature, keeps the first copy of each webhook-id."""

    def __init__(self, secret: str, clock: FixedClock) -> None:
        super().__init__(default=503)
        self.secret, self.clock = secret, clock
        self.unique: dict[str, dict[str, Any]] = {}

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        verify(self.secret, headers, body, self.clock.now())
        self.unique.setdefault(headers["webhook-id"], json.loads(body))
        return super().send(url, headers, body)


def test_an_outage_during_200_hand_offs_loses_nothing_and_duplicates_nothing(
    session: Session, client: FlaskClient, connection: sa.Connection, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    _endpoint, secret = factories.webhook_endpoint(session, world["unit"])
    _row, key = api_keys.create_api_key(session, world["unit"], "unit system", clock.now())
    dossiers = [factories.accepted_dossier(session, world, clock.now()) for _ in range(HAND_OFFS)]
    for start in range(0, HAND_OFFS, PER_MANIFEST):
        factories.manifest_for(session, world, dossiers[start : start + PER_MANIFEST], clock.now())
    session.commit()
    receiver = UnitReceiver(secret, clock)
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    def deliver() -> None:
        delivery.deliver_until_idle(factory, receiver, FakeResolver(), clock, SETTINGS, jitter=UpperJitter())
        session.expire_all()

    for n, dossier in enumerate(dossiers, start=1):  # the unit confirms each envelope through the API
        answer = client.post(
            f"/api/v1/dossiers/{dossier.code}/receipt",
            json={"accepted": True},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert answer.status_code == 200
        if n % 25 == 0:  # the receiver is down: every attempt fails
            deliver()
            clock.advance(minutes=5)
    receiver.default = 200  # back after the outage
    for _ in range(40):
        clock.advance(minutes=30)
        deliver()
    statuses = session.scalars(sa.select(OutboxMessage.status))
    per_dossier: dict[str, list[str]] = defaultdict(list)
    for body in receiver.unique.values():
        per_dossier[body["data"]["dossier_code"]].append(body["type"])
    events = ["dossier.accepted", "dossier.dispatched", "dossier.received"]
    assert list(statuses) == ["delivered"] * HAND_OFFS * len(events)
    assert len(receiver.unique) == HAND_OFFS * len(events) and len(receiver.received) > len(receiver.unique)
    assert sorted(per_dossier) == sorted(d.code for d in dossiers)
    assert all(types == events for types in per_dossier.values())  # in order, once each

"""Two delivery workers in parallel never send the same message at the same time, and together send all.

Real threads and real commits need committed data, so this runs in a schema of its own that is
migrated for the test and dropped after it. PostgreSQL only (FOR UPDATE SKIP LOCKED is the claim).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from postal_hub import create_app
from postal_hub.core.places.services import sync_places
from postal_hub.extensions import db
from postal_hub.webhooks.delivery import DeliverySettings, deliver_due
from postal_hub.webhooks.models import OutboxMessage
from postal_hub.webhooks.outbox import enqueue
from postal_hub.webhooks.sender import SendResult
from tests import factories
from tests.conftest import ENGINE, TEST_CONFIG
from tests.fakes import FakeResolver, FixedClock

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
MESSAGES = 300


class InFlightReceiver:
    """Notes every message being received at the same moment as another copy of itself."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.sent: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        msg_id = headers["webhook-id"]
        with self.lock:
            if msg_id in self.in_flight:
                self.overlaps.append(msg_id)
            self.in_flight.add(msg_id)
            self.sent[msg_id] += 1
            self.by_worker[threading.current_thread().name] += 1
        time.sleep(0.002)  # a slow receiver widens the window a double claim would need
        with self.lock:
            self.in_flight.discard(msg_id)
        return SendResult(200, 2)


def test_two_workers_in_parallel_never_send_a_message_twice_at_once_and_deliver_all(own_schema: str) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 6})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        endpoint, _secret = factories.webhook_endpoint(db.session)
        for n in range(MESSAGES):
            enqueue(
                db.session, [endpoint.organization_id], "dossier.accepted", {"n": n}, f"D-{n}", clock.now()
            )
        db.session.commit()
    settings = DeliverySettings(app_secret="test-secret", allow_loopback=True, batch_size=10)
    factory = app.extensions["postal_hub_db"]["session_factory"]
    receiver = InFlightReceiver()
    barrier = threading.Barrier(2, timeout=30)
    failures: list[BaseException] = []

    def work(name: str) -> None:
        try:
            barrier.wait()
            while deliver_due(factory, receiver, FakeResolver(), clock, settings, worker_id=name).claimed:
                pass
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",), name=f"w{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    assert receiver.overlaps == []
    assert len(receiver.sent) == MESSAGES and max(receiver.sent.values()) == 1
    assert all(count > 0 for count in receiver.by_worker.values()) and len(receiver.by_worker) == 2
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert Counter(statuses) == {"delivered": MESSAGES}
    app.extensions["postal_hub_db"]["engine"].dispose()

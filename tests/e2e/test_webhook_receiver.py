"""A real receiver on 127.0.0.1 gets signed requests from the real requests-based sender."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from postal_hub.webhooks.delivery import DeliverySettings, deliver_due
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt
from postal_hub.webhooks.outbox import enqueue
from postal_hub.webhooks.sender import RequestsSender
from postal_hub.webhooks.signing import VerificationError, verify
from postal_hub.webhooks.urls import SystemResolver
from tests import factories
from tests.fakes import FixedClock

SETTINGS = DeliverySettings(app_secret="test-secret", allow_loopback=True)


class Receiver:
    """What the handler saw, and how it should answer the next requests."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.secret = ""
        self.status = 204
        self.delay = 0.0
        self.verified: list[dict[str, Any]] = []
        self.refused: list[str] = []


@pytest.fixture
def receiver(clock: FixedClock) -> Iterator[tuple[Receiver, str]]:
    state = Receiver(clock)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                verify(state.secret, dict(self.headers.items()), body, state.clock.now())
                state.verified.append({"headers": dict(self.headers.items()), "body": body})
            except VerificationError as exc:
                state.refused.append(str(exc))
            time.sleep(state.delay)
            self.send_response(state.status)
            if state.status == 302:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks/postal-hub"
    server.shutdown()
    server.server_close()


@pytest.fixture
def factory(connection: sa.Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def _setup(session: Session, clock: FixedClock, state: Receiver, url: str) -> OutboxMessage:
    endpoint, state.secret = factories.webhook_endpoint(session, url=url)
    data = {"dossier_code": "000.00.01.H26-261120-0001", "unit": "Bộ phận Một cửa Hà Nội"}
    (message,) = enqueue(session, [endpoint.organization_id], "dossier.accepted", data, "D", clock.now())
    session.flush()
    return message


def _attempt(session: Session, message: OutboxMessage) -> WebhookAttempt:
    session.expire_all()
    return session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.message_id == message.id)).one()


def test_a_local_receiver_verifies_the_signature_of_a_real_request(
    session: Session, factory: sessionmaker[Session], clock: FixedClock, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    message = _setup(session, clock, state, url)
    deliver_due(factory, RequestsSender(2), SystemResolver(), clock, SETTINGS)
    assert state.refused == []
    (got,) = state.verified
    assert got["headers"]["webhook-id"] == message.msg_id
    assert got["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert "Bộ phận Một cửa Hà Nội" in got["body"].decode("utf-8")
    assert _attempt(session, message).status_code == 204
    assert session.get(OutboxMessage, message.id).status == "delivered"  # type: ignore[union-attr]


def test_a_receiver_slower_than_the_timeout_is_recorded_as_timed_out_and_retried(
    session: Session, factory: sessionmaker[Session], clock: FixedClock, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.delay = 0.5
    message = _setup(session, clock, state, url)
    deliver_due(factory, RequestsSender(0.1), SystemResolver(), clock, SETTINGS)
    attempt = _attempt(session, message)
    assert attempt.status_code is None and attempt.error == "timed out after 0.1 s"
    assert session.get(OutboxMessage, message.id).status == "pending"  # type: ignore[union-attr]


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(
    session: Session, factory: sessionmaker[Session], clock: FixedClock, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.status = 302
    message = _setup(session, clock, state, url)
    deliver_due(factory, RequestsSender(2), SystemResolver(), clock, SETTINGS)
    assert _attempt(session, message).status_code == 302
    assert len(state.verified) == 1
    assert session.get(OutboxMessage, message.id).status == "pending"  # type: ignore[union-attr]


def test_nothing_listening_is_a_connection_error_recorded_without_raising(
    session: Session, factory: sessionmaker[Session], clock: FixedClock, receiver: tuple[Receiver, str]
) -> None:
    state, _url = receiver
    message = _setup(session, clock, state, "http://127.0.0.1:9/closed")
    deliver_due(factory, RequestsSender(1), SystemResolver(), clock, SETTINGS)
    attempt = _attempt(session, message)
    assert attempt.status_code is None and attempt.error and attempt.error.startswith("ConnectionError")

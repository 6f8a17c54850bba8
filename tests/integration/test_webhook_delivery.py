"""The outbox and the delivery loop: at least once, in order per dossier, retried for days, never lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from postal_hub import create_app
from postal_hub.config import ConfigError
from postal_hub.webhooks import delivery
from postal_hub.webhooks.delivery import DeliverySettings, PassReport, claim
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from postal_hub.webhooks.outbox import enqueue
from postal_hub.webhooks.sender import SendResult
from postal_hub.webhooks.services import enable, redeliver
from postal_hub.webhooks.signing import verify
from tests import factories
from tests.conftest import TEST_CONFIG
from tests.fakes import FakeReceiver, FakeResolver, FixedClock, UpperJitter

SETTINGS = DeliverySettings(app_secret="test-secret", allow_loopback=True, retry_hours=48)
DATA = {"dossier_code": "000.00.01.H26-261120-0001", "status": "accepted", "unit": "Bộ phận Một cửa"}


class VerifyingReceiver(FakeReceiver):
    """Verifies each signature as it arrives, and keeps the first body per webhook-id (de-duplication)."""

    def __init__(self, secret: str, clock: FixedClock, default: int | None = 200) -> None:
        super().__init__(default)
        self.secret, self.clock = secret, clock
        self.unique: dict[str, bytes] = {}

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        verify(self.secret, headers, body, self.clock.now())
        self.unique.setdefault(headers["webhook-id"], body)
        return super().send(url, headers, body)


@pytest.fixture
def factory(connection: sa.Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


Deliver = Callable[..., PassReport]


@pytest.fixture
def deliver(session: Session, factory: sessionmaker[Session], clock: FixedClock) -> Deliver:
    def run(receiver: FakeReceiver, resolver: FakeResolver | None = None, **kwargs: Any) -> PassReport:
        session.flush()
        report = delivery.deliver_until_idle(
            factory,
            receiver,
            resolver or FakeResolver(),
            clock,
            kwargs.pop("settings", SETTINGS),
            jitter=UpperJitter(),
            **kwargs,
        )
        session.expire_all()
        return report

    return run


def _message(
    session: Session, endpoint: WebhookEndpoint, key: str | None = "D-1", at: Any = None
) -> OutboxMessage:
    (message,) = enqueue(session, [endpoint.organization_id], "dossier.accepted", DATA, key, at)
    return message


def _stored(session: Session, message: OutboxMessage) -> OutboxMessage:
    stored = session.get(OutboxMessage, message.id)
    assert stored is not None
    return stored


def _attempts(session: Session, message: OutboxMessage) -> list[WebhookAttempt]:
    return list(
        session.scalars(
            sa.select(WebhookAttempt)
            .where(WebhookAttempt.message_id == message.id)
            .order_by(WebhookAttempt.id)
        )
    )


def test_enqueue_writes_in_the_callers_transaction_so_a_rollback_leaves_no_message(
    session: Session, clock: FixedClock
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    nested = session.begin_nested()
    enqueue(session, [endpoint.organization_id], "dossier.accepted", DATA, "D-1", clock.now())
    nested.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_enqueue_serialises_the_body_as_the_contract_says(session: Session, clock: FixedClock) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    assert message.body == (
        '{"type":"dossier.accepted","timestamp":"2026-11-20T09:00:00+07:00","data":'
        '{"dossier_code":"000.00.01.H26-261120-0001","status":"accepted","unit":"Bộ phận Một cửa"}}'
    )
    assert message.msg_id.startswith("msg_")


def test_enqueue_skips_endpoints_not_subscribed_to_the_event(session: Session, clock: FixedClock) -> None:
    org = factories.unit(session)
    factories.webhook_endpoint(session, org, event_types=("dossier.delivered",))
    everything, _ = factories.webhook_endpoint(session, org)
    messages = enqueue(session, [org.id], "dossier.accepted", DATA, "D-1", clock.now())
    assert [m.endpoint_id for m in messages] == [everything.id]


def test_a_message_is_delivered_once_on_a_2xx_answer_with_a_valid_signature(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = VerifyingReceiver(secret, clock)
    deliver(receiver)
    deliver(receiver)
    assert receiver.ids() == [message.msg_id]
    assert _stored(session, message).status == "delivered"
    assert receiver.received[0][2] == message.body.encode("utf-8")


def test_a_failing_receiver_gets_retries_with_growing_delays_and_the_message_once_it_is_back(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver()
    receiver.answers = [500, None, 503]
    delays = []
    for _ in range(3):
        deliver(receiver)
        stored = session.get(OutboxMessage, message.id)
        assert stored is not None and stored.status == "pending"
        delays.append((stored.next_attempt_at - clock.now()).total_seconds())
        clock.advance(seconds=delays[-1])
    deliver(receiver)
    assert delays == [30, 60, 120]
    assert _stored(session, message).status == "delivered"
    assert [a.status_code for a in _attempts(session, message)] == [500, None, 503, 200]
    assert _attempts(session, message)[1].error == "timed out after 10 s"


def test_a_receiver_down_for_an_hour_gets_the_message_when_it_is_back(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver(default=None)
    back_at = clock.now() + timedelta(hours=1)
    while clock.now() < back_at:
        deliver(receiver)
        clock.advance(seconds=(_stored(session, message).next_attempt_at - clock.now()).total_seconds())
    receiver.default = 200
    deliver(receiver)
    assert _stored(session, message).status == "delivered"
    assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == len(_attempts(session, message)) > 5


def test_a_message_fails_after_the_retry_window_and_send_again_requeues_it(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver(default=500)
    for _ in range(200):
        deliver(receiver)
        stored = session.get(OutboxMessage, message.id)
        if stored is None or stored.status != "pending":
            break
        clock.advance(seconds=(stored.next_attempt_at - clock.now()).total_seconds())
    stored = session.get(OutboxMessage, message.id)
    assert stored is not None and stored.status == "failed"
    assert clock.now() - stored.created_at >= timedelta(hours=48)
    redeliver(session, endpoint, message.id, None, clock.now())
    receiver.default = 200
    deliver(receiver)
    assert _stored(session, message).status == "delivered"


def test_a_410_answer_disables_the_endpoint_and_keeps_the_message_for_when_it_is_enabled(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver()
    receiver.answers = [410]
    deliver(receiver)
    stored_endpoint = session.get(WebhookEndpoint, endpoint.id)
    assert stored_endpoint is not None and not stored_endpoint.active
    assert stored_endpoint.disabled_reason == "The receiver answered 410 Gone."
    assert _stored(session, message).status == "pending"
    enable(session, stored_endpoint, FakeResolver(), True, None, clock.now())
    deliver(receiver)
    assert _stored(session, message).status == "delivered"


def test_a_later_message_of_the_same_dossier_waits_for_the_earlier_one(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    first = _message(session, endpoint, "D-1", clock.now())
    second = _message(session, endpoint, "D-1", clock.now())
    other = _message(session, endpoint, "D-2", clock.now())
    receiver = FakeReceiver()
    receiver.answers = [500]
    deliver(receiver)
    assert receiver.ids() == [first.msg_id, other.msg_id]
    clock.advance(seconds=30)
    deliver(receiver)
    assert receiver.ids() == [first.msg_id, other.msg_id, first.msg_id, second.msg_id]


def test_a_worker_that_dies_mid_delivery_leaves_a_lease_that_expires_and_the_message_is_sent_again(
    session: Session, factory: sessionmaker[Session], clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    session.flush()
    with factory() as crashed:
        assert len(claim(crashed, clock.now(), "worker-that-died", SETTINGS)) == 1
    receiver = FakeReceiver()
    deliver(receiver)
    assert receiver.ids() == []
    clock.advance(seconds=SETTINGS.lease_seconds + 1)
    deliver(receiver, worker_id="worker-b")
    assert receiver.ids() == [message.msg_id]
    assert _stored(session, message).status == "delivered"


def test_a_host_re_pointed_to_a_private_address_is_refused_at_delivery_and_the_attempt_recorded(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver()
    deliver(receiver, FakeResolver({"hooks.example.com": ["10.0.0.7"]}))
    assert receiver.ids() == []
    (attempt,) = _attempts(session, message)
    assert attempt.status_code is None and attempt.error and attempt.error.startswith("refused")


def test_an_outage_during_200_hand_offs_ends_with_200_of_200_delivered_and_verified_without_duplicates(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, secret = factories.webhook_endpoint(session)
    # The receiver stores what it verified even when it then answers 503 (a reply lost on the way
    # back), so the same webhook-id arrives again later: duplicates before de-duplication are expected.
    receiver = VerifyingReceiver(secret, clock, default=503)
    msg_ids = []
    for n in range(200):
        msg_ids.append(_message(session, endpoint, f"D-{n}", clock.now()).msg_id)
        if n % 20 == 19:
            deliver(receiver)
            clock.advance(minutes=3)
    receiver.default = 200
    for _ in range(30):
        clock.advance(minutes=30)
        deliver(receiver)
    delivered = session.scalars(
        sa.select(OutboxMessage.msg_id).where(OutboxMessage.status == "delivered")
    ).all()
    assert sorted(delivered) == sorted(msg_ids)
    assert sorted(receiver.unique) == sorted(msg_ids)
    assert len(receiver.ids()) > 200  # redeliveries happened, and de-duplication by webhook-id absorbed them
    assert all(body == receiver.unique[i] for _u, h, body in receiver.received for i in [h["webhook-id"]])


def test_the_app_refuses_a_retry_window_shorter_than_a_day() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_RETRY_HOURS"):
        create_app({**TEST_CONFIG, "WEBHOOK_RETRY_HOURS": 12})


def test_the_deliver_webhooks_command_sends_what_is_due(
    app: Any, session: Session, clock: FixedClock
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    session.commit()
    receiver = FakeReceiver()
    app.extensions["webhook_sender"] = receiver
    app.extensions["webhook_resolver"] = FakeResolver()
    with app.app_context():  # as the postal-hub command (FlaskGroup) provides
        result = app.test_cli_runner().invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0 and "delivered: 1" in result.output
    assert receiver.ids() == [message.msg_id]


def test_the_delivery_thread_starts_only_under_the_dev_servers_run_command() -> None:
    import click

    from postal_hub.webhooks.runner import running_dev_server

    assert not running_dev_server()
    with click.Context(click.Command("seed-demo")):
        assert not running_dev_server()
    with click.Context(click.Command("run"), info_name="run") as ctx:
        ctx.params = {"reload": False}
        assert running_dev_server()


def test_send_again_on_a_message_being_sent_leaves_its_lease_so_no_second_worker_takes_it(
    session: Session, factory: sessionmaker[Session], clock: FixedClock
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    session.flush()
    with factory() as sending:
        assert len(claim(sending, clock.now(), "worker-a", SETTINGS)) == 1
    session.expire_all()
    redeliver(session, _stored(session, message).endpoint, message.id, None, clock.now())
    session.flush()
    with factory() as other:
        assert claim(other, clock.now(), "worker-b", SETTINGS) == []
    assert _stored(session, message).claimed_by == "worker-a"


def test_a_claim_with_too_little_lease_left_is_handed_back_unsent(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    from dataclasses import replace

    endpoint, _secret = factories.webhook_endpoint(session)
    message = _message(session, endpoint, at=clock.now())
    receiver = FakeReceiver()
    short = replace(SETTINGS, lease_seconds=10, send_seconds=30)
    report = deliver(receiver, settings=short, max_passes=1)
    stored = _stored(session, message)
    assert receiver.ids() == [] and report.skipped == 1
    assert stored.claimed_by is None and stored.status == "pending"


def test_a_receiver_back_after_an_outage_gets_the_messages_waiting_out_their_backoff_at_once(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    receiver = FakeReceiver(default=None)
    first = _message(session, endpoint, "D-1", clock.now())
    deliver(receiver)  # fails: next attempt in 30 s
    clock.advance(seconds=10)
    waiting = _message(session, endpoint, "D-2", clock.now())
    deliver(receiver)  # fails: next attempt 30 s from now, after the first's
    clock.advance(seconds=(_stored(session, first).next_attempt_at - clock.now()).total_seconds())
    assert _stored(session, waiting).next_attempt_at > clock.now()
    receiver.default = 200
    deliver(receiver)  # the first one's retry succeeds: the endpoint is back
    assert _stored(session, first).status == "delivered"
    assert _stored(session, waiting).status == "delivered"  # in the same run of passes, not later
    assert [a.status_code for a in _attempts(session, waiting)] == [None, 200]


def test_a_first_time_delivery_does_not_hurry_a_message_the_receiver_keeps_refusing(
    session: Session, clock: FixedClock, deliver: Deliver
) -> None:
    endpoint, _secret = factories.webhook_endpoint(session)
    refused = _message(session, endpoint, "D-1", clock.now())
    receiver = FakeReceiver()
    receiver.answers = [500]
    deliver(receiver)
    due = _stored(session, refused).next_attempt_at
    _message(session, endpoint, "D-2", clock.now())
    deliver(receiver)  # D-2 goes out on its first attempt
    assert _stored(session, refused).next_attempt_at == due
    assert [a.status_code for a in _attempts(session, refused)] == [500]

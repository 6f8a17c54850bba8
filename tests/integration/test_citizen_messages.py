"""Citizen messages: queued with the change, sent by the worker through the configured backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from postal_hub.core.messaging import services
from postal_hub.core.messaging.backends import (
    HttpBackend,
    LogBackend,
    SendFailed,
    build_backend,
    mask_recipient,
)
from postal_hub.core.messaging.models import CitizenMessage, MessageStatus

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


class RecordingBackend:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[str] = []
        self.fail = fail

    def send(self, message: CitizenMessage, body: str, link: str) -> None:
        if self.fail:
            raise SendFailed("gateway down")
        self.sent.append(body)


class FakeHttp:
    def __init__(self, status: int = 200, error: Exception | None = None) -> None:
        self.status, self.error = status, error
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str, **kwargs: Any) -> Any:
        self.calls.append({"url": url, **kwargs})
        if self.error:
            raise self.error
        return type("R", (), {"status_code": self.status})()


def _queued(session: Session) -> CitizenMessage:
    return services.queue(session, "+84912345678", "pickup.booked", "HPAAAAAAAA", "Xin chào", NOW)


def test_a_due_message_is_sent_and_marked_sent(session: Session) -> None:
    message = _queued(session)
    backend = RecordingBackend()
    assert services.send_due(session, backend, NOW) == 1
    assert backend.sent == ["Xin chào"]
    assert message.status == MessageStatus.SENT


def test_a_sent_message_is_not_sent_again(session: Session) -> None:
    _queued(session)
    backend = RecordingBackend()
    services.send_due(session, backend, NOW)
    services.send_due(session, backend, NOW + timedelta(hours=1))
    assert len(backend.sent) == 1


def test_a_failed_send_is_retried_later(session: Session) -> None:
    message = _queued(session)
    services.send_due(session, RecordingBackend(fail=True), NOW)
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at > NOW
    assert message.last_error == "gateway down"


def test_a_message_failing_every_attempt_is_given_up(session: Session) -> None:
    message = _queued(session)
    for hour in range(services.MAX_ATTEMPTS):
        services.send_due(session, RecordingBackend(fail=True), NOW + timedelta(days=hour + 1))
    assert message.status == MessageStatus.FAILED


def test_the_http_backend_posts_the_message_with_a_timeout(session: Session) -> None:
    http = FakeHttp()
    message = _queued(session)
    HttpBackend("https://sms.example.vn/send", "tok", 4.0, http=http).send(message, message.body, "")
    assert http.calls[0]["timeout"] == 4.0
    assert http.calls[0]["json"]["to"] == "+84912345678"
    assert http.calls[0]["headers"]["Authorization"] == "Bearer tok"


@pytest.mark.parametrize("http", [FakeHttp(status=503), FakeHttp(error=requests.ConnectionError("down"))])
def test_the_http_backend_reports_a_refusal_or_an_outage_as_a_failed_send(
    session: Session, http: FakeHttp
) -> None:
    with pytest.raises(SendFailed):
        HttpBackend("https://sms.example.vn/send", http=http).send(_queued(session), "Xin chào", "")


def test_the_log_backend_never_logs_the_whole_phone_number(session: Session, caplog: Any) -> None:
    caplog.set_level("INFO", logger="postal_hub.messages")
    LogBackend().send(_queued(session), "Xin chào", "")
    assert "+84912345678" not in caplog.text
    assert mask_recipient("+84912345678") in caplog.text


def test_the_http_backend_needs_a_url() -> None:
    with pytest.raises(ValueError):
        build_backend({"CITIZEN_NOTIFIER": "http"})


def test_a_link_placeholder_is_filled_in_only_when_the_message_is_sent(session: Session) -> None:
    message = services.queue(
        session, "+84912345678", "k", "HPAAAAAAAA", "Xem: {link}", NOW, link="x:HPAAAAAAAA"
    )
    backend = RecordingBackend()
    services.send_due(
        session, backend, NOW, links=lambda link: "https://hub/secret" if link.startswith("x:") else None
    )
    assert backend.sent == ["Xem: https://hub/secret"]
    assert "secret" not in message.body + message.link

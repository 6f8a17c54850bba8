"""Where citizen messages go: the development log (the table keeps them for tests), or an HTTP gateway."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

import requests

from postal_hub.core.messaging.models import CitizenMessage

log = logging.getLogger("postal_hub.messages")


class SendFailed(Exception):
    pass


class MessageBackend(Protocol):
    def send(self, message: CitizenMessage, body: str, link: str) -> None:
        """Deliver `body` (the text with its link filled in) or raise SendFailed; called by the worker."""


def mask_recipient(recipient: str) -> str:
    """'+84912345678' -> '+849•••••678': enough to tell messages apart, not enough to call anyone."""
    if len(recipient) <= 6:
        return "•" * len(recipient)
    return recipient[:4] + "•" * (len(recipient) - 7) + recipient[-3:]


class LogBackend:
    """Development: one log line per message, with the recipient masked and the stored text, whose link
    is only a placeholder (a manage link carries a secret token, which has no place in a log)."""

    def send(self, message: CitizenMessage, body: str, link: str) -> None:
        log.info(
            "citizen %s message %s to %s: %s",
            message.channel,
            message.kind,
            mask_recipient(message.recipient),
            message.body,
        )


class HttpBackend:
    """An SMS/Zalo/e-mail gateway that takes one JSON POST per message and answers 2xx when accepted."""

    def __init__(self, url: str, token: str = "", timeout: float = 5.0, http: Any = None) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.http = http or requests.Session()

    def send(self, message: CitizenMessage, body: str, link: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {
            "id": message.id,
            "channel": message.channel,
            "to": message.recipient,
            "kind": message.kind,
            "reference": message.subject_ref,
            "language": message.language,
            "body": body,
            "link": link,
        }
        try:
            response = self.http.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SendFailed(type(exc).__name__) from exc
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"HTTP {response.status_code}")


def build_backend(settings: Mapping[str, Any]) -> MessageBackend:
    kind = settings.get("CITIZEN_NOTIFIER", "log")
    if kind == "log":
        return LogBackend()
    if kind == "http":
        url = settings.get("CITIZEN_NOTIFIER_URL") or ""
        if not url:
            raise ValueError("CITIZEN_NOTIFIER=http needs CITIZEN_NOTIFIER_URL")
        return HttpBackend(
            url,
            settings.get("CITIZEN_NOTIFIER_TOKEN") or "",
            float(settings.get("CITIZEN_NOTIFIER_TIMEOUT", 5)),
        )
    raise ValueError(f"unknown CITIZEN_NOTIFIER {kind!r}: use 'log' or 'http'")

"""Sending one signed request: the Sender protocol, the requests-based sender and an offline one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import requests

USER_AGENT = "PostalHub-Webhooks/1.0"


@dataclass(frozen=True)
class SendResult:
    status_code: int | None  # None when no answer came (timeout, refused connection, ...)
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender(Protocol):
    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult: ...


class RequestsSender:
    """POSTs with requests: a timeout on every call, no redirects followed, never raises."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout = timeout_seconds
        self._session: requests.Session | None = None

    def _http(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
            self._session.trust_env = False  # no proxy from the environment re-routes a checked URL
        return self._session

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        all_headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json; charset=utf-8",
            **headers,
        }
        started = time.monotonic()
        try:
            response = self._http().post(
                url, data=body, headers=all_headers, timeout=self.timeout, allow_redirects=False
            )
            response.close()
        except requests.Timeout:
            return SendResult(None, _ms(started), f"timed out after {self.timeout:g} s")
        except requests.RequestException as exc:
            return SendResult(None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return SendResult(response.status_code, _ms(started), error)


class OfflineSender:
    """Sends nothing and reports it, so messages stay pending (for installations without egress)."""

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        return SendResult(None, 0, "webhook delivery is switched off (offline sender)")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

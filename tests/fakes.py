"""Fakes for the app's collaborators (the clock now; more as features add them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi, a Friday

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


from postal_hub.webhooks.sender import SendResult  # noqa: E402  (the webhook fakes below)


class FakeResolver:
    """Host names resolve only to what a test says (tests never do DNS); unknown names don't resolve."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = {"hooks.example.com": ["93.184.216.34"], **(table or {})}

    def resolve(self, host: str, port: int) -> list[str]:
        import ipaddress

        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            return list(self.table.get(host.lower(), []))


class FakeReceiver:
    """A webhook sender that records what would have been sent and answers as a test scripts it.

    `answers` is consumed one per request (an int status code, or None for a timeout); when empty,
    `default` answers. Every request is kept in `received` (url, headers, body bytes)."""

    def __init__(self, default: int | None = 200) -> None:
        self.default = default
        self.answers: list[int | None] = []
        self.received: list[tuple[str, dict[str, str], bytes]] = []

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        self.received.append((url, dict(headers), body))
        answer = self.answers.pop(0) if self.answers else self.default
        if answer is None:
            return SendResult(None, 10, "timed out after 10 s")
        return SendResult(answer, 5, None if 200 <= answer < 300 else f"HTTP {answer}")

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for _url, headers, _body in self.received]


class UpperJitter:
    """Backoff jitter that always takes the longest delay, so tests can see the delays grow."""

    def uniform(self, a: float, b: float) -> float:
        return b

"""A small fixed-window rate limiter for public lookups (tracking by code).

Counts live in the process: with several gunicorn workers each keeps its own window, so the
effective limit is the setting times the number of workers; that bounds guessing well enough for
a public, no-personal-data lookup.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str, now: float | None = None) -> int:
        """Like hit() without counting: 0 when one more is allowed, else the seconds to wait."""
        moment = time.time() if now is None else now
        window = int(moment // self.window)
        with self._lock:
            start, count = self._hits.get(key, (window, 0))
        if start == window and count >= self.limit:
            return max(1, int((window + 1) * self.window - moment))
        return 0

    def hit(self, key: str, now: float | None = None) -> int:
        """Record a request; returns 0 when allowed, else the seconds until the window resets."""
        moment = time.time() if now is None else now
        window = int(moment // self.window)
        with self._lock:
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v[0] == window}
            start, count = self._hits.get(key, (window, 0))
            count = count + 1 if start == window else 1
            self._hits[key] = (window, count)
        if count > self.limit:
            return max(1, int((window + 1) * self.window - moment))
        return 0

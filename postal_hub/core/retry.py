"""Retrying a whole unit of work when the database asks for it (lock timeouts, deadlocks).

SQLite lets one writer in at a time and answers "database is locked" to a transaction that cannot
upgrade its read lock; PostgreSQL may pick a deadlock victim. Both mean "nothing was written, try
again", so the caller's function is run again from the start after a rollback.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PAUSE = 0.5
TRANSIENT_PG_CODES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_transient(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in TRANSIENT_PG_CODES:
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def commit_with_retry(session: Session, work: Callable[[], T], attempts: int = 30) -> T:
    """Run `work` and commit; on a transient failure roll back and run it again (it must be re-runnable)."""
    for attempt in range(attempts):
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            if attempt == attempts - 1 or not is_transient(exc):
                raise
            # Full jitter, capped: many writers queued on one lock spread out instead of colliding again.
            time.sleep(random.uniform(0, min(MAX_PAUSE, 0.01 * 2**attempt)))
    raise AssertionError("unreachable")

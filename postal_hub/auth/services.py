"""Sign-in with throttling: repeated failures lock an account name, and an address, for a while."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session
from werkzeug.security import check_password_hash

from postal_hub.core.users.models import SignInFailure, User

# Compared against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = (
    "pbkdf2:sha256:600000$dummysalt$0e4f3a1c5d3b2a69e0b2f7f6c1f0c8d7e1d9a1b2c3d4e5f60718293a4b5c6d7e"
)


@dataclass(frozen=True)
class Throttle:
    max_failures: int
    max_failures_per_ip: int
    window: timedelta


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked_minutes: int = 0

    @property
    def ok(self) -> bool:
        return self.user is not None


def _locked_for(
    session: Session,
    column: QueryableAttribute[str],
    value: str,
    limit: int,
    now: datetime,
    window: timedelta,
) -> int:
    """Minutes until the oldest failure in the window expires, if the limit is reached; else 0."""
    since = now - window
    rows = session.execute(
        sa.select(sa.func.count(), sa.func.min(SignInFailure.at)).where(
            column == value, SignInFailure.at > since
        )
    ).one()
    count, oldest = rows
    if count < limit or oldest is None:
        return 0
    return max(1, math.ceil((oldest + window - now).total_seconds() / 60))


def sign_in(
    session: Session, username: str, password: str, ip: str, now: datetime, throttle: Throttle
) -> SignInResult:
    """Check credentials unless the account or address is throttled. Failures are recorded."""
    key = (username or "").strip().lower()[:64]
    locked = max(
        _locked_for(session, SignInFailure.username_key, key, throttle.max_failures, now, throttle.window),
        _locked_for(session, SignInFailure.ip, ip, throttle.max_failures_per_ip, now, throttle.window),
    )
    if locked:
        return SignInResult(None, locked)
    user = session.scalar(sa.select(User).where(User.username == key))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not valid or not user.active:
        session.add(SignInFailure(username_key=key, ip=ip, at=now))
        session.flush()
        return SignInResult(None)
    session.execute(sa.delete(SignInFailure).where(SignInFailure.username_key == key))
    session.execute(sa.delete(SignInFailure).where(SignInFailure.at < now - throttle.window))
    user.last_sign_in_at = now
    session.flush()
    return SignInResult(user)

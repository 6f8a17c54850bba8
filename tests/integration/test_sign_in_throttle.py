"""Throttling of repeated failed sign-ins."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from postal_hub.auth.services import Throttle, sign_in
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.fakes import FixedClock

THROTTLE = Throttle(max_failures=3, max_failures_per_ip=10, window=timedelta(minutes=15))


def _fail(session: Session, username: str, clock: FixedClock, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert not sign_in(session, username, "wrong", ip, clock.now(), THROTTLE).ok


def test_the_right_password_signs_in(session: Session, clock: FixedClock) -> None:
    user = factories.user(session, Role.CITIZEN)
    assert sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE).user == user


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(
    session: Session, clock: FixedClock
) -> None:
    user = factories.user(session, Role.CITIZEN)
    _fail(session, user.username, clock, 3)
    result = sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE)
    assert not result.ok
    assert result.locked_minutes == 15


def test_the_lock_lifts_when_the_window_has_passed(session: Session, clock: FixedClock) -> None:
    user = factories.user(session, Role.CITIZEN)
    _fail(session, user.username, clock, 3)
    clock.advance(minutes=16)
    assert sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE).ok


def test_an_address_guessing_many_accounts_is_locked(session: Session, clock: FixedClock) -> None:
    user = factories.user(session, Role.CITIZEN)
    for n in range(10):
        _fail(session, f"someone{n}", clock, 1, ip="10.9.9.9")
    assert (
        sign_in(session, user.username, TEST_PASSWORD, "10.9.9.9", clock.now(), THROTTLE).locked_minutes > 0
    )


def test_an_inactive_user_cannot_sign_in(session: Session, clock: FixedClock) -> None:
    user = factories.user(session, Role.CITIZEN, active=False)
    assert not sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE).ok


def test_a_successful_sign_in_clears_earlier_failures(session: Session, clock: FixedClock) -> None:
    user = factories.user(session, Role.CITIZEN)
    _fail(session, user.username, clock, 2)
    assert sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE).ok
    _fail(session, user.username, clock, 2)
    assert sign_in(session, user.username, TEST_PASSWORD, "10.0.0.1", clock.now(), THROTTLE).ok

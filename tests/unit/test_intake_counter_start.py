"""The signed start of service on the acceptance screen, and the queue ticket time the clerk copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postal_hub.intake.forms import queue_ticket_at, read_counter_start, sign_counter_start

SECRET = "test-secret"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi


def test_a_signed_start_of_service_reads_back_as_the_same_moment() -> None:
    token = sign_counter_start(SECRET, NOW)
    assert read_counter_start(SECRET, token, NOW + timedelta(minutes=12)) == NOW


def test_a_start_of_service_signed_with_another_key_is_unknown() -> None:
    token = sign_counter_start("someone-elses-secret", NOW)
    assert read_counter_start(SECRET, token, NOW) is None


def test_an_edited_start_of_service_token_is_unknown() -> None:
    signature = sign_counter_start(SECRET, NOW).partition(".")[2]
    earlier_payload = sign_counter_start(SECRET, NOW - timedelta(hours=1)).partition(".")[0]
    assert read_counter_start(SECRET, f"{earlier_payload}.{signature}", NOW) is None


@pytest.mark.parametrize("token", [None, "", "not-a-token", "a.b.c"])
def test_a_missing_or_garbled_start_of_service_token_is_unknown(token: str | None) -> None:
    assert read_counter_start(SECRET, token, NOW) is None


def test_a_start_of_service_older_than_eight_hours_is_unknown() -> None:
    token = sign_counter_start(SECRET, NOW)
    assert read_counter_start(SECRET, token, NOW + timedelta(hours=8, seconds=1)) is None


def test_a_start_of_service_from_the_future_is_unknown() -> None:
    token = sign_counter_start(SECRET, NOW + timedelta(minutes=1))
    assert read_counter_start(SECRET, token, NOW) is None


@pytest.mark.parametrize("typed", ["08:45", "8:45", "08h45", " 08:45 ", "08:45:00"])
def test_a_queue_ticket_time_is_today_in_vietnam(typed: str) -> None:
    assert queue_ticket_at(typed, NOW) == datetime(2026, 11, 20, 1, 45, tzinfo=UTC)


def test_a_queue_ticket_time_in_the_early_morning_is_the_vietnamese_day_not_the_utc_one() -> None:
    late_evening_utc = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 06:30 on the 20th in Hanoi
    assert queue_ticket_at("06:10", late_evening_utc) == datetime(2026, 11, 19, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize("typed", [None, "", "24:00", "8:7", "quarter past eight"])
def test_an_empty_or_unreadable_queue_ticket_time_gives_no_moment(typed: str | None) -> None:
    assert queue_ticket_at(typed, NOW) is None

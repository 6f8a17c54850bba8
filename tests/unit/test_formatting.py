"""How money and time are shown."""

from __future__ import annotations

from datetime import UTC, datetime

from postal_hub.templating import format_datetime, format_vnd


def test_vnd_is_written_with_dots_and_the_dong_sign() -> None:
    assert format_vnd(1234567) == "1.234.567 ₫"


def test_zero_dong_is_shown_as_zero() -> None:
    assert format_vnd(0) == "0 ₫"


def test_times_are_shown_in_vietnam_time_day_first() -> None:
    assert format_datetime(datetime(2026, 11, 20, 17, 30, tzinfo=UTC)) == "21/11/2026 00:30"

"""The working calendar behind SLAs counted in working hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.working_calendar import WorkingCalendar, due_at


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


def test_friday_16_00_plus_eight_working_hours_is_monday_16_00() -> None:
    assert WorkingCalendar().add_working_hours(local(2026, 11, 20, 16), 8) == local(2026, 11, 23, 16)


def test_the_lunch_break_is_not_working_time() -> None:
    assert WorkingCalendar().add_working_hours(local(2026, 11, 19, 11), 2) == local(2026, 11, 19, 14)


def test_work_starting_before_opening_counts_from_08_00() -> None:
    assert WorkingCalendar().add_working_hours(local(2026, 11, 19, 6, 30), 1) == local(2026, 11, 19, 9)


def test_a_weekend_start_counts_from_monday_morning() -> None:
    assert WorkingCalendar().add_working_hours(local(2026, 11, 21, 10), 3) == local(2026, 11, 23, 11)


def test_public_holidays_are_skipped() -> None:
    # 30/4 (Thursday) and 1/5 (Friday) 2026 are public holidays, then the weekend.
    assert WorkingCalendar().add_working_hours(local(2026, 4, 29, 16), 8) == local(2026, 5, 4, 16)


def test_tet_is_skipped() -> None:
    # Lunar New Year 2027: 4-10 February are days off.
    assert WorkingCalendar().add_working_hours(local(2027, 2, 3, 16), 2) == local(2027, 2, 11, 9)


def test_work_ending_exactly_at_closing_is_due_at_closing() -> None:
    assert WorkingCalendar().add_working_hours(local(2026, 11, 19, 13), 4) == local(2026, 11, 19, 17)


def test_calendar_hours_run_through_nights_and_weekends() -> None:
    start = local(2026, 11, 20, 16)
    assert due_at(start, 48, working_hours=False) == local(2026, 11, 22, 16).astimezone(UTC)


def test_negative_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_hours(local(2026, 11, 19, 9), -1)


def test_an_extra_day_off_is_skipped() -> None:
    from datetime import date

    calendar = WorkingCalendar(extra_days_off=[date(2026, 11, 23)])
    assert calendar.add_working_hours(local(2026, 11, 20, 16), 8) == local(
        2026, 11, 25, 16
    )  # 24/11 is a holiday


def test_an_official_make_up_saturday_is_a_working_day() -> None:
    # 31/08/2026 is bridged into the National Day holiday and made up on Saturday 22/08/2026.
    assert WorkingCalendar().add_working_hours(local(2026, 8, 21, 16), 2) == local(2026, 8, 22, 9)

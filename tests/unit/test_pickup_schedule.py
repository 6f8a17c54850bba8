"""Pickup windows from an office's weekly schedule, and the checks on a schedule's text."""

from __future__ import annotations

from datetime import date

import pytest

from postal_hub.core.clock import to_local
from postal_hub.core.validators import InvalidValue
from postal_hub.pickup.schedule import check_windows, windows_on
from postal_hub.pickup.tokens import manage_token, new_reference, token_matches

WINDOWS = "Mo-Fr 08:00-10:00,14:00-16:00; Sa 08:00-10:00"


def test_a_weekday_has_the_schedules_windows_in_local_time() -> None:
    windows = windows_on(WINDOWS, date(2026, 11, 23))
    assert [(to_local(w.start).hour, to_local(w.end).hour) for w in windows] == [(8, 10), (14, 16)]


def test_a_day_the_schedule_leaves_out_has_no_windows() -> None:
    assert windows_on(WINDOWS, date(2026, 11, 22)) == []  # a Sunday


def test_a_public_holiday_has_no_windows() -> None:
    assert windows_on(WINDOWS, date(2026, 9, 2)) == []  # National Day, a Wednesday


def test_windows_inside_the_opening_hours_are_accepted_in_tidy_form() -> None:
    assert check_windows("Mo-Fr  08:00-10:00", "Mo-Fr 07:30-17:00") == "Mo-Fr 08:00-10:00"


def test_a_window_outside_the_opening_hours_is_refused() -> None:
    with pytest.raises(InvalidValue):
        check_windows("Mo-Fr 16:00-18:00", "Mo-Fr 07:30-17:00")


def test_a_window_on_a_day_the_office_is_closed_is_refused() -> None:
    with pytest.raises(InvalidValue):
        check_windows("Su 08:00-10:00", "Mo-Fr 07:30-17:00")


def test_a_window_shorter_than_half_an_hour_is_refused() -> None:
    with pytest.raises(InvalidValue):
        check_windows("Mo 08:00-08:15", "Mo-Fr 07:30-17:00")


def test_references_avoid_characters_that_are_misread_aloud() -> None:
    reference = new_reference()
    assert reference.startswith("HP") and len(reference) == 10
    assert not set(reference[2:]) & set("01OI")


def test_a_manage_token_opens_only_its_own_booking() -> None:
    token = manage_token("secret", "HPAAAAAAAA", "salt")
    assert token_matches("secret", "HPAAAAAAAA", "salt", token)
    assert not token_matches("secret", "HPBBBBBBBB", "salt", token)
    assert not token_matches("other secret", "HPAAAAAAAA", "salt", token)
    assert not token_matches("secret", "HPAAAAAAAA", "salt", None)

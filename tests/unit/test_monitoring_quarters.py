"""Quarters as the reports name them: reading what a person typed, and their days."""

from __future__ import annotations

from datetime import date

import pytest

from postal_hub.core.errors import ValidationFailed
from postal_hub.monitoring.quarters import Quarter, last_finished, parse_quarter

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("typed", ["2026Q3", "2026-Q3", "2026q3", "2026-q3", " 2026Q3 ", "2026 Q3"])
def test_a_quarter_is_read_in_the_usual_spellings(typed: str) -> None:
    assert parse_quarter(typed, TODAY) == Quarter(2026, 3)


@pytest.mark.parametrize("typed", ["2026Q5", "2026Q0", "Q3 2026", "26Q3", "2026", "2026-07", "2026Q3x"])
def test_a_malformed_quarter_is_refused_on_its_field(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_quarter(typed, TODAY)
    assert "2026Q3" in refused.value.fields["quarter"]  # shows the right spelling


def test_an_empty_quarter_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_quarter("", TODAY)
    assert set(refused.value.fields) == {"quarter"}


def test_the_error_names_the_field_the_caller_gives() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_quarter("soon", TODAY, field="period")
    assert set(refused.value.fields) == {"period"}


def test_a_quarter_that_has_not_begun_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_quarter("2027Q1", TODAY)
    assert "2026Q4" in refused.value.message  # the latest one that may be asked for


def test_the_quarter_under_way_may_be_asked_for() -> None:
    assert parse_quarter("2026Q4", TODAY) == Quarter(2026, 4)


def test_a_quarter_before_2000_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        parse_quarter("1999Q4", TODAY)


def test_the_last_finished_quarter_is_the_one_before_today() -> None:
    assert last_finished(TODAY) == Quarter(2026, 3)
    assert last_finished(date(2026, 1, 1)) == Quarter(2025, 4)


@pytest.mark.parametrize(
    ("quarter", "start", "end", "days"),
    [
        (Quarter(2026, 1), date(2026, 1, 1), date(2026, 3, 31), 90),
        (Quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31), 91),
        (Quarter(2026, 2), date(2026, 4, 1), date(2026, 6, 30), 91),
        (Quarter(2026, 3), date(2026, 7, 1), date(2026, 9, 30), 92),
        (Quarter(2026, 4), date(2026, 10, 1), date(2026, 12, 31), 92),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_day(
    quarter: Quarter, start: date, end: date, days: int
) -> None:
    assert (quarter.start, quarter.end, quarter.days) == (start, end, days)


def test_the_quarter_before_the_first_is_the_last_of_the_year_before() -> None:
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 3).previous() == Quarter(2026, 2)


def test_a_quarter_is_written_year_q_number() -> None:
    assert str(Quarter(2026, 3)) == Quarter(2026, 3).code == "2026Q3"


def test_the_quarter_containing_a_day() -> None:
    assert Quarter.containing(date(2026, 9, 30)) == Quarter(2026, 3)
    assert Quarter.containing(date(2026, 10, 1)) == Quarter(2026, 4)

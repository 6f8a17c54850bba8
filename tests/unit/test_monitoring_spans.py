"""A run of days read as whole months plus or minus days: the signed pieces are exactly the run."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from postal_hub.monitoring.spans import Span, month_end, spans

DAY = timedelta(days=1)


def _days(span: Span) -> list[date]:
    end = month_end(span.start) if span.grain == "month" else span.end
    return [span.start + n * DAY for n in range((end - span.start).days + 1)]


def _coverage(found: list[Span]) -> Counter[date]:
    counted: Counter[date] = Counter()
    for span in found:
        for day in _days(span):
            counted[day] += span.sign
    return +counted  # drops the days that cancel out


def test_a_whole_month_is_one_month_piece() -> None:
    assert spans(date(2026, 11, 1), date(2026, 11, 30)) == [
        Span("month", date(2026, 11, 1), date(2026, 11, 30))
    ]


def test_a_few_days_inside_a_month_are_read_as_days() -> None:
    assert spans(date(2026, 11, 3), date(2026, 11, 9)) == [Span("day", date(2026, 11, 3), date(2026, 11, 9))]


def test_most_of_a_month_is_the_month_less_its_edge_days() -> None:
    assert spans(date(2026, 11, 3), date(2026, 11, 30)) == [
        Span("month", date(2026, 11, 1), date(2026, 11, 30)),
        Span("day", date(2026, 11, 1), date(2026, 11, 2), -1),
    ]


def test_days_after_today_cost_nothing_so_a_month_to_date_is_read_whole() -> None:
    found = spans(date(2026, 12, 1), date(2026, 12, 3), today=date(2026, 12, 3))
    assert found == [
        Span("month", date(2026, 12, 1), date(2026, 12, 31)),
        Span("day", date(2026, 12, 4), date(2026, 12, 31), -1),
    ]


def test_every_run_of_days_is_covered_exactly_once() -> None:
    first = date(2026, 1, 20)
    for offset in range(0, 80, 3):
        for length in range(1, 100, 4):
            start = first + offset * DAY
            end = start + (length - 1) * DAY
            for today in (None, end, start + (length // 2) * DAY):
                expected = Counter(start + n * DAY for n in range(length))
                assert _coverage(spans(start, end, today)) == expected, (start, end, today)

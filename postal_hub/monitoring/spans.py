"""A run of days as whole months plus or minus a few days, so a month table answers most of it.

Every measure is a sum, so the days of a partly covered month are either read from a day table, or
read as the whole month minus the days outside the run, whichever reads fewer days. Days after
`today` hold nothing yet and cost nothing: "the last 30 days" ending on the 3rd reads last month
less its first few days, and this month whole.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Span:
    grain: str  # "month": the month starting at `start`; "day": the days start..end inclusive
    start: date
    end: date
    sign: int = 1


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _costed_days(start: date, end: date, today: date | None) -> int:
    last = end if today is None else min(end, today)
    return max((last - start).days + 1, 0)


def spans(start: date, end: date, today: date | None = None) -> list[Span]:
    """Spans whose signed sum is exactly the days start..end (inclusive)."""
    found: list[Span] = []
    month = start.replace(day=1)
    while month <= end:
        last = month_end(month)
        inside_start, inside_end = max(start, month), min(end, last)
        if inside_start == month and inside_end == last:
            found.append(Span("month", month, last))
        else:
            inside = _costed_days(inside_start, inside_end, today)
            outside = _costed_days(month, inside_start - DAY, today) + _costed_days(
                inside_end + DAY, last, today
            )
            if inside <= outside:
                found.append(Span("day", inside_start, inside_end))
            else:
                found.append(Span("month", month, last))
                if inside_start > month:
                    found.append(Span("day", month, inside_start - DAY, -1))
                if inside_end < last:
                    found.append(Span("day", inside_end + DAY, last, -1))
        month = last + DAY
    return found

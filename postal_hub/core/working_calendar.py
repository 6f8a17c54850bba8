"""Working time in Vietnam: office hours on working days, public holidays skipped.

SLAs counted in working hours run only 08:00-12:00 and 13:00-17:00 (Asia/Ho_Chi_Minh), Monday to
Friday, and never on a public holiday. Holidays (lunar ones included, with observed and substituted
days) come from the maintained `holidays` package rather than a table typed by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from postal_hub.core.clock import LOCAL_TZ

OFFICE_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0)))
MAX_DAYS = 3660  # a guard: no SLA runs ten years


@lru_cache(maxsize=64)
def _official_year(year: int) -> holidays.HolidayBase:
    """Vietnam's official calendar for a year: holidays, days off in lieu, and the Saturdays worked to
    make up for a bridged day (e.g. 22/08/2026 for 31/08/2026)."""
    return holidays.country_holidays("VN", years=year)


class WorkingCalendar:
    def __init__(
        self, periods: tuple[tuple[time, time], ...] = OFFICE_PERIODS, extra_days_off: Iterable[date] = ()
    ) -> None:
        self.periods = periods
        self.extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, day: date) -> bool:
        return day not in self.extra_days_off and bool(_official_year(day.year).is_working_day(day))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start` (an aware datetime); returned in UTC."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(LOCAL_TZ)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                for begin, end in self.periods:
                    period_start = datetime.combine(day, begin, LOCAL_TZ)
                    period_end = datetime.combine(day, end, LOCAL_TZ)
                    if cursor >= period_end:
                        continue
                    cursor = max(cursor, period_start)
                    available = period_end - cursor
                    if remaining <= available:
                        return (cursor + remaining).astimezone(UTC)
                    remaining -= available
                    cursor = period_end
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0, 0), LOCAL_TZ)
        raise ValueError("the deadline lies more than ten years ahead")


def due_at(
    start: datetime, hours: float, working_hours: bool, calendar: WorkingCalendar | None = None
) -> datetime:
    """When an SLA of `hours` that starts at `start` ends, in working or calendar hours."""
    if working_hours:
        return (calendar or WorkingCalendar()).add_working_hours(start, hours)
    return (start + timedelta(hours=hours)).astimezone(UTC)

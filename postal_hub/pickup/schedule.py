"""An office's pickup windows on a given day, from its weekly schedule and the public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache

import holidays
from flask_babel import lazy_gettext as _l

from postal_hub.core import opening_hours
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.validators import InvalidValue

MIN_WINDOW_MINUTES = 30


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, UTC
    end: datetime


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


@lru_cache(maxsize=256)
def _parsed(windows_text: str) -> opening_hours.Schedule:
    return opening_hours.parse(windows_text)


def is_public_holiday(day: date) -> bool:
    """Post offices open on Saturdays, but nobody is sent out on Tết or another official holiday."""
    return day in _holidays(day.year)


def windows_on(windows_text: str, day: date) -> list[Window]:
    """The day's windows; none on a public holiday or a weekday the schedule leaves out."""
    if is_public_holiday(day):
        return []
    schedule = _parsed(windows_text)
    return [
        Window(
            datetime.combine(day, begin, LOCAL_TZ).astimezone(UTC),
            datetime.combine(day, end, LOCAL_TZ).astimezone(UTC),
        )
        for begin, end in schedule.get(day.weekday(), [])
    ]


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def check_windows(windows_text: str, office_hours_text: str) -> str:
    """Windows in the office's opening-hours syntax, each at least 30 minutes and inside the office's
    opening hours that day (the postman leaves from and returns to an open office)."""
    tidy = opening_hours.normalise(windows_text)
    windows = opening_hours.parse(tidy)
    try:
        open_hours = opening_hours.parse(office_hours_text)
    except InvalidValue:
        open_hours = {}
    for day, periods in windows.items():
        for begin, end in periods:
            if _minutes(end) - _minutes(begin) < MIN_WINDOW_MINUTES:
                raise InvalidValue(_l("Each pickup window must last at least 30 minutes."))
            if not any(o_begin <= begin and end <= o_end for o_begin, o_end in open_hours.get(day, [])):
                raise InvalidValue(
                    _l(
                        "The window %(start)s-%(end)s on %(day)s lies outside the office's opening hours.",
                        start=begin.strftime("%H:%M"),
                        end=end.strftime("%H:%M"),
                        day=opening_hours.DAYS[day],
                    )
                )
    return tidy

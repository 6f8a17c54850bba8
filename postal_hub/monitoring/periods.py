"""The periods a dashboard shows: presets relative to today, or two dates, and the grain of its series."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from postal_hub.core.validation import FieldErrors

PRESETS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
    "last_30_days": _l("Last 30 days"),
    "custom": _l("Choose dates"),
}
GRAINS = {"day": _l("By day"), "week": _l("By week"), "month": _l("By month")}
LONGEST_DAYS = 731  # two years: a longer view is a report, not a dashboard
# Dates outside these years are typing mistakes (and 0001-01-01 has no day before it to compare with).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    preset: str
    start: date
    end: date

    @property
    def default_grain(self) -> str:
        days = (self.end - self.start).days + 1
        return "day" if days <= 62 else "week" if days <= 186 else "month"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, _month_end(date(first.year, first.month + 2, 1))


def preset_period(preset: str, today: date) -> Period:
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(preset, end.replace(day=1), end)
    if preset == "this_quarter":
        start, end = quarter_of(today)
        return Period(preset, start, end)
    if preset == "last_quarter":
        start, _ = quarter_of(today)
        previous_start, previous_end = quarter_of(start - timedelta(days=1))
        return Period(preset, previous_start, previous_end)
    if preset == "this_year":
        return Period(preset, date(today.year, 1, 1), date(today.year, 12, 31))
    if preset == "last_30_days":
        return Period(preset, today - timedelta(days=29), today)
    return Period("this_month", today.replace(day=1), _month_end(today))


def parse_period(preset: str, start: str, end: str, today: date) -> Period:
    """A preset, or two dates (dd/mm/yyyy or yyyy-mm-dd); bad dates name their field."""
    if preset != "custom":
        return preset_period(preset if preset in PRESETS else "this_month", today)
    errors = FieldErrors()
    first = _parse_date(start, "start", errors)
    last = _parse_date(end, "end", errors)
    if first and last:
        if last < first:
            errors.add("end", _l("The end date is before the start date."))
        elif (last - first).days + 1 > LONGEST_DAYS:
            errors.add("end", _l("Choose at most two years; the quarterly report covers longer comparisons."))
    errors.raise_if_any()
    assert first is not None and last is not None
    return Period("custom", first, last)


def _parse_date(text: str, name: str, errors: FieldErrors) -> date | None:
    text = (text or "").strip()
    if not text:
        errors.add(name, _l("Enter a date."))
        return None
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            found = date(year, month, day)
        else:
            found = date.fromisoformat(text)
    except ValueError:
        errors.add(name, _l("Enter the date as dd/mm/yyyy."))
        return None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        errors.add(name, _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        return None
    return found

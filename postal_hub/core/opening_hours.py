"""Office opening hours in a small subset of OpenStreetMap's opening_hours syntax.

Example: "Mo-Fr 07:30-11:30,13:30-17:30; Sa 07:30-11:30". Kept as text (readable, editable in a
CSV) and parsed into a weekly schedule whenever a feature needs it.
"""

from __future__ import annotations

import re
from datetime import time
from itertools import pairwise

from flask_babel import lazy_gettext as _l

from postal_hub.core.validators import InvalidValue

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RULE = re.compile(r"^(?P<days>[A-Za-z,\-]+)\s+(?P<ranges>\S+)$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Schedule = dict[int, list[tuple[time, time]]]


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        bounds = part.split("-")
        if len(bounds) > 2 or any(b not in DAYS for b in bounds):
            raise InvalidValue(_l("Unknown day in opening hours; use Mo Tu We Th Fr Sa Su."))
        first, last = DAYS.index(bounds[0]), DAYS.index(bounds[-1])
        if last < first:
            raise InvalidValue(_l("A day range in opening hours must run forwards, e.g. Mo-Fr."))
        days.extend(range(first, last + 1))
    return days


MAX_LENGTH = 255


def parse(text: str) -> Schedule:
    schedule: Schedule = {}
    if len(text or "") > MAX_LENGTH:
        raise InvalidValue(_l("At most %(n)d characters.", n=MAX_LENGTH))
    rules = [r.strip() for r in (text or "").split(";") if r.strip()]
    if not rules:
        raise InvalidValue(_l("Enter opening hours, e.g. Mo-Fr 07:30-17:00; Sa 07:30-11:30."))
    for rule in rules:
        match = _RULE.match(rule)
        if not match:
            raise InvalidValue(_l("Write each rule as days and times, e.g. Mo-Fr 07:30-17:00."))
        ranges: list[tuple[time, time]] = []
        for item in match["ranges"].split(","):
            m = _RANGE.match(item)
            if not m:
                raise InvalidValue(_l("Write times as HH:MM-HH:MM."))
            h1, m1, h2, m2 = (int(x) for x in m.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise InvalidValue(_l("A time in opening hours is not a real time of day."))
            start, end = time(h1, m1), time(h2, m2)
            if end <= start:
                raise InvalidValue(_l("Each opening period must end after it starts."))
            ranges.append((start, end))
        for day in _days(match["days"]):
            periods = sorted(schedule.get(day, []) + ranges)
            if any(a[1] > b[0] for a, b in pairwise(periods)):
                raise InvalidValue(_l("Opening periods on the same day overlap."))
            schedule[day] = periods
    return schedule


def normalise(text: str) -> str:
    """Validate and return the text in its tidy form (single spaces, '; ' between rules)."""
    parse(text)
    return "; ".join(" ".join(rule.split()) for rule in text.split(";") if rule.strip())

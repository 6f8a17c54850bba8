"""Calendar quarters as the reports name them ("2026Q3"), and reading one from what a person typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NoReturn

from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import ValidationFailed

_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q\s*([1-4])", re.IGNORECASE)
FIRST_YEAR = 2000  # nothing was outsourced to the post before; an earlier year is a typo


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    def __str__(self) -> str:
        return self.code

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)


def last_finished(today: date) -> Quarter:
    """The quarter a report is usually asked for: the last one that has ended."""
    return Quarter.containing(today).previous()


def parse_quarter(text: str | None, today: date, field: str = "quarter") -> Quarter:
    """ "2026Q3", "2026-Q3", "2026q3" (spaces ignored); the running quarter is allowed (a report to
    date), one that has not begun is refused. Errors name `field`."""
    cleaned = (text or "").strip()
    if not cleaned:
        _fail(field, _l("Enter a quarter, for example %(example)s.", example=last_finished(today).code))
    found = _QUARTER.fullmatch(cleaned)
    if found is None:
        _fail(
            field,
            _l(
                "Write the quarter as the year, Q and the quarter's number, for example %(example)s.",
                example=last_finished(today).code,
            ),
        )
    quarter = Quarter(int(found.group(1)), int(found.group(2)))
    if quarter.year < FIRST_YEAR:
        _fail(field, _l("Choose a quarter from %(year)d on.", year=FIRST_YEAR))
    if quarter.start > today:
        _fail(
            field,
            _l(
                "%(quarter)s has not begun yet: choose %(latest)s or earlier.",
                quarter=quarter.code,
                latest=Quarter.containing(today).code,
            ),
        )
    return quarter


def _fail(field: str, message: object) -> NoReturn:
    raise ValidationFailed(str(message), {field: str(message)})

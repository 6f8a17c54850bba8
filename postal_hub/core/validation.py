"""Collecting field-level problems so one submission reports all of them at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import ValidationFailed
from postal_hub.core.validators import InvalidValue

R = TypeVar("R")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Vietnam's mainland and islands, Trường Sa included: a point outside is a typo (swapped lat/lon).
VN_LAT = (8.0, 24.0)
VN_LON = (102.0, 118.0)


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, field: str, validator: Callable[..., R], *args: Any) -> R | None:
        try:
            return validator(*args)
        except InvalidValue as exc:
            self.add(field, exc.message)
            return None

    def add(self, field: str, message: object) -> None:
        self.errors.setdefault(field, str(message))

    def require(self, field: str, value: str | None, max_length: int = 255) -> str:
        text = " ".join((value or "").split())
        if not text:
            self.add(field, _l("This field is required."))
        elif len(text) > max_length:
            self.add(field, _l("At most %(n)d characters.", n=max_length))
        return text

    def optional_text(self, field: str, value: str | None, max_length: int) -> str:
        text = " ".join((value or "").split())
        if len(text) > max_length:
            self.add(field, _l("At most %(n)d characters.", n=max_length))
        return text

    def email(self, field: str, value: str | None) -> str | None:
        text = (value or "").strip()
        if not text:
            return None
        if not _EMAIL.match(text) or len(text) > 255:
            self.add(field, _l("This is not an e-mail address."))
        return text.lower()

    def coordinates(self, lat: float | None, lon: float | None) -> None:
        if (lat is None) != (lon is None):
            self.add("lat" if lat is None else "lon", _l("Give both latitude and longitude, or neither."))
        elif lat is not None and lon is not None:
            if not VN_LAT[0] <= lat <= VN_LAT[1]:
                self.add("lat", _l("This latitude is outside Vietnam (8 to 24)."))
            if not VN_LON[0] <= lon <= VN_LON[1]:
                self.add("lon", _l("This longitude is outside Vietnam (102 to 118)."))

    def sane_date(self, field: str, value: date | None) -> date | None:
        """Dates in contracts and records lie between 2000 and 2100; anything else is a typing slip."""
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            self.add(field, _l("Enter a date between 2000 and 2100."))
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(str(_l("Please correct the fields marked below.")), dict(self.errors))

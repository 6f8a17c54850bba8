"""Opening hours in the OSM subset offices use."""

from __future__ import annotations

from datetime import time

import pytest

from postal_hub.core import opening_hours
from postal_hub.core.validators import InvalidValue


def test_weekday_range_with_lunch_break_and_saturday_morning_parses() -> None:
    schedule = opening_hours.parse("Mo-Fr 07:30-11:30,13:30-17:00; Sa 07:30-11:30")
    assert schedule[0] == [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
    assert schedule[5] == [(time(7, 30), time(11, 30))]
    assert 6 not in schedule


def test_normalised_text_has_single_spaces() -> None:
    assert (
        opening_hours.normalise(" Mo-Fr   07:30-17:00 ;Sa 08:00-11:00 ")
        == "Mo-Fr 07:30-17:00; Sa 08:00-11:00"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mon-Fri 07:30-17:00",
        "Mo-Fr 7:30-17:00",
        "Mo-Fr 17:00-07:30",
        "Fr-Mo 07:00-17:00",
        "Mo 07:00-12:00; Mo 11:00-13:00",
        "Mo 25:00-26:00",
    ],
)
def test_malformed_opening_hours_are_rejected(text: str) -> None:
    with pytest.raises(InvalidValue):
        opening_hours.parse(text)

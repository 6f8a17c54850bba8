"""The offices and units furthest from target, scored and ranked in SQL: the same order and figures
the targets give when worked out by hand from each one's totals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.monitoring import dashboard, query
from postal_hub.monitoring.query import Filters, Scope
from postal_hub.monitoring.refresh import refresh
from tests.factories_monitoring import MONDAY, past_dossier, second_world, trip, world
from tests.fakes import FixedClock

DAY = timedelta(days=1)
NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
MID_NOVEMBER = Filters(start=date(2026, 11, 2), end=date(2026, 11, 20))


@pytest.fixture
def offices(session: Session, clock: FixedClock) -> dict[str, dict[str, Any]]:
    """Office `late` delivers its six results a month late; `on_time` delivers its six on time;
    `few` is late too, but with three dossiers too few to be judged."""
    late = world(session)
    on_time = second_world(session, late, office_province="48")
    few = second_world(session, on_time, office_province="31")
    for n in range(6):
        past_dossier(session, late, trip(MONDAY + n * DAY, delivered_after=40 * DAY))
        past_dossier(session, on_time, trip(MONDAY + n * DAY))
    for n in range(3):
        past_dossier(session, few, trip(MONDAY + n * DAY, delivered_after=40 * DAY))
    refresh(session, clock.now())
    return {"late": late, "on_time": on_time, "few": few}


def _by_hand(session: Session, filters: Filters, key: str, unit_side: bool) -> list[tuple[int, float]]:
    """Each one's totals, scored against the targets in Python and sorted as the dashboard promises."""
    scored = []
    for (value,), totals in query.summed(session, Scope(), filters, (key,)):
        points, _misses = dashboard._shortfalls(totals, unit_side)
        if points > 0:
            scored.append((int(value), round(points, 1), totals["dossiers"]))
    scored.sort(key=lambda s: (-s[1], -s[2], s[0]))
    return [(value, points) for value, points, _d in scored]


def _ranked(session: Session, filters: Filters, key: str, unit_side: bool) -> list[dashboard.Ranked]:
    return dashboard.ranked(session, Scope(), filters, key, lambda ids: {}, unit_side)


def test_the_office_delivering_late_is_ranked_first_for_missing_the_on_time_target(
    session: Session, offices: dict[str, dict[str, Any]]
) -> None:
    top = _ranked(session, NOVEMBER, "office_id", unit_side=False)
    assert top[0].id == offices["late"]["office"].id
    assert "on_time" in top[0].misses
    assert top[0].totals["dossiers"] == 6


def test_an_office_with_too_few_dossiers_is_not_judged_on_its_rates(
    session: Session, offices: dict[str, dict[str, Any]]
) -> None:
    ranked_ids = [r.id for r in _ranked(session, NOVEMBER, "office_id", unit_side=False)]
    assert offices["few"]["office"].id not in ranked_ids


@pytest.mark.parametrize("filters", [NOVEMBER, MID_NOVEMBER], ids=["month", "days"])
@pytest.mark.parametrize(
    ("key", "unit_side"), [("office_id", False), ("unit_id", True)], ids=["offices", "units"]
)
def test_the_ranking_in_sql_is_the_ranking_worked_out_by_hand(
    session: Session, offices: dict[str, dict[str, Any]], filters: Filters, key: str, unit_side: bool
) -> None:
    expected = _by_hand(session, filters, key, unit_side)
    got = [(r.id, r.shortfall) for r in _ranked(session, filters, key, unit_side)]
    assert got == expected
    assert expected


def test_the_ranking_stops_at_its_limit(session: Session, offices: dict[str, dict[str, Any]]) -> None:
    assert len(dashboard.ranked(session, Scope(), NOVEMBER, "unit_id", lambda ids: {}, True, limit=1)) == 1

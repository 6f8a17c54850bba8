"""The day planner serves every pickup it can within its window, back before closing, spread over postmen."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest

from postal_hub.pickup.planner import Depot, Plan, Stop, plan_day

OFFICE = Depot(lat=21.0285, lon=105.8542, open_minute=7 * 60 + 30, close_minute=17 * 60 + 30)
QUICK = 0.3  # seconds: these days are small, the search settles long before


def _stops(n: int, seed: int = 3, *, spread_km: float = 4.0, window: int = 120) -> list[Stop]:
    """Pickups scattered around the office, each with a window starting on the hour 08:00-15:00."""
    rng = random.Random(seed)
    degrees = spread_km / 111
    stops = []
    for key in range(100, 100 + n):
        start = rng.randint(8, 15) * 60
        lat, lon = OFFICE.lat + rng.uniform(-degrees, degrees), OFFICE.lon + rng.uniform(-degrees, degrees)
        stops.append(Stop(key, lat, lon, start, start + window, rng.randint(5, 10)))
    return stops


def _road_km(a: tuple[float, float], b: tuple[float, float], road_factor: float = 1.3) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h)) * road_factor


def _planned_keys(plan: Plan) -> list[int]:
    return [s.key for r in plan.routes for s in r.stops]


def test_every_planned_arrival_lies_within_its_stop_window() -> None:
    stops = _stops(30)
    windows = {s.key: (s.window_start, s.window_end) for s in stops}
    plan = plan_day(OFFICE, stops, [1, 2, 3], max_seconds=QUICK)
    assert _planned_keys(plan)
    for route in plan.routes:
        for stop in route.stops:
            low, high = windows[stop.key]
            assert low <= stop.arrival_minute <= high


def test_every_route_returns_before_the_office_closes() -> None:
    late_day = [Stop(s.key, s.lat, s.lon, 16 * 60, 17 * 60 + 20, s.service_minutes) for s in _stops(12)]
    plan = plan_day(OFFICE, late_day, [1, 2], max_seconds=QUICK)
    for route in plan.routes:
        assert route.return_minute <= OFFICE.close_minute
        if route.stops:
            assert route.return_minute >= route.stops[-1].arrival_minute


@pytest.mark.parametrize(
    ("window_start", "window_end"),
    [(7 * 60 + 30, 7 * 60 + 40), (17 * 60 + 10, 17 * 60 + 25)],
    ids=["window-over-before-the-postman-can-get-there", "no-way-back-before-closing"],
)
def test_a_stop_that_cannot_be_reached_in_its_window_is_reported_unserved(
    window_start: int, window_end: int
) -> None:
    far = Stop(1, OFFICE.lat + 0.09, OFFICE.lon, window_start, window_end, 10)  # 10 km north
    near = Stop(2, OFFICE.lat + 0.005, OFFICE.lon, 9 * 60, 11 * 60, 5)
    plan = plan_day(OFFICE, [far, near], [7], max_seconds=QUICK)
    assert plan.unserved == (1,)
    assert _planned_keys(plan) == [2]


def test_each_stop_appears_exactly_once_across_routes_and_unserved() -> None:
    # One postman cannot do 40 stops in a day, and two of them are out of reach altogether.
    stops = [
        *_stops(40, seed=5),
        Stop(1, 21.2, 105.85, 8 * 60, 8 * 60 + 30, 5),
        Stop(2, 21.03, 105.86, 5, 6, 5),
    ]
    plan = plan_day(OFFICE, stops, [1], max_seconds=QUICK)
    assert {1, 2} <= set(plan.unserved)
    assert sorted(_planned_keys(plan) + list(plan.unserved)) == sorted(s.key for s in stops)


def test_no_postman_gets_every_stop_on_a_busy_day_in_one_street() -> None:
    # A single round would be shortest; the day is still shared, none a tenth above an even share.
    stops = [Stop(k, OFFICE.lat + k * 1e-4, OFFICE.lon, 8 * 60, 16 * 60, 5) for k in range(1, 31)]
    plan = plan_day(OFFICE, stops, [1, 2, 3], max_seconds=QUICK)
    counts = [len(r.stops) for r in plan.routes]
    assert sum(counts) == 30
    assert max(counts) <= math.ceil(30 * 1.1 / 3)


def test_a_day_without_stops_gives_each_postman_an_empty_route() -> None:
    plan = plan_day(OFFICE, [], [4, 5])
    assert [(r.postman_key, r.stops, r.distance_km) for r in plan.routes] == [(4, (), 0.0), (5, (), 0.0)]
    assert plan.unserved == ()
    assert plan.total_km == 0


def test_a_day_without_postmen_leaves_every_stop_unserved() -> None:
    stops = _stops(5)
    plan = plan_day(OFFICE, stops, [])
    assert plan.routes == ()
    assert plan.unserved == tuple(s.key for s in stops)


def test_routes_come_one_per_postman_in_the_order_given() -> None:
    plan = plan_day(OFFICE, _stops(3), [30, 10, 20], max_seconds=QUICK)
    assert [r.postman_key for r in plan.routes] == [30, 10, 20]


def test_leg_distances_and_the_way_back_add_up_to_the_route_distance() -> None:
    stops = _stops(20, seed=8)
    where = {s.key: (s.lat, s.lon) for s in stops}
    office = (OFFICE.lat, OFFICE.lon)
    plan = plan_day(OFFICE, stops, [1, 2], max_seconds=QUICK)
    for route in (r for r in plan.routes if r.stops):
        path = [office, *(where[s.key] for s in route.stops)]
        for leg, (a, b) in zip((s.leg_km for s in route.stops), pairwise(path), strict=True):
            assert leg == pytest.approx(_road_km(a, b), abs=0.001)
        way_back = _road_km(path[-1], office)
        assert sum(s.leg_km for s in route.stops) + way_back == pytest.approx(route.distance_km, abs=0.002)
    assert plan.total_km == pytest.approx(sum(r.distance_km for r in plan.routes))


def test_the_same_seed_gives_the_same_plan() -> None:
    stops = _stops(25, seed=9)
    first = plan_day(OFFICE, stops, [1, 2, 3], max_seconds=QUICK, seed=4)
    second = plan_day(OFFICE, stops, [1, 2, 3], max_seconds=QUICK, seed=4)
    assert (first.routes, first.unserved) == (second.routes, second.unserved)


def test_a_search_cut_short_still_keeps_every_window() -> None:
    stops = _stops(40, seed=10, window=30)
    windows = {s.key: (s.window_start, s.window_end) for s in stops}
    plan = plan_day(OFFICE, stops, [1, 2], max_seconds=0)
    for route in plan.routes:
        assert route.return_minute <= OFFICE.close_minute
        assert all(windows[s.key][0] <= s.arrival_minute <= windows[s.key][1] for s in route.stops)
    assert sorted(_planned_keys(plan) + list(plan.unserved)) == sorted(windows)


@pytest.mark.parametrize(
    "stops",
    [
        [Stop(1, 21.03, 105.85, 10 * 60, 9 * 60, 5)],
        [Stop(1, 21.03, 105.85, 9 * 60, 10 * 60, 5), Stop(1, 21.04, 105.85, 9 * 60, 10 * 60, 5)],
    ],
    ids=["window-ending-before-it-starts", "two-stops-with-one-key"],
)
def test_a_malformed_day_is_refused(stops: list[Stop]) -> None:
    with pytest.raises(ValueError):
        plan_day(OFFICE, stops, [1])

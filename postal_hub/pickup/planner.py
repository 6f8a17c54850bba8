"""The day planner for home pickups: which postman rings which door, in which order, at what time.

A vehicle-routing problem with time windows, solved by PyVRP's iterated local search. There is no road
network offline, so a leg is the great-circle distance on the mean Earth sphere (within 0.6 % of the
WGS-84 geodesic) times `road_factor`, and its duration follows from one average speed: the plan is a
good order for the day, not a turn-by-turn itinerary.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from postal_hub.core.geo.nearest import chord_to_km, unit_vectors

# A postman takes at most a tenth more stops than an even share of the day. On the benchmark days
# this costs at most 1.2 % in kilometres against a quarter more (which let one postman get 7 stops
# and another 19); an exactly even split would cost 2-7 % more.
BALANCE_SLACK = 0.1
# The search runs a fixed number of iterations, so a seed gives the same plan on any machine that
# finishes them within `max_seconds`: two thirds to three quarters of the 1,300-1,550 per second the
# benchmark's 2-core machine runs on days of 60-150 stops (smaller days go faster). The time limit
# binds only on a slower or busier machine, and then the plan may differ from run to run.
ITERATIONS_PER_SECOND = 1_000


@dataclass(frozen=True)
class Stop:
    key: int
    lat: float
    lon: float
    window_start: int  # minutes after local midnight
    window_end: int  # service must start within [window_start, window_end]
    service_minutes: int


@dataclass(frozen=True)
class Depot:
    lat: float
    lon: float
    open_minute: int  # postmen leave the office from then
    close_minute: int  # and must be back by then


@dataclass(frozen=True)
class PlannedStop:
    key: int
    arrival_minute: int  # planned start of service
    leg_km: float  # from the previous stop, or from the office


@dataclass(frozen=True)
class Route:
    postman_key: int
    stops: tuple[PlannedStop, ...]
    distance_km: float  # the way back to the office included
    return_minute: int  # the opening minute for a postman with no stops


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]  # one per postman, in the order given
    unserved: tuple[int, ...]  # stops no postman can serve within their window, in the order given
    total_km: float
    solve_seconds: float


def default_max_seconds(stop_count: int) -> float:
    """60 stops in under a second and 150 in under three, matrices and checks included."""
    return min(2.5, max(0.3, stop_count / 70))


def balanced_capacity(stop_count: int, postman_count: int) -> int:
    """The most stops one postman is given: an even share plus `BALANCE_SLACK`."""
    return max(1, math.ceil(stop_count * (1 + BALANCE_SLACK) / postman_count))


def travel_matrices(
    depot: Depot, stops: Sequence[Stop], speed_kmh: float, road_factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Road metres and travel seconds between the office (index 0) and the stops (1..n), as integers."""
    lat = np.array([depot.lat, *(s.lat for s in stops)], dtype=float)
    lon = np.array([depot.lon, *(s.lon for s in stops)], dtype=float)
    xyz = unit_vectors(lat, lon)
    chord = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=2)
    metres = np.rint(np.asarray(chord_to_km(chord)) * 1000 * road_factor).astype(np.int64)
    seconds = np.rint(metres / (speed_kmh / 3.6)).astype(np.int64)
    return metres, seconds


def plan_day(
    depot: Depot,
    stops: Sequence[Stop],
    postmen: Sequence[int],
    *,
    max_seconds: float | None = None,
    speed_kmh: float = 20.0,
    road_factor: float = 1.3,
    seed: int = 1,
) -> Plan:
    """Serves every stop it can within its window, for the fewest road kilometres, no postman over
    `balanced_capacity`, everyone back by closing; the others are listed in `unserved`, never dropped."""
    _validate(depot, stops, postmen, speed_kmh, road_factor, max_seconds)
    started = time.perf_counter()
    if not stops or not postmen:
        idle = tuple(Route(p, (), 0.0, depot.open_minute) for p in postmen)
        return Plan(idle, tuple(s.key for s in stops), 0.0, time.perf_counter() - started)

    metres, seconds = travel_matrices(depot, stops, speed_kmh, road_factor)
    day = _Day(depot, stops, metres, seconds)
    reachable = [i for i in range(1, len(stops) + 1) if day.reachable_alone(i)]
    orders: list[list[int]] = []
    if reachable:
        budget = default_max_seconds(len(stops)) if max_seconds is None else max_seconds
        orders = _solve(day, reachable, len(postmen), budget, seed)

    orders = _by_first_visit(day, orders)
    orders += [[]] * (len(postmen) - len(orders))
    routes: list[Route] = []
    served: set[int] = set()
    for postman_key, order in zip(postmen, orders, strict=True):
        kept = day.kept_on_time(order)
        served.update(kept)
        routes.append(day.route(postman_key, kept))
    unserved = tuple(s.key for i, s in enumerate(stops, start=1) if i not in served)
    total_km = sum(r.distance_km for r in routes)
    return Plan(tuple(routes), unserved, total_km, time.perf_counter() - started)


def _validate(
    depot: Depot,
    stops: Sequence[Stop],
    postmen: Sequence[int],
    speed_kmh: float,
    road_factor: float,
    max_seconds: float | None,
) -> None:
    if depot.close_minute < depot.open_minute:
        raise ValueError("the office closes before it opens")
    if max_seconds is not None and max_seconds < 0:
        raise ValueError("max_seconds cannot be negative")
    if speed_kmh <= 0 or road_factor < 1:
        raise ValueError("speed must be positive and the road factor at least 1")
    if len({s.key for s in stops}) != len(stops) or len(set(postmen)) != len(postmen):
        raise ValueError("stop keys and postman keys must be unique")
    for s in stops:
        if s.window_end < s.window_start or s.service_minutes < 0:
            raise ValueError(f"stop {s.key}: the window ends before it starts, or service is negative")


class _Day:
    """The day's data in the solver's units (metres, seconds after midnight); index 0 is the office."""

    def __init__(self, depot: Depot, stops: Sequence[Stop], metres: np.ndarray, seconds: np.ndarray):
        self.depot, self.stops, self.metres, self.seconds = depot, stops, metres, seconds
        self.open, self.close = depot.open_minute * 60, depot.close_minute * 60

    def stop(self, i: int) -> Stop:
        return self.stops[i - 1]

    def reachable_alone(self, i: int) -> bool:
        return self.feasible([i])

    def timed(self, order: Sequence[int]) -> tuple[list[int], int] | None:
        """Service start at each stop and the time back, leaving the office at opening and waiting
        at a door when early; None when a window is missed."""
        starts, now, here = [], self.open, 0
        for i in order:
            s = self.stop(i)
            start = max(now + int(self.seconds[here, i]), s.window_start * 60)
            if start > s.window_end * 60:
                return None
            starts.append(start)
            now, here = start + s.service_minutes * 60, i
        return starts, now + int(self.seconds[here, 0])

    def feasible(self, order: Sequence[int]) -> bool:
        timed = self.timed(order)
        return timed is not None and timed[1] <= self.close

    def kept_on_time(self, order: Sequence[int]) -> list[int]:
        """The solver's order as it is when it holds (it does whenever PyVRP found a feasible plan);
        otherwise stops that would be late are skipped, then the last cut until back by closing."""
        if self.feasible(order):
            return list(order)
        kept: list[int] = []
        for i in order:
            if self.timed([*kept, i]) is not None:
                kept.append(i)
        while kept and not self.feasible(kept):
            kept.pop()
        return kept

    def route(self, postman_key: int, order: Sequence[int]) -> Route:
        timed = self.timed(order)
        assert timed is not None  # only feasible orders reach here
        starts, back = timed
        legs = [int(self.metres[a, b]) for a, b in pairwise([0, *order])]
        total = sum(legs) + (int(self.metres[order[-1], 0]) if order else 0)
        planned = tuple(
            # Floor and ceiling keep whole minutes inside the windows measured in seconds.
            PlannedStop(self.stop(i).key, start // 60, leg / 1000)
            for i, start, leg in zip(order, starts, legs, strict=True)
        )
        return Route(postman_key, planned, total / 1000, -(-back // 60) if order else self.depot.open_minute)


def _solve(
    day: _Day, reachable: list[int], postman_count: int, max_seconds: float, seed: int
) -> list[list[int]]:
    """PyVRP's routes as lists of stop indexes. Stops are optional with a prize above any detour, so
    an impossible day yields a plan that leaves some out instead of no plan at all."""
    model = Model()
    office = model.add_location(x=day.depot.lon, y=day.depot.lat)
    places = [model.add_location(x=day.stop(i).lon, y=day.stop(i).lat) for i in reachable]
    model.add_depot(office, tw_early=day.open, tw_late=day.close)
    prize = int(4 * day.metres.max()) + 1_000  # a stop's detour is at most twice the longest leg
    for place, i in zip(places, reachable, strict=True):
        s = day.stop(i)
        model.add_client(
            place,
            delivery=1,
            service_duration=s.service_minutes * 60,
            tw_early=s.window_start * 60,
            tw_late=s.window_end * 60,
            prize=prize,
            required=False,
        )
    model.add_vehicle_type(
        num_available=postman_count,
        capacity=balanced_capacity(len(reachable), postman_count),
        tw_early=day.open,
        tw_late=day.close,
    )
    where = [0, *reachable]
    everywhere = [office, *places]
    for a, frm in zip(where, everywhere, strict=True):
        for b, to in zip(where, everywhere, strict=True):
            if a != b:
                model.add_edge(frm, to, distance=int(day.metres[a, b]), duration=int(day.seconds[a, b]))
    iterations = max(1, int(ITERATIONS_PER_SECOND * max_seconds))
    stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(max_seconds)])
    result = model.solve(stop=stop, seed=seed, collect_stats=False, display=False)
    return [
        [reachable[visit.idx] for visit in r.schedule() if visit.is_client()] for r in result.best.routes()
    ]


def _by_first_visit(day: _Day, orders: list[list[int]]) -> list[list[int]]:
    """Postmen are interchangeable to the solver; the earliest round goes to the first postman given."""
    return sorted(orders, key=lambda o: (day.stop(o[0]).window_start, day.stop(o[0]).key) if o else (0, 0))

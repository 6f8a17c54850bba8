"""Day planning for home pickups: the planner (PyVRP) against OR-Tools and a nearest-neighbour round.

Generated days of 20, 60 and 150 pickups around a post office in Hoàn Kiếm, Hà Nội, spread over the
inner districts like the people who book them; 2-hour windows between 08:00 and 17:00, 5-10 minutes
at each door. All three get the same road-metre and travel-second matrices, windows, service times
and per-postman stop limit, and every answer is re-checked here by one forward pass over the matrices.
Usage: .venv/bin/python bench/day_planning.py [--quick] [--ortools-seconds 30] [--repeat 3]
(OR-Tools is a bench-only dependency: .venv/bin/pip install -r bench/requirements.txt)
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np

from postal_hub.pickup.planner import Depot, Stop, balanced_capacity, plan_day, travel_matrices

OFFICE = (21.0285, 105.8542)  # Hoàn Kiếm
RADIUS_KM = 8.0
# Neighbourhood centres and rough weights (population): bookings come from where people live.
DISTRICTS = [
    ((21.0285, 105.8542), 1.5),  # Hoàn Kiếm
    ((21.0340, 105.8140), 2.3),  # Ba Đình
    ((21.0180, 105.8270), 3.7),  # Đống Đa
    ((21.0060, 105.8570), 2.9),  # Hai Bà Trưng
    ((21.0330, 105.7900), 2.9),  # Cầu Giấy
    ((21.0680, 105.8180), 1.6),  # Tây Hồ
    ((21.0460, 105.8880), 3.2),  # Long Biên, across the Red River
    ((20.9950, 105.8100), 2.9),  # Thanh Xuân
    ((20.9760, 105.8630), 5.1),  # Hoàng Mai
]
DAYS = [(20, 2, 2020), (60, 4, 2060), (150, 6, 2150)]  # pickups, postmen, seed
OPEN, CLOSE = 7 * 60 + 30, 17 * 60 + 30
SPEED_KMH, ROAD_FACTOR = 20.0, 1.3  # the planner's defaults: a motorbike in city traffic


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def generate_day(n: int, seed: int) -> tuple[Depot, list[Stop]]:
    rng = random.Random(seed)
    centres, weights = zip(*DISTRICTS, strict=True)
    stops: list[Stop] = []
    while len(stops) < n:
        lat, lon = rng.choices(centres, weights=weights)[0]
        # About a kilometre of scatter around each centre (0.009° of latitude is 1 km).
        point = (lat + rng.gauss(0, 0.009), lon + rng.gauss(0, 0.0097))
        if km_between(OFFICE, point) > RADIUS_KM:
            continue
        start = rng.randint(8, 15) * 60
        stops.append(Stop(len(stops) + 1, point[0], point[1], start, start + 120, rng.randint(5, 10)))
    return Depot(OFFICE[0], OFFICE[1], OPEN, CLOSE), stops


@dataclass
class Outcome:
    solver: str
    served: int
    km: float
    seconds: float
    per_postman: list[int]
    note: str = ""


class Checker:
    """One forward pass over the shared matrices: is each round on time, and how long is it."""

    def __init__(self, depot: Depot, stops: Sequence[Stop]) -> None:
        self.depot, self.stops = depot, stops
        self.metres, self.seconds = travel_matrices(depot, stops, SPEED_KMH, ROAD_FACTOR)
        self.index = {s.key: i for i, s in enumerate(stops, start=1)}

    def round_metres(self, keys: Sequence[int]) -> int | None:
        now, here, metres = self.depot.open_minute * 60, 0, 0
        for key in keys:
            i = self.index[key]
            s = self.stops[i - 1]
            start = max(now + int(self.seconds[here, i]), s.window_start * 60)
            if start > s.window_end * 60:
                return None
            metres += int(self.metres[here, i])
            now, here = start + s.service_minutes * 60, i
        if now + int(self.seconds[here, 0]) > self.depot.close_minute * 60:
            return None
        return metres + int(self.metres[here, 0])

    def outcome(
        self, solver: str, rounds: Sequence[Sequence[int]], seconds: float, note: str = ""
    ) -> Outcome:
        metres = [self.round_metres(r) for r in rounds]
        keys = [k for r in rounds for k in r]
        assert len(keys) == len(set(keys)), f"{solver}: a stop is visited twice"
        late = sum(1 for m in metres if m is None)
        if late:
            note = f"{note}; {late} round(s) miss a window or the closing time".lstrip("; ")
        return Outcome(
            solver, len(keys), sum(m or 0 for m in metres) / 1000, seconds, [len(r) for r in rounds], note
        )


def run_planner(checker: Checker, postmen: int, repeat: int) -> Outcome:
    """The plan is the same on every run (fixed seed); the time is the median of `repeat` runs."""
    plans = [
        plan_day(
            checker.depot, checker.stops, list(range(postmen)), speed_kmh=SPEED_KMH, road_factor=ROAD_FACTOR
        )
        for _ in range(repeat)
    ]
    plan = plans[0]
    # Only a machine too busy to finish the iterations within the time limit gets differing plans.
    same = all((p.routes, p.unserved) == (plan.routes, plan.unserved) for p in plans)
    windows = {s.key: (s.window_start, s.window_end) for s in checker.stops}
    for route in plan.routes:
        for stop in route.stops:
            low, high = windows[stop.key]
            assert low <= stop.arrival_minute <= high, "the planner broke a window"
        assert route.return_minute <= checker.depot.close_minute, "the planner came back late"
    rounds = [[s.key for s in r.stops] for r in plan.routes]
    seconds = statistics.median(p.solve_seconds for p in plans)
    note = "" if same else "the time limit cut the search short: plans differed between runs"
    outcome = checker.outcome(f"planner (PyVRP {version('pyvrp')}, default limit)", rounds, seconds, note)
    assert abs(outcome.km - plan.total_km) < 1e-6, "the planner's kilometres disagree with the check"
    return outcome


def run_ortools(checker: Checker, postmen: int, seconds: int) -> Outcome:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    stops, n = checker.stops, len(checker.stops)
    began = time.perf_counter()
    manager = pywrapcp.RoutingIndexManager(n + 1, postmen, 0)
    routing = pywrapcp.RoutingModel(manager)
    distance = routing.RegisterTransitMatrix(checker.metres.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance)
    # Time along an arc is the service at its origin plus the drive, as PyVRP counts it.
    service = np.array([0, *(s.service_minutes * 60 for s in stops)], dtype=np.int64)
    travel = routing.RegisterTransitMatrix((checker.seconds + service[:, None]).tolist())
    close = checker.depot.close_minute * 60
    routing.AddDimension(travel, close, close, False, "Time")
    clock = routing.GetDimensionOrDie("Time")
    for node, s in enumerate(stops, start=1):
        clock.CumulVar(manager.NodeToIndex(node)).SetRange(s.window_start * 60, s.window_end * 60)
    for v in range(postmen):
        clock.CumulVar(routing.Start(v)).SetRange(checker.depot.open_minute * 60, close)
        clock.CumulVar(routing.End(v)).SetRange(checker.depot.open_minute * 60, close)
    count = routing.RegisterUnaryTransitVector([0] + [1] * n)
    routing.AddDimensionWithVehicleCapacity(
        count, 0, [balanced_capacity(n, postmen)] * postmen, True, "Stops"
    )
    penalty = int(4 * checker.metres.max()) + 1_000  # the planner's prize for serving a stop
    for node in range(1, n + 1):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    improved: list[tuple[float, int]] = []
    routing.AddAtSolutionCallback(
        lambda: improved.append((time.perf_counter() - began, routing.CostVar().Max()))
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromSeconds(seconds)
    solution = routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - began
    rounds: list[list[int]] = []
    for v in range(postmen):
        index, keys = routing.Start(v), []
        while solution is not None and not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                keys.append(stops[node - 1].key)
            index = solution.Value(routing.NextVar(index))
        rounds.append(keys)
    best = min(cost for _, cost in improved) if improved else 0
    last = next((t for t, cost in improved if cost == best), elapsed)
    return checker.outcome(
        f"OR-Tools {version('ortools')} GLS, {seconds} s", rounds, elapsed, f"best found after {last:.1f} s"
    )


def run_nearest(checker: Checker, postmen: int) -> Outcome:
    """Greedy: the postman free soonest goes to the stop where he can start soonest (nearest on a tie)
    that still lets him be home by closing, until nobody can take another."""
    began = time.perf_counter()
    stops, cap = checker.stops, balanced_capacity(len(checker.stops), postmen)
    open_, close = checker.depot.open_minute * 60, checker.depot.close_minute * 60
    free = [open_] * postmen
    here = [0] * postmen
    rounds: list[list[int]] = [[] for _ in range(postmen)]
    left = set(range(1, len(stops) + 1))
    active = set(range(postmen))
    while active and left:
        p = min(active, key=lambda q: (free[q], q))
        best: tuple[int, int, int] | None = None
        for i in left:
            s = stops[i - 1]
            start = max(free[p] + int(checker.seconds[here[p], i]), s.window_start * 60)
            done = start + s.service_minutes * 60
            if start <= s.window_end * 60 and done + int(checker.seconds[i, 0]) <= close:
                candidate = (start, int(checker.metres[here[p], i]), i)
                best = candidate if best is None or candidate < best else best
        if best is None or len(rounds[p]) >= cap:
            active.discard(p)
            continue
        start, _, i = best
        rounds[p].append(stops[i - 1].key)
        free[p], here[p] = start + stops[i - 1].service_minutes * 60, i
        left.discard(i)
    return checker.outcome("nearest neighbour (soonest start)", rounds, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="OR-Tools for 3 s instead of 30 s")
    parser.add_argument("--ortools-seconds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="planner runs to take the median time of")
    args = parser.parse_args()
    seconds = 3 if args.quick else args.ortools_seconds
    print("| pickups | postmen | solver | served | km | solve s | stops per postman | note |")
    print("|---|---|---|---|---|---|---|---|")
    for n, postmen, seed in DAYS:
        checker = Checker(*generate_day(n, seed))
        for outcome in (
            run_planner(checker, postmen, args.repeat),
            run_ortools(checker, postmen, seconds),
            run_nearest(checker, postmen),
        ):
            print(
                f"| {n} | {postmen} | {outcome.solver} | {outcome.served}/{n} | {outcome.km:.1f} "
                f"| {outcome.seconds:.2f} | {'/'.join(map(str, outcome.per_postman))} | {outcome.note} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""The demo history's journeys: `plan_legs` and `walk`, shared with bench/monitoring_generate.py."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.demo.history_data import (
    STATUS_AFTER,
)
from postal_hub.intake.services import HOURS_PER_WORKING_DAY
from postal_hub.intake.status import ResultDelivery

# --- The journey, in working hours after acceptance (shared with the national-scale benchmark) --------


@dataclass(frozen=True)
class Legs:
    """When each step happens, in working hours after acceptance; None: the step does not happen."""

    digitized: float | None
    dispatched: float
    rejected: float | None
    resubmitted: float | None
    redispatched: float | None
    received: float
    ready: float
    collected: float | None
    at_office: float | None
    out: float | None
    delivered: float


def plan_legs(
    rng: random.Random,
    processing_days: int,
    sla: Mapping[str, float],
    method: str,
    *,
    cross: bool = False,
    digitize: float = 0.94,
    carriage_late: float = 0.05,
    unit_late: float = 0.04,
) -> Legs:
    """Each leg takes a share of the statutory time, so most results are on time; some legs overrun
    their own clock (the post's SLA, or the unit's statutory time) and make the result late."""
    budget = processing_days * HOURS_PER_WORKING_DAY

    def share(low: float, high: float, cap: float) -> float:
        return min(budget * rng.uniform(low, high), cap)

    sla_of = {t.value: sla.get(t.value, 16.0) for t in TaskType}
    if rng.random() < carriage_late:
        received = sla.get(TaskType.CARRIAGE.value, 24.0) + rng.uniform(1, 20)
    elif cross:
        received = max(share(0.25, 0.4, sla_of[TaskType.CARRIAGE] * 0.9), 3.0)
    else:
        received = max(share(0.08, 0.25, sla_of[TaskType.CARRIAGE] * 0.9), 0.5)
    digitized = None
    if rng.random() < digitize:
        digitized = received * rng.uniform(0.1, 0.5)  # scanned at the office before the envelope leaves
        if rng.random() < 0.03:
            digitized = sla_of[TaskType.DIGITIZATION] + rng.uniform(0.5, 6)
            received = max(received, digitized + 0.5)
    start = digitized or 0.0
    dispatched = start + (received - start) * rng.uniform(0.1, 0.5)
    rejected = resubmitted = redispatched = None
    if rng.random() < 0.02:  # refused for a missing paper, put right at the office, sent again
        rejected = received
        resubmitted = rejected + rng.uniform(4, 16)
        redispatched = resubmitted + rng.uniform(0.5, 3)
        received = redispatched + rng.uniform(1, 8)
    if rng.random() < unit_late:
        ready = received + budget * rng.uniform(1.05, 1.5) + 0.5
    else:
        ready = received + budget * rng.uniform(0.15, 0.45)
    collected = at_office = out = None
    if method == ResultDelivery.COUNTER.value:
        delivered = ready + max(share(0.03, 0.15, 24), 0.3)
    else:
        collected = ready + max(share(0.02, 0.06, 4), 0.2)
        at_office = collected + max(share(0.03, 0.08, sla_of[TaskType.RESULT_COLLECTION] * 0.5), 0.3)
        if rng.random() < 0.03:
            at_office = ready + sla_of[TaskType.RESULT_COLLECTION] + rng.uniform(1, 10)
        if method == ResultDelivery.HOME.value:
            out = at_office + max(share(0.01, 0.04, 3), 0.2)
            delivered = out + max(share(0.01, 0.04, 3), 0.2)
            if rng.random() < 0.03:
                delivered = max(delivered, ready + sla_of[TaskType.RESULT_DELIVERY] + rng.uniform(1, 12))
        else:  # collected at the post office when the citizen comes; a few take their time
            wait = rng.uniform(8, 40) if rng.random() < 0.05 else max(share(0.02, 0.1, 16), 0.2)
            delivered = at_office + wait
    return Legs(
        digitized,
        dispatched,
        rejected,
        resubmitted,
        redispatched,
        received,
        ready,
        collected,
        at_office,
        out,
        delivered,
    )


def timeline(legs: Legs) -> list[tuple[str, float]]:
    steps = [("accepted", 0.0)]
    if legs.digitized is not None:
        steps.append(("digitized", legs.digitized))
    steps.append(("dispatched", legs.dispatched))
    if legs.rejected is not None and legs.resubmitted is not None and legs.redispatched is not None:
        steps += [("rejected", legs.rejected), ("resubmitted", legs.resubmitted)]
        steps.append(("dispatched", legs.redispatched))
    steps += [("received", legs.received), ("result_ready", legs.ready)]
    if legs.collected is not None and legs.at_office is not None:
        steps += [("result_collected", legs.collected), ("at_office", legs.at_office)]
    if legs.out is not None:
        steps.append(("out_for_delivery", legs.out))
    steps.append(("delivered", legs.delivered))
    return steps


# A moment: an aware datetime here, whole epoch seconds in the benchmark (millions of them).
M = TypeVar("M", datetime, int)


@dataclass(frozen=True)
class TaskSpec(Generic[M]):
    task_type: str
    created_at: M
    status: str
    started_at: M | None = None
    completed_at: M | None = None


@dataclass
class Journey(Generic[M]):
    events: list[tuple[str, M]]
    status: str
    digitized_at: M | None
    delivered_at: M | None
    tasks: list[TaskSpec[M]]


def _leg(task_type: str, created: M, started: M | None, end: tuple[str, M] | None) -> TaskSpec[M]:
    """`end` is (done, at), (cancelled, at), or None while the work is still running."""
    if end is not None:
        return TaskSpec(task_type, created, end[0], end[1] if started is None else started, end[1])
    running = TaskStatus.OPEN.value if started is None else TaskStatus.IN_PROGRESS.value
    return TaskSpec(task_type, created, running, started)


def walk(legs: Legs, acceptance: str, method: str, at: Callable[[float], M], now: M) -> Journey[M]:
    """The timeline up to `now`, the status it leaves, and the tasks as they stand at `now`. A result
    the post has taken over is shown done or not begun: mid-delivery states need a delivery record."""
    kept = [(code, moment) for code, moment in ((c, at(o)) for c, o in timeline(legs)) if moment <= now]
    codes = [c for c, _ in kept]
    if "result_ready" in codes and "delivered" not in codes:
        kept = kept[: codes.index("result_ready") + 1]
    seen: dict[str, list[M]] = defaultdict(list)
    for code, moment in kept:
        seen[code].append(moment)

    def first(code: str) -> M | None:
        return seen[code][0] if code in seen else None

    def ends(status: str, moment: M | None) -> tuple[str, M] | None:
        return None if moment is None else (status, moment)

    done, cancelled = TaskStatus.DONE.value, TaskStatus.CANCELLED.value
    t0, sent = kept[0][1], seen.get("dispatched", [])
    tasks = [TaskSpec(acceptance, t0, done, t0, t0)]
    # Dispatched without a scan: the digitization is not billed.
    paper = ends(cancelled, sent[0] if sent else None)
    tasks.append(_leg(TaskType.DIGITIZATION.value, t0, None, ends(done, first("digitized")) or paper))
    received, rejected = ends(done, first("received")), ends(cancelled, first("rejected"))
    tasks.append(_leg(TaskType.CARRIAGE.value, t0, sent[0] if sent else None, rejected or received))
    resubmitted = first("resubmitted")
    if resubmitted is not None:
        tasks.append(_leg(TaskType.CARRIAGE.value, resubmitted, sent[1] if len(sent) > 1 else None, received))
    ready, delivered = first("result_ready"), first("delivered")
    if ready is not None and method != ResultDelivery.COUNTER.value:
        arrived = ends(done, first("at_office"))
        tasks.append(_leg(TaskType.RESULT_COLLECTION.value, ready, first("result_collected"), arrived))
        if method == ResultDelivery.HOME.value:
            handed = ends(done, delivered)
            tasks.append(_leg(TaskType.RESULT_DELIVERY.value, ready, first("out_for_delivery"), handed))
    status = next(s for c, _ in reversed(kept) if (s := STATUS_AFTER[c]) is not None)
    return Journey(kept, status.value, first("digitized"), delivered, tasks)

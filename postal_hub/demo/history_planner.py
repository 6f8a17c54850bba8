"""The demo history's planning of every dossier."""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.text import fold
from postal_hub.core.working_calendar import WorkingCalendar, due_at
from postal_hub.delivery.status import RatingLevel, RatingReason, RatingSubject
from postal_hub.demo.history_data import (
    CHANNELS,
    RESULT_CHOICES,
    SLOW_OFFICES,
    SLOW_UNITS,
)
from postal_hub.demo.history_journeys import (
    Journey,
    Legs,
    TaskSpec,
    plan_legs,
    walk,
)
from postal_hub.demo.history_world import (
    Cover,
    _Citizen,
    _citizen,
    _Contracts,
    _Route,
    _routes,
)
from postal_hub.intake.services import HOURS_PER_WORKING_DAY, acceptance_task
from postal_hub.intake.status import Channel, ResultDelivery

# --- Planning every dossier ---------------------------------------------------------------------------


@dataclass
class _Plan:
    route: _Route
    office: PostOffice
    channel: Channel
    method: str
    citizen: _Citizen
    accepted_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    postal_price: int
    payment: str
    journey: Journey[datetime]
    reused: dict[str, tuple[int, str]]  # component code -> (plan index, component code) of the file
    scans: list[tuple[str, int, datetime]]  # (component code, pages, uploaded at)
    tasks: list[tuple[TaskSpec[datetime], Cover]]
    ratings: list[dict[str, Any]] = field(default_factory=list)
    code: str = ""
    item_number: str = ""


def window_start(now: datetime) -> date:
    """The first day of the quarter two before the current one."""
    today = to_local(now).date()
    index = today.year * 4 + (today.month - 1) // 3 - 2
    return date(index // 4, index % 4 * 3 + 1, 1)


def _moments(rng: random.Random, now: datetime, count: int, calendar: WorkingCalendar) -> list[datetime]:
    """Acceptance times: mostly working days and office hours, a little busier as the months go by."""
    first, today = window_start(now), to_local(now).date()
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    span = max(len(days) - 1, 1)
    weights = [
        (1.0 if calendar.is_working_day(d) else (0.35 if d.weekday() == 5 else 0.1)) * (1 + 0.3 * n / span)
        for n, d in enumerate(days)
    ]
    cumulative = list(accumulate(weights))
    moments: list[datetime] = []
    while len(moments) < count:
        day = days[min(bisect(cumulative, rng.random() * cumulative[-1]), len(days) - 1)]
        hour = rng.choice((7.5, 8, 8.5, 9, 9, 9.5, 10, 10.5, 11, 13.5, 14, 14.5, 15, 15.5, 16, 16.5))
        moment = datetime.combine(day, time(0), LOCAL_TZ) + timedelta(hours=hour, minutes=rng.uniform(0, 30))
        if moment < now - timedelta(hours=1):
            moments.append(moment.astimezone(now.tzinfo))
    return sorted(moments)


def _choose(rng: random.Random, options: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _rating(rng: random.Random, plan: _Plan, legs_late: set[str], now: datetime) -> list[dict[str, Any]]:
    delivered = plan.journey.delivered_at
    if delivered is None or rng.random() >= 0.6:
        return []
    rated_at = delivered + timedelta(hours=rng.uniform(0.1, 48))
    if rated_at > now:
        return []
    slow_office = plan.office.code in SLOW_OFFICES
    postal_ok = (0.8 if slow_office else 0.96) * (0.85 if legs_late & {"carriage", "delivery"} else 1)
    unit_ok = (0.85 if plan.route.unit.code in SLOW_UNITS else 0.955) * (0.75 if "unit" in legs_late else 1)
    rows = []
    for subject, chance, reasons in (
        (RatingSubject.POSTAL, postal_ok, (RatingReason.ATTITUDE, RatingReason.GUIDANCE, RatingReason.OTHER)),
        (
            RatingSubject.UNIT,
            unit_ok,
            (RatingReason.EXTRA_REQUESTS, RatingReason.RESULT_ERROR, RatingReason.FEES),
        ),
    ):
        satisfied = rng.random() < chance
        level = (
            (RatingLevel.VERY_SATISFIED if rng.random() < 0.6 else RatingLevel.SATISFIED)
            if satisfied
            else None
        )
        late = (subject == RatingSubject.UNIT and "unit" in legs_late) or (
            subject == RatingSubject.POSTAL and bool(legs_late & {"carriage", "delivery"})
        )
        reason = "" if satisfied else (RatingReason.LATE.value if late else rng.choice(reasons).value)
        rows.append(
            {
                "unit_id": plan.route.unit.id,
                "operator_id": plan.office.operator_id,
                "office_id": plan.office.id,
                "subject": subject.value,
                "level": (level or RatingLevel.NOT_SATISFIED).value,
                "reasons": reason,
                "comment": "" if satisfied or rng.random() < 0.5 else "Cần cải thiện thời gian trả kết quả.",
                "rated_at": rated_at,
            }
        )
    return rows


class _Planner:
    def __init__(self, session: Session, now: datetime, rng: random.Random) -> None:
        self.now, self.rng, self.today = now, rng, to_local(now).date()
        self.calendar = WorkingCalendar()
        self.contracts = _Contracts(session)
        self.routes = _routes(session)
        self.cumulative = list(accumulate(r.weight for r in self.routes))
        self.by_pair = {(r.procedure.id, r.unit.id): r for r in self.routes}
        self.pools: dict[str, list[_Citizen]] = defaultdict(list)

    def _pick(self, moment: datetime) -> tuple[_Route, PostOffice, Channel, Cover] | None:
        rng = self.rng
        for _ in range(20):
            route = rng.choices(self.routes, cum_weights=self.cumulative)[0]
            office = rng.choices(route.offices, weights=route.office_weights)[0]
            for channel in dict.fromkeys((_choose(rng, CHANNELS), Channel.COUNTER)):
                task = acceptance_task(channel).value
                cover = self.contracts.find(task, route.procedure, route.unit, office, moment)
                if cover is not None:
                    return route, office, channel, cover
        return None

    def _citizen_for(self, route: _Route) -> tuple[_Route, _Citizen]:
        rng = self.rng
        key = (
            route.communes[0]
            if route.procedure.competent_level == "commune"
            else route.unit.province_code or ""
        )
        pool = self.pools[key]
        if pool and rng.random() < 0.35:
            citizen = rng.choice(pool)
            again = self.by_pair.get((citizen.last_procedure, route.unit.id))
            if again is not None and rng.random() < 0.6:
                route = again  # the same procedure again: another certified copy, another extract
            return route, citizen
        citizen = _citizen(rng, route.unit.province_code or "01", rng.choice(route.communes), self.today)
        pool.append(citizen)
        return route, citizen

    def plan(self, moment: datetime, index: int) -> _Plan | None:
        rng, calendar = self.rng, self.calendar
        picked = self._pick(moment)
        if picked is None:
            return None
        route, office, channel, cover = picked
        route, citizen = self._citizen_for(route)
        procedure, unit = route.procedure, route.unit
        covers = {t.value: self.contracts.find(t.value, procedure, unit, office, moment) for t in TaskType}
        sla = {t: float(c[2].sla_hours) for t, c in covers.items() if c is not None}
        method = _choose(rng, RESULT_CHOICES[channel]).value
        if method == ResultDelivery.HOME.value and covers[TaskType.RESULT_DELIVERY.value] is None:
            method = ResultDelivery.POST_OFFICE.value
        if covers[TaskType.RESULT_COLLECTION.value] is None:
            method = ResultDelivery.COUNTER.value
        slow_office, cross = office.code in SLOW_OFFICES, office.province_code != unit.province_code
        legs = plan_legs(
            rng,
            procedure.processing_days,
            sla,
            method,
            cross=cross,
            digitize=0.8 if slow_office else 0.94,
            carriage_late=0.16 if slow_office else (0.1 if cross else 0.05),
            unit_late=0.2 if unit.code in SLOW_UNITS else 0.04,
        )

        def at(offset: float) -> datetime:
            return moment if offset == 0 else calendar.add_working_hours(moment, offset)

        journey = walk(legs, acceptance_task(channel).value, method, at, self.now)
        reused: dict[str, tuple[int, str]] = {}
        for component in procedure.components:
            earlier = citizen.documents.get(fold(component.name))
            if earlier is not None and earlier[2] < moment and rng.random() < 0.85:
                reused[component.code] = (earlier[0], earlier[1])
        scans = []
        if journey.digitized_at is not None:
            scanned = [c.code for c in procedure.components if c.code not in reused]
            for n, code in enumerate(scanned):
                uploaded = max(moment, journey.digitized_at - timedelta(minutes=3 * (len(scanned) - n)))
                scans.append((code, rng.randint(1, 6), uploaded))
        if journey.delivered_at is not None:
            for component in procedure.components:
                if any(scan[0] == component.code for scan in scans):
                    citizen.documents[fold(component.name)] = (index, component.code, journey.delivered_at)
        citizen.last_procedure = procedure.id
        tasks = []
        for spec in journey.tasks:
            task_cover = self.contracts.find(spec.task_type, procedure, unit, office, spec.created_at)
            if task_cover is not None:
                tasks.append((spec, task_cover))
        late = self._late_legs(legs, procedure.processing_days, tasks)
        wait, handle = (
            rng.triangular(8, 45, 20) if slow_office else rng.triangular(3, 25, 8),
            rng.triangular(8, 40, 15),
        )
        started = moment - timedelta(minutes=handle) if channel == Channel.COUNTER else None
        queued = started - timedelta(minutes=wait) if started and rng.random() < 0.9 else None
        price = cover[2].unit_price
        total = procedure.fee + procedure.charge + price
        payment = _choose(rng, (("cash", 55), ("transfer", 35), ("card", 10))) if total else "none"
        made = _Plan(
            route=route,
            office=office,
            channel=channel,
            method=method,
            citizen=citizen,
            accepted_at=moment,
            queued_at=queued,
            started_at=started,
            postal_price=price,
            payment=payment,
            journey=journey,
            reused=reused,
            scans=scans,
            tasks=tasks,
        )
        made.ratings = _rating(rng, made, late, self.now)
        return made

    def _late_legs(self, legs: Legs, days: int, tasks: list[tuple[TaskSpec[datetime], Cover]]) -> set[str]:
        late = {"unit"} if legs.ready - legs.received > days * HOURS_PER_WORKING_DAY else set()
        for spec, (_contract, version, term) in tasks:
            due = due_at(spec.created_at, term.sla_hours, version.working_hours, self.calendar)
            if spec.status == TaskStatus.DONE.value and spec.completed_at and spec.completed_at > due:
                delivery = spec.task_type in (
                    TaskType.RESULT_COLLECTION.value,
                    TaskType.RESULT_DELIVERY.value,
                )
                late.add("delivery" if delivery else "carriage")
        return late

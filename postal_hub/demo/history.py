"""The demo's past: two full quarters and the current one of dossiers, so the dashboards have a history.

Written in bulk rather than through the services (they act "now"; this is the past), but by the same
rules: codes from the same counters, routing by `competent_unit`, tasks under the contract covering the
work at the time, due by its SLA and working calendar, and timelines that follow the dossier state
machine. A seeded random generator makes it the same on every installation, and an audit entry marks
it done, so a second run adds nothing. `plan_legs` and `walk` are shared with bench/monitoring_generate.py.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.coverage import version_in_force
from postal_hub.contracts.models import Contract, ContractTerm, ContractVersion
from postal_hub.contracts.status import ContractStatus, TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.contracts.tasks import DEFAULT_WARN_FRACTION
from postal_hub.core import audit, validators
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.codes import make_dossier_code, make_s10
from postal_hub.core.counters import CodeCounter
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.files import FileStore
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places.data import legacy_province_codes
from postal_hub.core.places.models import Commune
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.text import fold
from postal_hub.core.working_calendar import WorkingCalendar, due_at
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.delivery.status import RatingLevel, RatingReason, RatingSubject
from postal_hub.demo.dossiers import DEMO_SCAN
from postal_hub.intake.models import Dossier, DossierComponent, DossierEvent, DossierFile
from postal_hub.intake.routing import competent_unit
from postal_hub.intake.services import HOURS_PER_WORKING_DAY, ITEM_SERVICE, acceptance_task
from postal_hub.intake.status import Channel, DossierStatus, ResultDelivery

HISTORY_ACTION = "demo.history_seeded"
DEFAULT_COUNT = 600
# The ones the dashboards' rankings should single out: two offices with long queues, paper-only dossiers,
# late carriage and unhappy citizens, and a unit slow over its statutory time.
SLOW_OFFICES = frozenset({"122000", "736000"})
SLOW_UNITS = frozenset({"000.01.22.H26"})
PROCEDURE_WEIGHTS = {"2.000815": 6, "1.001193": 4, "2.000635": 3, "1.004873": 3, "1.013831": 3}
CHANNELS = ((Channel.COUNTER, 70), (Channel.PICKUP, 20), (Channel.API, 10))
RESULT_CHOICES = {
    Channel.COUNTER: (
        (ResultDelivery.HOME, 35),
        (ResultDelivery.POST_OFFICE, 40),
        (ResultDelivery.COUNTER, 25),
    ),
    Channel.PICKUP: ((ResultDelivery.HOME, 80), (ResultDelivery.POST_OFFICE, 20)),
    Channel.API: ((ResultDelivery.HOME, 45), (ResultDelivery.POST_OFFICE, 30), (ResultDelivery.COUNTER, 25)),
}
# The status a timeline event leaves the dossier in (None: the event changes no status).
STATUS_AFTER: dict[str, DossierStatus | None] = {
    "accepted": DossierStatus.ACCEPTED,
    "digitized": DossierStatus.DIGITIZED,
    "dispatched": DossierStatus.DISPATCHED,
    "rejected": DossierStatus.REJECTED,
    "resubmitted": DossierStatus.ACCEPTED,
    "received": DossierStatus.RECEIVED,
    "result_ready": DossierStatus.RESULT_READY,
    "result_collected": DossierStatus.RESULT_COLLECTED,
    "at_office": None,
    "out_for_delivery": DossierStatus.OUT_FOR_DELIVERY,
    "delivered": DossierStatus.DELIVERED,
}
AT_UNIT = frozenset({"rejected", "received", "result_ready", "result_collected"})

# Nguyễn is the family name of nearly four Vietnamese in ten.
FAMILY: tuple[str, ...] = ("Nguyễn",) * 8 + ("Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ")
FAMILY += ("Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh")
MIDDLE = (("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"), ("Thị", "Ngọc", "Thu", "Thanh", "Hồng"))
GIVEN = (
    ("An", "Bảo", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn"),
    ("Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Trang"),
)
STREETS = {
    "01": ("Hàng Bông", "Kim Mã", "Láng Hạ", "Trần Duy Hưng", "Nguyễn Trãi", "Xuân Thủy", "Cầu Giấy"),
    "79": ("Lê Lợi", "Điện Biên Phủ", "Xô Viết Nghệ Tĩnh", "Cách Mạng Tháng Tám", "Phan Đăng Lưu"),
    "48": ("Nguyễn Văn Linh", "Hùng Vương", "Lê Duẩn", "Điện Biên Phủ", "Hàm Nghi"),
    "46": ("Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Bà Triệu"),
}
# Mobile prefixes by network: Viettel, Vinaphone, MobiFone.
MOBILE: tuple[str, ...] = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038")
MOBILE += ("039", "088", "091", "094", "081", "082", "083", "084", "085", "089", "090", "093", "070", "079")


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


# --- The demo's world, loaded once --------------------------------------------------------------------

Cover = tuple[Contract, ContractVersion, ContractTerm]


class _Contracts:
    """The active contracts, loaded once, asked the question of contracts.coverage.find_coverage (the
    same rule, in memory: thousands of tasks would otherwise each cost several queries)."""

    def __init__(self, session: Session) -> None:
        self.by_unit: dict[int, list[Contract]] = defaultdict(list)
        query = (
            sa.select(Contract)
            .where(Contract.status == ContractStatus.ACTIVE.value)
            .options(
                selectinload(Contract.versions).selectinload(ContractVersion.terms),
                selectinload(Contract.versions).selectinload(ContractVersion.procedures),
                selectinload(Contract.versions).selectinload(ContractVersion.provinces),
            )
            .order_by(Contract.id)
        )
        for contract in session.scalars(query):
            self.by_unit[contract.unit_id].append(contract)

    def find(
        self, task_type: str, procedure: Procedure, unit: Organization, office: PostOffice, at: datetime
    ) -> Cover | None:
        day = to_local(at).date()
        for unit_id in (unit.id, unit.parent_id):
            for contract in self.by_unit.get(unit_id or 0, []):
                if (
                    contract.operator_id != office.operator_id
                    or not contract.valid_from <= day <= contract.valid_to
                ):
                    continue
                version = version_in_force(contract, at)
                term = version.term(task_type) if version else None
                if version is None or term is None:
                    continue
                if (version.all_procedures or procedure in version.procedures) and (
                    version.nationwide or any(p.code == office.province_code for p in version.provinces)
                ):
                    return contract, version, term
        return None


@dataclass
class _Route:
    procedure: Procedure
    unit: Organization
    communes: list[str]
    offices: list[PostOffice]
    office_weights: list[float]
    weight: float


@dataclass
class _Citizen:
    name: str
    citizen_id: str
    phone: str
    province_code: str
    commune_code: str
    street: str
    last_procedure: int = 0
    # kind_key -> (plan index, component code, when the dossier it came in was completed)
    documents: dict[str, tuple[int, str, datetime]] = field(default_factory=dict)


def _routes(session: Session) -> list[_Route]:
    """Procedure and competent unit pairs, as the routing sends them, with the offices that take them."""
    offices = list(
        session.scalars(sa.select(PostOffice).where(PostOffice.active.is_(True)).order_by(PostOffice.code))
    )
    communes: dict[str, list[str]] = defaultdict(list)
    for code, province in session.execute(
        sa.select(Commune.code, Commune.province_code).where(Commune.active.is_(True)).order_by(Commune.code)
    ):
        communes[province].append(code)
    units = list(
        session.scalars(
            sa.select(Organization)
            .where(Organization.kind == OrgKind.ONE_STOP_UNIT.value, Organization.active.is_(True))
            .order_by(Organization.code)
        )
    )
    procedures = session.scalars(
        sa.select(Procedure)
        .where(Procedure.active.is_(True), Procedure.postal_allowed.is_(True))
        .order_by(Procedure.code)
        .options(selectinload(Procedure.components))
    )
    routes = []
    for procedure in procedures:
        for unit in units:
            if not unit.province_code or not unit.commune_code:
                continue
            if unit.id != (procedure.unit_id or unit.id) or unit.level != procedure.competent_level:
                continue  # not a unit this procedure could be routed to: spare the routing its queries
            places = (
                [unit.commune_code]
                if procedure.competent_level == "commune"
                else communes[unit.province_code]
            )
            try:
                if competent_unit(session, procedure, places[0]).id != unit.id:
                    continue
            except ValidationFailed:
                continue
            weights = [
                (6.0 if o.commune_code == unit.commune_code else 1.0)
                if o.province_code == unit.province_code
                else (0.0 if procedure.onsite_inspection else 0.09)
                for o in offices
            ]
            scale = 2.0 if unit.level == "province" else 1.0
            routes.append(
                _Route(
                    procedure,
                    unit,
                    places,
                    offices,
                    weights,
                    scale * PROCEDURE_WEIGHTS.get(procedure.code, 1.0),
                )
            )
    return routes


def _citizen(rng: random.Random, province: str, commune: str, today: date) -> _Citizen:
    for _ in range(20):
        year = rng.randint(1950, 2006)
        female = rng.random() < 0.52
        sex = (2 if year >= 2000 else 0) + int(female)
        born = province if rng.random() < 0.7 else rng.choice(legacy_province_codes())
        cid = f"0{born}{sex}{year % 100:02d}{rng.randint(0, 999_999):06d}"
        phone = f"{rng.choice(MOBILE)}{rng.randint(0, 9_999_999):07d}"
        try:
            cid, phone = validators.citizen_id(cid, today), validators.mobile_phone(phone)
        except validators.InvalidValue:
            continue
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[female])} {rng.choice(GIVEN[female])}"
        street = f"{rng.randint(1, 250)} {rng.choice(STREETS.get(province, STREETS['01']))}"
        return _Citizen(name, cid, phone, province, commune, street)
    raise RuntimeError("could not make a valid citizen ID and phone")  # pragma: no cover


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


# --- Writing it ----------------------------------------------------------------------------------------


def _number(session: Session, plans: list[_Plan]) -> None:
    """Codes from the counters acceptance uses, so later dossiers continue the sequences; a code some
    demo task already names (the contracts' sample tasks) is skipped."""
    taken = set(session.scalars(sa.select(Dossier.code)))
    taken |= set(session.scalars(sa.select(Task.dossier_code).where(Task.dossier_code.is_not(None))))
    counters = {c.name: c for c in session.scalars(sa.select(CodeCounter))}

    def counter(name: str) -> CodeCounter:
        if name not in counters:
            counters[name] = CodeCounter(name=name, value=0)
            session.add(counters[name])
        return counters[name]

    for plan in plans:
        day = to_local(plan.accepted_at).date()
        daily = counter(f"dossier:{plan.route.unit.code}:{day:%y%m%d}")
        while True:
            daily.value += 1
            plan.code = make_dossier_code(plan.route.unit.code, day, daily.value)
            if plan.code not in taken:
                break
        taken.add(plan.code)
        serials = counter(f"s10:{ITEM_SERVICE}")
        serials.value += 1
        plan.item_number = make_s10(ITEM_SERVICE, serials.value)
    session.flush()


def _dossier_row(plan: _Plan) -> dict[str, Any]:
    procedure, citizen, journey = plan.route.procedure, plan.citizen, plan.journey
    appointment = WorkingCalendar().add_working_hours(
        plan.accepted_at, procedure.processing_days * HOURS_PER_WORKING_DAY
    )
    return {
        "code": plan.code,
        "item_number": plan.item_number,
        "status": journey.status,
        "channel": plan.channel.value,
        "procedure_id": procedure.id,
        "unit_id": plan.route.unit.id,
        "operator_id": plan.office.operator_id,
        "office_id": plan.office.id,
        "applicant_name": citizen.name,
        "applicant_citizen_id": citizen.citizen_id,
        "applicant_phone": citizen.phone,
        "applicant_province_code": citizen.province_code,
        "applicant_commune_code": citizen.commune_code,
        "applicant_street": citizen.street,
        "search_key": fold(f"{citizen.name} {citizen.phone}")[:255],
        "result_delivery": plan.method,
        "payment_method": plan.payment,
        "fee": procedure.fee,
        "charge": procedure.charge,
        "postal_price": plan.postal_price,
        "accepted_at": plan.accepted_at,
        "appointment_at": appointment,
        "digitized_at": journey.digitized_at,
        "counter_queued_at": plan.queued_at,
        "counter_started_at": plan.started_at,
        "updated_at": journey.events[-1][1],
    }


def _task_row(
    plan: _Plan, spec: TaskSpec[datetime], cover: Cover, now: datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    contract, version, term = cover
    due = due_at(spec.created_at, term.sla_hours, version.working_hours, calendar)
    warn = due_at(spec.created_at, term.sla_hours * DEFAULT_WARN_FRACTION, version.working_hours, calendar)
    until = spec.completed_at or now
    done = spec.status == TaskStatus.DONE.value
    outcomes = {TaskStatus.DONE.value: "Hoàn thành", TaskStatus.CANCELLED.value: "Không thực hiện"}
    pages = (
        sum(scan[1] for scan in plan.scans) if spec.task_type == TaskType.DIGITIZATION.value and done else 0
    )
    return {
        "contract_id": contract.id,
        "version_id": version.id,
        "task_type": spec.task_type,
        "status": spec.status,
        "dossier_code": plan.code,
        "procedure_id": plan.route.procedure.id,
        "unit_id": plan.route.unit.id,
        "operator_id": plan.office.operator_id,
        "post_office_id": plan.office.id,
        "created_at": spec.created_at,
        "warn_at": warn,
        "due_at": due,
        "started_at": spec.started_at,
        "completed_at": spec.completed_at,
        "outcome": outcomes.get(spec.status, ""),
        "sla_met": (spec.completed_at is not None and spec.completed_at <= due) if done else None,
        "unit_price": plan.postal_price
        if spec.task_type == acceptance_task(plan.channel).value
        else term.unit_price,
        "page_price": version.page_price,
        "penalty": version.penalty_per_breach,
        "pages": pages,
        # The escalation job told the managers at the time; it must not tell them again now.
        "near_due_notified_at": warn if warn < until else None,
        "overdue_notified_at": due + timedelta(minutes=5) if due + timedelta(minutes=5) < until else None,
    }


def _write(session: Session, plans: list[_Plan], now: datetime, store: FileStore | None) -> None:
    calendar = WorkingCalendar()
    ids = list(
        session.execute(
            sa.insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True),
            [_dossier_row(p) for p in plans],
        ).scalars()
    )
    digest = store.put(DEMO_SCAN) if store is not None else hashlib.sha256(DEMO_SCAN).hexdigest()
    scans = [(i, *scan) for i, p in enumerate(plans) for scan in p.scans]
    file_rows = [
        {
            "dossier_id": ids[i],
            "component_code": code,
            "filename": f"{code}.pdf",
            "content_type": "application/pdf",
            "size": len(DEMO_SCAN),
            "pages": pages,
            "sha256": digest,
            "uploaded_at": uploaded,
        }
        for i, code, pages, uploaded in scans
    ]
    inserted = sa.insert(DossierFile).returning(DossierFile.id, sort_by_parameter_order=True)
    file_ids = list(session.execute(inserted, file_rows).scalars()) if file_rows else []
    file_of = {(scan[0], scan[1]): file_id for scan, file_id in zip(scans, file_ids, strict=True)}
    components, events, tasks, ratings = [], [], [], []
    for i, plan in enumerate(plans):
        unit, office = plan.route.unit.name, plan.office.name
        for c in plan.route.procedure.components:
            source = plan.reused.get(c.code)
            components.append(
                {
                    "dossier_id": ids[i],
                    "position": c.position,
                    "code": c.code,
                    "name": c.name,
                    "kind_key": fold(c.name),
                    "original": c.original,
                    "count": c.count,
                    "reused_file_id": file_of[source] if source else None,
                    "reuse_consent_at": plan.accepted_at if source else None,
                }
            )
        for code, moment in plan.journey.events:
            at_unit = code in AT_UNIT or (code == "delivered" and plan.method == ResultDelivery.COUNTER.value)
            note = {
                "rejected": "Thiếu giấy tờ: văn bản ủy quyền",
                "resubmitted": "Công dân đã bổ sung giấy tờ",
            }
            place = (unit if at_unit else office)[:255]
            events.append(
                {"dossier_id": ids[i], "code": code, "at": moment, "place": place, "note": note.get(code, "")}
            )
        tasks += [_task_row(plan, spec, cover, now, calendar) for spec, cover in plan.tasks]
        ratings += [{"dossier_id": ids[i], **r} for r in plan.ratings]
    for model, rows in ((DossierComponent, components), (DossierEvent, events), (Task, tasks)):
        session.execute(sa.insert(model), rows)
    if ratings:
        session.execute(sa.insert(SatisfactionRating), ratings)


def history_seeded(session: Session) -> bool:
    return (
        session.scalar(
            sa.select(audit.AuditEntry.id).where(audit.AuditEntry.action == HISTORY_ACTION).limit(1)
        )
        is not None
    )


def seed_history(
    session: Session,
    now: datetime,
    count: int = DEFAULT_COUNT,
    store: FileStore | None = None,
    seed: int = 468,
) -> int:
    """About `count` past dossiers over two full quarters and the current one; 0 when already there
    (or nothing is covered by a contract). The caller refreshes the monitoring summaries."""
    if history_seeded(session):
        return 0
    rng = random.Random(seed)
    planner = _Planner(session, now, rng)
    if not planner.routes:
        return 0
    plans: list[_Plan] = []
    for moment in _moments(rng, now, count, planner.calendar):
        # A plan's place in the list names the dossier whose files a later one reuses.
        made = planner.plan(moment, len(plans))
        if made is not None:
            plans.append(made)
    if not plans:
        return 0
    _number(session, plans)
    _write(session, plans, now, store)
    details = {"dossiers": len(plans), "from": window_start(now).isoformat(), "seed": seed}
    audit.record(session, None, HISTORY_ACTION, "demo", "history", details, at=now)
    session.flush()
    return len(plans)

"""Which post office picks up at this point, and when: nearest first, across province boundaries.

An office qualifies when it is active, has a pickup schedule, lies within the maximum distance, and an
active contract covers home pickup of this procedure for the competent unit in the office's own
province. Its windows are offered while they have room and start late enough to send a postman.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.bands import banded_price
from postal_hub.contracts.coverage import Coverage, find_coverage
from postal_hub.contracts.status import TaskType
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.geo.offices import NearbyOffice, nearest_offices
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.pickup.models import PickupSchedule
from postal_hub.pickup.schedule import Window, windows_on
from postal_hub.pickup.seats import booked_counts

CANDIDATES = 25  # the nearest offices looked at first
MAX_CANDIDATES = 1600


@dataclass(frozen=True)
class Rules:
    max_distance_km: float
    min_lead: timedelta
    horizon_days: int

    @classmethod
    def from_config(cls, config: Any) -> Rules:
        return cls(
            float(config["PICKUP_MAX_DISTANCE_KM"]),
            timedelta(minutes=int(config["PICKUP_MIN_LEAD_MINUTES"])),
            int(config["PICKUP_HORIZON_DAYS"]),
        )


@dataclass(frozen=True)
class FreeWindow:
    window: Window
    capacity: int
    remaining: int


@dataclass(frozen=True)
class Offer:
    office: PostOffice
    schedule: PickupSchedule
    distance_km: float
    coverage: Coverage
    windows: tuple[FreeWindow, ...]  # every window of the day, full ones included (remaining 0)
    fee: int

    @property
    def free(self) -> list[FreeWindow]:
        return [w for w in self.windows if w.remaining > 0]


@dataclass(frozen=True)
class Candidate:
    office: PostOffice
    schedule: PickupSchedule
    distance_km: float
    coverage: Coverage
    fee: int  # the term's price with the contract's distance band, if any


def covered_candidates(
    session: Session,
    cache: dict[str, Any],
    procedure: Procedure,
    unit: Organization,
    lat: float,
    lon: float,
    day: date,
    rules: Rules,
) -> list[Candidate]:
    """Offices near the point that may pick up this procedure on that day, nearest first. The search
    widens while none qualifies and offices within reach remain (a city centre may have dozens of
    counters of other operators, or without pickup, nearer than the one that comes)."""
    limit = CANDIDATES
    while True:
        nearest = nearest_offices(session, cache, lat, lon, limit)
        nearby = [n for n in nearest if n.distance_km <= rules.max_distance_km]
        found = _qualifying(session, procedure, unit, nearby, day)
        exhausted = len(nearest) < limit or len(nearby) < len(nearest) or limit >= MAX_CANDIDATES
        if found or exhausted:
            return found
        limit *= 4


def _qualifying(
    session: Session, procedure: Procedure, unit: Organization, nearby: list[NearbyOffice], day: date
) -> list[Candidate]:
    if not nearby:
        return []
    schedules = {
        s.office_id: s
        for s in session.scalars(
            sa.select(PickupSchedule).where(
                PickupSchedule.office_id.in_([n.office.id for n in nearby]), PickupSchedule.active.is_(True)
            )
        )
    }
    at = datetime.combine(day, time(12, 0), LOCAL_TZ)
    found: list[Candidate] = []
    seen: dict[tuple[int, str], Coverage | None] = {}
    for near in nearby:
        schedule = schedules.get(near.office.id)
        if schedule is None:
            continue
        if procedure.onsite_inspection and near.office.province_code != unit.province_code:
            continue  # handled within the unit's own province (intake.routing says why)
        key = (near.office.operator_id, near.office.province_code)
        if key not in seen:  # coverage depends only on the operator and the office's province
            seen[key] = find_coverage(session, TaskType.HOME_PICKUP, procedure, unit, near.office, at)
        coverage = seen[key]
        if coverage is None:
            continue
        fee = banded_price(coverage.term.unit_price, coverage.version.pickup_bands, near.distance_km)
        if fee is not None:  # None: farther than the contract's last distance band reaches
            found.append(Candidate(near.office, schedule, near.distance_km, coverage, fee))
    return found


def offers_on(
    session: Session, candidates: list[Candidate], day: date, now: datetime, rules: Rules
) -> list[Offer]:
    """Each candidate's windows that day that start at least the lead time from now."""
    start = datetime.combine(day, time(0, 0), LOCAL_TZ)
    counts = booked_counts(session, [c.office.id for c in candidates], start, start + timedelta(days=1))
    earliest = now + rules.min_lead
    offers = []
    for candidate in candidates:
        windows = []
        for window in windows_on(candidate.schedule.windows, day):
            if window.start < earliest:
                continue
            capacity, booked = counts.get(
                (candidate.office.id, window.start), (candidate.schedule.capacity, 0)
            )
            windows.append(FreeWindow(window, capacity, max(0, capacity - booked)))
        if windows:
            offers.append(
                Offer(
                    candidate.office,
                    candidate.schedule,
                    candidate.distance_km,
                    candidate.coverage,
                    tuple(windows),
                    candidate.fee,
                )
            )
    return offers


def bookable_days(now: datetime, rules: Rules) -> list[date]:
    today = now.astimezone(LOCAL_TZ).date()
    return [today + timedelta(days=n) for n in range(rules.horizon_days + 1)]

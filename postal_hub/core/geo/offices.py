"""The nearest active post offices to a point, from an index rebuilt only when the offices change."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.geo.nearest import PointIndex
from postal_hub.core.orgs.models import PostOffice

_lock = threading.Lock()


@dataclass(frozen=True)
class NearbyOffice:
    office: PostOffice
    distance_km: float


def _located() -> sa.ColumnElement[bool]:
    return sa.and_(PostOffice.active.is_(True), PostOffice.lat.is_not(None), PostOffice.lon.is_not(None))


def _fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever an office is added, moved, activated or deactivated (one aggregate query)."""
    row = session.execute(
        sa.select(sa.func.count(), sa.func.max(PostOffice.updated_at), sa.func.sum(PostOffice.id)).where(
            _located()
        )
    ).one()
    return tuple(row)


RECHECK_SECONDS = 5.0
SPARES = 5


def office_index(session: Session, cache: dict[str, Any]) -> PointIndex:
    """The index kept in `cache` (the app's extensions), rebuilt when the offices changed.

    Whether they changed is asked at most every few seconds: the question scans the offices table,
    which at 13,000 rows costs more than the search itself, and a new office may wait 5 s to be found.
    """
    held = cache.get("office_index")
    if held is not None and time.monotonic() - held[2] < RECHECK_SECONDS:
        fresh: PointIndex = held[1]
        return fresh
    fingerprint = _fingerprint(session)
    if held is not None and held[0] == fingerprint:
        cache["office_index"] = (fingerprint, held[1], time.monotonic())
        index: PointIndex = held[1]
        return index
    with _lock:
        rows = session.execute(
            sa.select(PostOffice.id, PostOffice.lat, PostOffice.lon).where(_located())
        ).all()
        # _located() leaves no office without a point, so lat and lon are always set here.
        built = PointIndex([(int(r[0]), float(r[1] or 0.0), float(r[2] or 0.0)) for r in rows])
        cache["office_index"] = (fingerprint, built, time.monotonic())
    return built


def nearest_offices(
    session: Session, cache: dict[str, Any], lat: float, lon: float, limit: int
) -> list[NearbyOffice]:
    """By geodesic distance, across every boundary: the office over a province border counts too."""
    # A few spares: the index may be up to RECHECK_SECONDS old, and an office closed meanwhile is
    # filtered out below rather than offered.
    found = office_index(session, cache).nearest(lat, lon, limit + SPARES)
    offices = {
        o.id: o
        for o in session.scalars(
            sa.select(PostOffice).where(
                PostOffice.id.in_([f.key for f in found]), PostOffice.active.is_(True)
            )
        )
    }
    return [NearbyOffice(offices[f.key], f.distance_km) for f in found if f.key in offices][:limit]

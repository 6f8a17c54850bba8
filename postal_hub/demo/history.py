"""The demo's past: two full quarters and the current one of dossiers, so the dashboards have a history.

Written in bulk rather than through the services (they act "now"; this is the past), but by the same
rules: codes from the same counters, routing by `competent_unit`, tasks under the contract covering the
work at the time, due by its SLA and working calendar, and timelines that follow the dossier state
machine. A seeded random generator makes it the same on every installation, and an audit entry marks
it done, so a second run adds nothing. `plan_legs` and `walk` are shared with bench/monitoring_generate.py.
"""

from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.files import FileStore
from postal_hub.demo.history_data import (
    DEFAULT_COUNT,
    HISTORY_ACTION,
)
from postal_hub.demo.history_planner import (
    _moments,
    _Plan,
    _Planner,
    window_start,
)
from postal_hub.demo.history_rows import (
    _number,
    _write,
)


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

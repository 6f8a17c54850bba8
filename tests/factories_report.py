"""A unit's third quarter of 2026 and its second, built by hand so every figure of the quarterly report
is known: the numbers each test expects are worked out in the comments below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.monitoring.refresh import refresh
from tests import factories
from tests.factories_monitoring import Journey, Leg, past_dossier, second_world, trip, world
from tests.factories_training import procedure_group

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # the test clock: Friday 20/11/2026, 09:00 in Hanoi
DAY = timedelta(days=1)


def at(month: int, day: int) -> datetime:
    """09:00 in Hanoi on that day of 2026."""
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def quarter_world(session: Session) -> dict[str, Any]:
    """Q3 2026 (July to September), four dossiers of the unit:
      A Mon 6/7 counter: on time; waited 10 min, served 20; digitized, one document reused;
        post satisfied, unit very satisfied. Five tasks on time.
      B Mon 13/7 counter: on time; waited 20 min, served 30; digitized; post not satisfied. Five on time.
      C Mon 20/7 home pickup: appointment on day 5, delivered on day 9 (late); carriage took 20 h of 8
        (late), the result came 8 days later (the unit's 5 working days ran out). Five tasks, one late.
      D Mon 7/9 API, group CB: still open, past its appointment; its carriage task is open and overdue.
    Q2 2026: E Mon 6/4 counter and F Mon 13/4 home pickup, both on time and digitized; E's post
    rating very satisfied. Five tasks each, on time.
    Not counted: G in October (Q4), and H in July for another unit.
    Officers: two active, one inactive; the agency's supervisor is not one of them."""
    w = world(session)
    cb = procedure_group(session, "CB", "Nhóm thủ tục CB")
    other_procedure = factories.procedure(session, group_id=cb.id, processing_days=5)
    a, b, c, d = at(7, 6), at(7, 13), at(7, 20), at(9, 7)
    dossiers = {
        "A": trip(
            a,
            digitized=True,
            reused=1,
            queued_at=a - minutes(30),
            started_at=a - minutes(20),
            ratings={"postal": "satisfied", "unit": "very_satisfied"},
        ),
        "B": trip(
            b,
            digitized=True,
            queued_at=b - minutes(50),
            started_at=b - minutes(30),
            ratings={"postal": "not_satisfied"},
        ),
        "C": trip(
            c,
            channel="pickup",
            carriage_hours=20,
            result_after=8 * DAY,
            delivered_after=9 * DAY,
            appointment_at=c + 5 * DAY,
        ),
        "E": trip(at(4, 6), digitized=True, ratings={"postal": "very_satisfied"}),
        "F": trip(at(4, 13), channel="pickup", digitized=True),
        "G": trip(at(10, 5)),
    }
    made = {key: past_dossier(session, w, journey) for key, journey in dossiers.items()}
    made["D"] = past_dossier(
        session,
        w,
        Journey(accepted_at=d, channel="api", legs=[Leg("carriage", d)]),
        procedure=other_procedure,
    )
    other = second_world(session, w)
    made["H"] = past_dossier(session, other, trip(a))
    for active in (True, True, False):
        factories.user(session, Role.UNIT_OFFICER, organization=w["unit"], active=active)
    factories.user(session, Role.AGENCY_SUPERVISOR, organization=w["unit"].parent)
    refresh(session, NOW)
    session.flush()
    return {**w, "dossiers": made, "other": other, "group_cb": cb}

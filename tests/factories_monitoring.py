"""Factories for monitoring: past dossiers written straight into the tables, with exactly the timeline,
tasks, timings and ratings a test states, so every indicator has an answer known by hand.

The services stamp "now" on what they do; a dashboard test needs last month's journeys, so these
factories write the rows a finished journey leaves behind instead of replaying it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from postal_hub.contracts.task_models import Task
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.intake.models import Dossier, DossierComponent, DossierEvent, DossierFile
from tests import factories

_seq = itertools.count(1)

# 09:00 in Hanoi on Monday 2 November 2026: a working day, so leg clocks run at once.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@dataclass
class Leg:
    """One task on the dossier: its type, when it was opened, when done (None: still open), SLA hours."""

    task_type: str
    created_at: datetime
    done_at: datetime | None = None
    due_at: datetime | None = None  # default: created + 8 hours
    cancelled: bool = False


@dataclass
class Journey:
    accepted_at: datetime = MONDAY
    channel: str = "counter"
    status: str = "accepted"
    appointment_at: datetime | None = None  # default: accepted + 10 days
    events: list[tuple[str, datetime]] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    ratings: dict[str, str] = field(default_factory=dict)  # subject -> level
    components: int = 2
    reused: int = 0
    digitized: bool = False
    queued_at: datetime | None = None
    started_at: datetime | None = None


def world(session: Session, **overrides: Any) -> dict[str, Any]:
    """intake_setup's world (unit, procedure of 5 processing days, office, contract, clerk)."""
    made = factories.intake_setup(session, **overrides)
    made["procedure"].processing_days = 5
    session.flush()
    return made


def second_world(session: Session, first: dict[str, Any], office_province: str = "48") -> dict[str, Any]:
    """Another unit and office of another operator, for scoping and ranking tests."""
    commune = "00004" if first["unit"].commune_code != "00004" else "00097"
    return world(session, unit_commune=commune, office_province=office_province)


def past_dossier(
    session: Session,
    world_: dict[str, Any],
    journey: Journey | None = None,
    *,
    unit: Organization | None = None,
    office: PostOffice | None = None,
    procedure: Procedure | None = None,
) -> Dossier:
    j = journey or Journey()
    n = next(_seq)
    unit = unit or world_["unit"]
    office = office or world_["office"]
    procedure = procedure or world_["procedure"]
    dossier = Dossier(
        code=f"MON-{n:08d}",
        item_number=f"EM{n:09d}VN",
        status=j.status,
        channel=j.channel,
        procedure_id=procedure.id,
        unit_id=unit.id,
        operator_id=office.operator_id,
        office_id=office.id,
        applicant_name="Trần Thị Bình",
        applicant_citizen_id="001190054321",
        applicant_phone="0987654321",
        applicant_province_code="01",
        applicant_commune_code="00097",
        applicant_street="5 Phúc Xá",
        search_key="tran thi binh",
        result_delivery="home",
        payment_method="cash",
        fee=0,
        charge=0,
        postal_price=0,
        accepted_at=j.accepted_at,
        appointment_at=j.appointment_at or j.accepted_at + timedelta(days=10),
        digitized_at=j.accepted_at + timedelta(hours=1) if j.digitized else None,
        counter_queued_at=j.queued_at,
        counter_started_at=j.started_at,
    )
    session.add(dossier)
    session.flush()
    scan = None
    if j.reused:
        scan = DossierFile(
            dossier_id=dossier.id,
            component_code="C0",
            filename="earlier.pdf",
            content_type="application/pdf",
            size=10,
            pages=1,
            sha256="0" * 64,
            uploaded_at=j.accepted_at,
        )
        session.add(scan)
        session.flush()
    for i in range(j.components):
        session.add(
            DossierComponent(
                dossier_id=dossier.id,
                position=i,
                code=f"C{i + 1}",
                name=f"Giấy tờ {i + 1}",
                kind_key=f"giay to {i + 1}",
                original=False,
                count=1,
                reused_file_id=scan.id if scan is not None and i < j.reused else None,
            )
        )
    for code, at in [("accepted", j.accepted_at), *j.events]:
        session.add(DossierEvent(dossier_id=dossier.id, code=code, at=at, place=office.name))
    contract = world_["contract"]
    version_id = _version_id(session, contract.id)
    for leg in j.legs:
        done = leg.done_at is not None and not leg.cancelled
        due = leg.due_at or leg.created_at + timedelta(hours=8)
        session.add(
            Task(
                contract_id=contract.id,
                version_id=version_id,
                task_type=leg.task_type,
                status="cancelled" if leg.cancelled else ("done" if done else "open"),
                dossier_code=dossier.code,
                procedure_id=procedure.id,
                unit_id=unit.id,
                operator_id=office.operator_id,
                post_office_id=office.id,
                created_at=leg.created_at,
                warn_at=due,
                due_at=due,
                completed_at=leg.done_at,
                sla_met=(leg.done_at <= due) if done and leg.done_at else None,
                unit_price=1000,
            )
        )
    for subject, level in j.ratings.items():
        session.add(
            SatisfactionRating(
                dossier_id=dossier.id,
                unit_id=unit.id,
                operator_id=office.operator_id,
                office_id=office.id,
                subject=subject,
                level=level,
                rated_at=j.accepted_at + timedelta(days=12),
            )
        )
    session.flush()
    return dossier


def _version_id(session: Session, contract_id: int) -> int:
    import sqlalchemy as sa

    from postal_hub.contracts.models import ContractVersion

    found = session.scalar(
        sa.select(ContractVersion.id)
        .where(ContractVersion.contract_id == contract_id)
        .order_by(ContractVersion.id.desc())
    )
    assert found is not None
    return found


def delivered_on_time(world_: dict[str, Any], accepted_at: datetime = MONDAY, **overrides: Any) -> Journey:
    """A counter dossier through every leg on time, delivered on day 7 of a 10-day appointment."""
    a = accepted_at
    values: dict[str, Any] = {
        "accepted_at": a,
        "status": "delivered",
        "digitized": True,
        "events": [
            ("digitized", a + timedelta(hours=1)),
            ("dispatched", a + timedelta(hours=2)),
            ("received", a + timedelta(hours=6)),
            ("result_ready", a + timedelta(days=3)),
            ("result_collected", a + timedelta(days=3, hours=2)),
            ("delivered", a + timedelta(days=7)),
        ],
        "legs": [
            Leg("counter_acceptance", a, a),
            Leg("digitization", a, a + timedelta(hours=1)),
            Leg("carriage", a, a + timedelta(hours=6)),
            Leg("result_collection", a + timedelta(days=3), a + timedelta(days=3, hours=2)),
            Leg("result_delivery", a + timedelta(days=3), a + timedelta(days=3, hours=5)),
        ],
    }
    values.update(overrides)
    return Journey(**values)


def trip(
    accepted_at: datetime = MONDAY,
    *,
    channel: str = "counter",
    carriage_hours: float = 6,
    result_after: timedelta | None = timedelta(days=3),
    delivered_after: timedelta | None = timedelta(days=7),
    **overrides: Any,
) -> Journey:
    """A journey whose lateness is stated by its times: the carriage (SLA 8 hours) is done and the unit
    receives the dossier `carriage_hours` after acceptance; the result is ready `result_after` it and
    delivered `delivered_after` it (None: not yet). Every other leg is on time."""
    a = accepted_at
    received = a + timedelta(hours=carriage_hours)
    events = [
        ("digitized", a + timedelta(hours=1)),
        ("dispatched", a + timedelta(hours=2)),
        ("received", received),
    ]
    legs = [
        Leg("digitization", a, a + timedelta(hours=1)),
        Leg("carriage", a, received),
    ]
    if channel == "counter":
        legs.insert(0, Leg("counter_acceptance", a, a))
    if channel == "pickup":
        legs.insert(0, Leg("home_pickup", a - timedelta(hours=3), a - timedelta(hours=1)))
    status = "received"
    if result_after is not None:
        ready = a + result_after
        events += [("result_ready", ready), ("result_collected", ready + timedelta(hours=2))]
        legs += [
            Leg("result_collection", ready, ready + timedelta(hours=2)),
            Leg("result_delivery", ready, ready + timedelta(hours=5)),
        ]
        status = "result_collected"
    if delivered_after is not None:
        events.append(("delivered", a + delivered_after))
        status = "delivered"
    values: dict[str, Any] = {
        "accepted_at": a,
        "channel": channel,
        "status": status,
        "events": events,
        "legs": legs,
    }
    values.update(overrides)
    return Journey(**values)

"""The slot search endpoint (GET /api/v1/pickups/slots) with 13,000 post offices loaded.

Builds a scratch database: 13,000 offices spread like Vietnam's population (GeoNames places weighted
by population, scattered a few km, each in its place's province), every one with a pickup schedule,
and a nationwide contract covering home pickup. Then asks for slots at random points through the app
(in process, so the figures are the server's own time) by position alone (the commune is inferred,
as a phone app without an address asks) and reports p50/p95/p99.
Usage: .venv/bin/python bench/slot_search.py [--database-url URL] [--requests 1000]
(A PostgreSQL URL has its `public` schema dropped and recreated: use a scratch database.)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub import create_app, migrate
from postal_hub.contracts import services as contracts
from postal_hub.contracts.inputs import ContractInput, ScopeInput, TermInput
from postal_hub.contracts.models import CapacityAssessment
from postal_hub.contracts.status import TaskType
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places.data import gazetteer
from postal_hub.core.places.models import Commune
from postal_hub.core.places.services import sync_places
from postal_hub.core.procedures.services import ComponentInput, ProcedureInput, save_procedure
from postal_hub.db import make_engine
from postal_hub.extensions import db
from postal_hub.pickup.models import PickupSchedule

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 09:00 in Hà Nội


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()


def spread_offices(
    session: Session, operator_id: int, communes: dict[str, str], count: int, rng: random.Random
) -> list[PostOffice]:
    """`count` offices scattered a few km around GeoNames places weighted by population (one commune per
    province stands for its address), each with a pickup schedule. throughput.py builds its offices
    with this too."""
    places = [p for p in gazetteer()["places"] if p[4] in communes]
    weights = [max(p[5], 500) for p in places]
    rows = [
        PostOffice(
            operator_id=operator_id,
            code=f"B{n:06d}",
            name=f"Bưu cục {n}",
            search_key=f"buu cuc {n}",
            postcode="10000",
            address=f"{n} đường thử",
            province_code=place[4],
            commune_code=communes[place[4]],
            lat=place[2] + rng.gauss(0, 0.06),
            lon=place[3] + rng.gauss(0, 0.06),
            opening_hours="Mo-Fr 07:30-17:00; Sa 07:30-11:30",
        )
        for n, place in enumerate(rng.choices(places, weights=weights, k=count))
    ]
    session.add_all(rows)
    session.flush()
    session.add_all(
        PickupSchedule(office_id=o.id, windows="Mo-Fr 08:00-10:00,10:00-12:00,14:00-16:00", capacity=6)
        for o in rows
    )
    return rows


def load(app, offices: int, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        session = db.session
        sync_places(session)
        communes: dict[str, str] = {}
        for code, province in session.execute(sa.select(Commune.code, Commune.province_code)):
            communes.setdefault(province, code)
        operator = Organization(
            code="VNPOST", name="Bưu điện Việt Nam", search_key="vnpost", kind=OrgKind.POSTAL_OPERATOR
        )
        unit = Organization(
            code="000.00.01.H26",
            name="Trung tâm Phục vụ hành chính công",
            search_key="tt",
            kind=OrgKind.ONE_STOP_UNIT,
            level="province",
            province_code="01",
        )
        session.add_all([operator, unit])
        session.flush()
        spread_offices(session, operator.id, communes, offices, rng)
        procedure = save_procedure(
            session,
            None,
            ProcedureInput(
                code="1.000001",
                name="Thủ tục thử",
                competent_level="province",
                processing_days=3,
                fee=0,
                charge=0,
                unit_id=unit.id,
                components=[ComponentInput("TP1", "Tờ khai", True, 1)],
            ),
        )
        made = contracts.save_draft(
            session,
            None,
            ContractInput(
                number="01/2026",
                unit_id=unit.id,
                operator_id=operator.id,
                procurement_method="direct_appointment",
                award_decision="QĐ 1",
                signed_on=date(2026, 1, 1),
                valid_from=date(2026, 1, 1),
                valid_to=date(2027, 12, 31),
                scope=ScopeInput(terms=[TermInput(TaskType.HOME_PICKUP.value, 8, 30_000)], nationwide=True),
            ),
            NOW,
        )
        session.add(
            CapacityAssessment(
                contract_id=made.id,
                assessed_on=date(2026, 1, 1),
                unit_facilities="-",
                unit_staff=1,
                operator_offices=offices,
                operator_staff=1,
                trained_staff=1,
                conclusion="-",
                signed_by="-",
            )
        )
        session.flush()
        contracts.activate(session, None, made, NOW)
        session.commit()
        return procedure.code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--offices", type=int, default=13_000)
    parser.add_argument("--requests", type=int, default=1_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'slots.sqlite3'}"
    _reset(url)
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PICKUP_BOOKINGS_PER_HOUR_PER_IP": 10**9})
    app.extensions["clock"] = FixedClock()
    rng = random.Random(2026)
    began = time.perf_counter()
    code = load(app, args.offices, rng)
    print(f"loaded {args.offices} offices in {time.perf_counter() - began:.1f} s")
    places = [p for p in gazetteer()["places"] if p[4]]
    client = app.test_client()
    client.get(
        "/api/v1/pickups/slots",
        query_string={
            "procedure_code": code,
            "province_code": "01",
            "commune_code": "00070",
            "lat": 21.03,
            "lon": 105.85,
        },
    )
    timings, found = [], 0
    for _ in range(args.requests):
        place = rng.choice(places)
        query = {
            "procedure_code": code,
            "lat": place[2] + rng.gauss(0, 0.03),
            "lon": place[3] + rng.gauss(0, 0.03),
            "date": "2026-11-23",
        }
        began = time.perf_counter()
        answer = client.get("/api/v1/pickups/slots", query_string=query)
        timings.append((time.perf_counter() - began) * 1000)
        found += answer.status_code == 200 and bool(answer.get_json()["items"])
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    engine = url.split(":", 1)[0]
    print(
        f"{engine}: {args.requests} requests, {found} with windows: p50 {q[49]:.1f} ms, "
        f"p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()

"""A year of dossiers at national scale in PostgreSQL, for the monitoring dashboards' benchmark.

`--scale 1.0` is 2026 as VNPost would have seen it: 12,000,000 dossiers handed in at 13,000 post
offices for about 3,500 one-stop units (a province centre for each of the 34 provinces, one unit for
each of the 3,321 communes, and ministry units), with their components, timelines, tasks under one
contract per unit, ratings and users; `--scale 0.0833` is about a million. The organizations are the
same size at any scale: only the dossiers scale.

Fast, and the same rules as the app: the journeys come from the demo history's `plan_legs` and `walk`
(postal_hub/demo/history_journeys.py), every fact row is computed by `postal_hub.monitoring.facts.fact_row`
itself (with a working calendar turned into a lookup table, checked against the real one first), rows
stream into PostgreSQL through COPY, one connection per table, with the tables' indexes and foreign
keys dropped during the load and rebuilt after, and the summaries are built by the refresh module's
own `rebuild_days` and `rebuild_months` and the roll-ups' `rebuild_task_days`. See bench/README.md.

Usage: .venv/bin/python bench/monitoring_generate.py [--database-url URL] [--scale 0.0833] [--seed 1]
(The database is created if missing, and its `public` schema dropped and recreated: use a scratch one.)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import shutil
import sys
import time
from bisect import bisect, bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

from postal_hub import create_app, migrate
from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.tasks import DEFAULT_WARN_FRACTION
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.codes import make_s10
from postal_hub.core.csv_import import import_procedures
from postal_hub.core.places.data import gazetteer
from postal_hub.core.places.services import sync_places
from postal_hub.core.text import fold
from postal_hub.core.working_calendar import WorkingCalendar
from postal_hub.db import make_engine
from postal_hub.demo.contracts import PRICES
from postal_hub.demo.history_data import (
    CHANNELS,
    FAMILY,
    GIVEN,
    MIDDLE,
    MOBILE,
    RESULT_CHOICES,
)
from postal_hub.demo.history_journeys import plan_legs, walk
from postal_hub.extensions import db
from postal_hub.intake.services import HOURS_PER_WORKING_DAY, ITEM_SERVICE, acceptance_task
from postal_hub.intake.status import Channel, ResultDelivery
from postal_hub.monitoring import refresh
from postal_hub.monitoring.facts import TaskClock, fact_row, times_from_events
from postal_hub.monitoring.models import MEASURES, RefreshState

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_monitoring"
YEAR = 2026
NOW = datetime(YEAR + 1, 1, 4, 2, 0, tzinfo=UTC)  # Monday 4 January 2027, 09:00 in Hà Nội
FULL_DOSSIERS = 12_000_000
OFFICES = 13_000
DEMO_DATA = Path(__file__).resolve().parent.parent / "postal_hub" / "demo" / "data"
# Measured at scale 0.0833 (bench/README.md): bytes on disk per dossier, indexes included.
BYTES_PER_DOSSIER = 4_900
CHUNK = 20_000
MINISTRIES = (
    (1, "Bộ Công an"),
    (2, "Bộ Quốc phòng"),
    (3, "Bộ Ngoại giao"),
    (4, "Bộ Nội vụ"),
    (5, "Bộ Tài chính"),
    (6, "Bộ Công Thương"),
    (7, "Bộ Nông nghiệp và Môi trường"),
    (8, "Bộ Xây dựng"),
    (9, "Bộ Văn hóa, Thể thao và Du lịch"),
    (10, "Bộ Khoa học và Công nghệ"),
    (11, "Bộ Giáo dục và Đào tạo"),
    (12, "Bộ Y tế"),
    (13, "Bộ Dân tộc và Tôn giáo"),
    (15, "Bộ Tư pháp"),
    (16, "Ngân hàng Nhà nước Việt Nam"),
    (17, "Thanh tra Chính phủ"),
    (18, "Văn phòng Chính phủ"),
)
UNITS_PER_MINISTRY = 8
KNOWN_PROVINCE_NUMBERS = {"01": 26, "79": 29, "48": 15, "46": 57}
LEVEL_SHARE = {"commune": 0.62, "province": 0.33, "ministry": 0.05}
POPULAR = {"2.000815": 8, "1.001193": 4, "2.000635": 4, "1.004873": 3, "1.013831": 3, "1.012783": 2.5}
# The tables the load writes, in the order they are filled and indexed.
BULK = (
    "dossiers",
    "dossier_files",
    "dossier_components",
    "dossier_events",
    "tasks",
    "satisfaction_ratings",
    "dossier_facts",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = psycopg_url(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


def reset_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


# --- Working time as a lookup table ------------------------------------------------------------------


class FastCalendar(WorkingCalendar):
    """The working calendar's periods for a span of years, precomputed: adding working time becomes
    two binary searches. Outside the span it falls back to the real calendar."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        starts, ends = [], []
        day = first
        while day <= last:
            if self.is_working_day(day):
                for begin, end in self.periods:
                    starts.append(datetime.combine(day, begin, LOCAL_TZ).timestamp())
                    ends.append(datetime.combine(day, end, LOCAL_TZ).timestamp())
            day += timedelta(days=1)
        self.starts, self.ends = starts, ends
        self.before = [0.0]  # working seconds before each period
        for s, e in zip(starts, ends, strict=True):
            self.before.append(self.before[-1] + e - s)
        self.until = self.before[1:]  # working seconds at each period's end

    def add(self, start: float, seconds: float) -> float:
        i = bisect_right(self.starts, start) - 1
        if i < 0 or i + 1 >= len(self.starts):
            moment = datetime.fromtimestamp(start, UTC)
            return super().add_working_hours(moment, seconds / 3600).timestamp()
        inside = start < self.ends[i]
        if seconds == 0:
            return start if inside else self.starts[i + 1]
        position = self.before[i] + (start - self.starts[i]) if inside else self.until[i]
        target = position + seconds
        j = bisect_left(self.until, target)
        if j >= len(self.starts):
            moment = datetime.fromtimestamp(start, UTC)
            return super().add_working_hours(moment, seconds / 3600).timestamp()
        return self.starts[j] + (target - self.before[j])

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return datetime.fromtimestamp(self.add(start.timestamp(), hours * 3600), UTC)


def check_calendar(fast: FastCalendar, rng: random.Random, samples: int = 20_000) -> None:
    real = WorkingCalendar()
    first = datetime(YEAR, 1, 1, tzinfo=LOCAL_TZ).timestamp()
    for _ in range(samples):
        start = datetime.fromtimestamp(int(first + rng.uniform(0, 366 * 86400)), UTC)
        hours = rng.choice((0, 0.5, 1, 4, 8, 16, 24, 40, 80, 160)) * rng.choice((1, 1, rng.random()))
        a, b = fast.add_working_hours(start, hours), real.add_working_hours(start, hours)
        assert abs((a - b).total_seconds()) < 0.001, (start, hours, a, b)
    log(f"the lookup calendar agrees with the working calendar on {samples:,} random deadlines")


# --- Text the COPY streams carry ---------------------------------------------------------------------

NULL = "\\N"
_SECONDS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]
_DAYS: dict[int, str] = {}


def ts(epoch: int | None) -> str:
    """Whole epoch seconds as PostgreSQL reads a timestamptz (UTC), without a datetime per value."""
    if epoch is None:
        return "\\N"
    day, second = divmod(epoch, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%d ")
    return text + _SECONDS[second]


def dt(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def txt(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    return str(value)


# --- The country: places, units, offices, procedures, contracts, staff ---------------------------------


@dataclass
class Office:
    id: int
    name: str
    province: str
    commune: str
    weight: float
    slow: bool


@dataclass
class Unit:
    id: int
    code: str
    name: str
    province: str
    slow: bool
    contract: int = 0
    version: int = 0


@dataclass
class Proc:
    id: int
    code: str
    level: str
    unit_id: int | None
    group_id: int
    days: int
    fee: int
    charge: int
    onsite: bool
    components: list[tuple[str, str]]  # (code, COPY text of the rest of the row after dossier_id)


@dataclass
class World:
    operator_id: int
    offices: list[Office]
    office_cum: list[float]
    communes: list[str]
    commune_province: dict[str, str]
    province_communes: dict[str, list[str]]
    commune_unit: dict[str, Unit]
    province_unit: dict[str, Unit]
    units: dict[int, Unit]
    procedures: dict[str, list[Proc]]
    procedure_cum: dict[str, list[float]]
    sla: dict[str, float]
    prices: dict[str, int]


def _insert(session: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = sa.insert(table).returning(table.id, sort_by_parameter_order=True)
    return list(session.execute(stmt, rows).scalars())


def build_world(session: Any, rng: random.Random) -> World:
    from postal_hub.contracts.models import Contract, ContractTerm, ContractVersion
    from postal_hub.core.orgs.models import Organization, PostOffice
    from postal_hub.core.places.models import Commune, Province
    from postal_hub.core.procedures.models import Procedure, ProcedureGroup

    places = sync_places(session)
    log(f"places: {places['provinces']} provinces, {places['communes']} communes")
    provinces = list(session.execute(sa.select(Province.code, Province.name).order_by(Province.code)))
    communes = list(
        session.execute(
            sa.select(Commune.code, Commune.province_code, Commune.name)
            .where(Commune.active.is_(True))
            .order_by(Commune.code)
        )
    )
    operator = Organization(
        code="VNPOST",
        name="Tổng công ty Bưu điện Việt Nam",
        search_key="vnpost",
        kind="postal_operator",
        province_code="01",
    )
    session.add(operator)
    session.flush()

    free = iter(n for n in range(1, 100) if n not in KNOWN_PROVINCE_NUMBERS.values())
    number = {code: KNOWN_PROVINCE_NUMBERS.get(code) or next(free) for code, _ in provinces}
    org_rows: list[dict[str, Any]] = []
    first_commune = {}
    for code, province, _name in communes:
        first_commune.setdefault(province, code)
    for code, name in provinces:
        org_rows.append(
            {
                "code": f"000.00.01.H{number[code]:02d}",
                "name": f"Trung tâm Phục vụ hành chính công {name}",
                "level": "province",
                "province_code": code,
                "commune_code": first_commune[code],
            }
        )
    per_province: dict[str, int] = defaultdict(int)
    for code, province, name in communes:
        n = 120 + per_province[province]
        per_province[province] += 1
        org_rows.append(
            {
                "code": f"000.{n // 100:02d}.{n % 100:02d}.H{number[province]:02d}",
                "name": f"Bộ phận Một cửa UBND {name}",
                "level": "commune",
                "province_code": province,
                "commune_code": code,
            }
        )
    for ministry, name in MINISTRIES:
        for k in range(1, UNITS_PER_MINISTRY + 1):
            org_rows.append(
                {
                    "code": f"000.00.{k:02d}.G{ministry:02d}",
                    "name": f"Bộ phận Một cửa {name} ({k})",
                    "level": "ministry",
                    "province_code": "01",
                    "commune_code": first_commune["01"],
                }
            )
    for row in org_rows:
        row.update(kind="one_stop_unit", search_key=fold(row["name"]), address="")
    unit_ids = _insert(session, Organization, org_rows)
    units = {
        uid: Unit(uid, r["code"], r["name"], r["province_code"], rng.random() < 0.05)
        for uid, r in zip(unit_ids, org_rows, strict=True)
    }
    commune_unit = {
        r["commune_code"]: units[i]
        for i, r in zip(unit_ids, org_rows, strict=True)
        if r["level"] == "commune"
    }
    province_unit = {
        r["province_code"]: units[i]
        for i, r in zip(unit_ids, org_rows, strict=True)
        if r["level"] == "province"
    }
    log(f"one-stop units: {len(units):,}")

    # Offices: one in every commune, the rest where people live (GeoNames populations by province).
    population: dict[str, float] = defaultdict(float)
    for place in gazetteer()["places"]:
        population[place[4]] += place[5]
    province_communes: dict[str, list[str]] = defaultdict(list)
    commune_name, commune_province = {}, {}
    for code, province, name in communes:
        province_communes[province].append(code)
        commune_name[code], commune_province[code] = name, province
    total_pop, total_communes = sum(population.values()), len(communes)
    shares = [
        0.5 * population[p] / total_pop + 0.5 * len(province_communes[p]) / total_communes
        for p, _ in provinces
    ]
    homes = [code for code, _p, _n in communes]
    homes += [
        rng.choice(province_communes[p])
        for p in rng.choices([p for p, _ in provinces], shares, k=OFFICES - len(homes))
    ]
    office_rows, seen_province = [], set()
    for n, commune in enumerate(homes):
        province = commune_province[commune]
        central = province not in seen_province
        seen_province.add(province)
        kind = "Bưu điện" if n < total_communes else "Bưu cục"
        office_rows.append(
            {
                "operator_id": operator.id,
                "code": f"BC{n:05d}",
                "name": f"{kind} {commune_name[commune]} {n}",
                "search_key": f"buu cuc {n}",
                "postcode": f"{int(province):02d}{n % 1000:03d}",
                "address": commune_name[commune],
                "province_code": province,
                "commune_code": commune,
                "opening_hours": "Mo-Fr 07:30-17:30; Sa 07:30-11:30",
                "active": True,
                "_weight": rng.lognormvariate(0, 0.7) * (12 if central else 1.0),
            }
        )
    weights = [r.pop("_weight") for r in office_rows]
    office_ids = _insert(session, PostOffice, office_rows)
    offices = [
        Office(i, r["name"], r["province_code"], r["commune_code"], w, rng.random() < 0.04)
        for i, r, w in zip(office_ids, office_rows, weights, strict=True)
    ]
    log(f"post offices: {len(offices):,}")

    groups = json.loads((DEMO_DATA / "procedure_groups.json").read_text(encoding="utf-8"))
    _insert(
        session,
        ProcedureGroup,
        [{"code": g["code"], "name": g["name"], "description": g["description"]} for g in groups],
    )
    # The demo's catalogue, and one procedure of its own for every other ministry unit.
    text = (DEMO_DATA / "procedures.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    group_codes = [g["code"] for g in groups]
    for n, unit in enumerate(u for u in units.values() if u.code.startswith("000.00.") and "G" in u.code):
        if unit.code in ("000.00.01.G15", "000.00.01.G01"):
            continue
        code = f"2.{900000 + n:06d}"
        for position, (component, original) in enumerate(
            (("Tờ khai theo mẫu", "true"), ("Bản sao giấy tờ tùy thân", "false")), 1
        ):
            rows.append(
                {
                    "code": code,
                    "name": f"Thủ tục cấp Bộ số {n} ({unit.name})",
                    "competent_level": "ministry",
                    "unit_code": unit.code,
                    "field": "",
                    "group_code": group_codes[n % len(group_codes)],
                    "fee": "0",
                    "charge": "0",
                    "processing_days": str(5 + n % 4 * 5),
                    "postal_allowed": "true",
                    "onsite_inspection": "false",
                    "component_code": f"TP{position}",
                    "component_name": component,
                    "component_original": original,
                    "component_count": "1",
                }
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    imported = import_procedures(session, None, buffer.getvalue())
    log(f"procedures: {imported.created}")
    procedures: dict[str, list[Proc]] = defaultdict(list)
    for p in session.scalars(sa.select(Procedure).order_by(Procedure.code)):
        if not p.postal_allowed:
            continue
        parts = [
            (c.code, f"{c.position}\t{c.code}\t{c.name}\t{fold(c.name)}\t{txt(c.original)}\t{c.count}")
            for c in p.components
        ]
        procedures[p.competent_level].append(
            Proc(
                p.id,
                p.code,
                p.competent_level,
                p.unit_id,
                p.group_id or 0,
                p.processing_days,
                p.fee,
                p.charge,
                p.onsite_inspection,
                parts,
            )
        )
    procedure_cum = {
        level: list(_cumulative([POPULAR.get(p.code, 1.0) for p in found]))
        for level, found in procedures.items()
    }

    # One contract per unit with the post, for the whole year, every task type, nationwide.
    start = datetime(YEAR, 1, 1, tzinfo=LOCAL_TZ)
    contract_rows = [
        {
            "number": f"{n:05d}/{YEAR}/HĐ-{u.code}",
            "unit_id": u.id,
            "operator_id": operator.id,
            "procurement_method": "direct_appointment",
            "award_decision": "Quyết định giao nhiệm vụ cung ứng dịch vụ",
            "signed_on": date(YEAR - 1, 12, 20),
            "valid_from": date(YEAR, 1, 1),
            "valid_to": date(YEAR + 1, 12, 31),
            "status": "active",
            "notes": "",
        }
        for n, u in enumerate(units.values(), 1)
    ]
    contract_ids = _insert(session, Contract, contract_rows)
    version_ids = _insert(
        session,
        ContractVersion,
        [
            {
                "contract_id": c,
                "number": 0,
                "effective_from": start,
                "working_hours": True,
                "all_procedures": True,
                "nationwide": True,
                "page_price": 500,
                "penalty_per_breach": 20_000,
                "note": "",
            }
            for c in contract_ids
        ],
    )
    for unit, contract, version in zip(units.values(), contract_ids, version_ids, strict=True):
        unit.contract, unit.version = contract, version
    terms = [
        {"version_id": v, "task_type": t.value, "sla_hours": PRICES[t][0], "unit_price": PRICES[t][1]}
        for v in version_ids
        for t in TaskType
    ]
    session.execute(sa.insert(ContractTerm), terms)
    log(f"contracts: {len(contract_ids):,}, with {len(terms):,} terms")
    return World(
        operator_id=operator.id,
        offices=offices,
        office_cum=list(_cumulative(weights)),
        communes=homes[:total_communes],
        commune_province=commune_province,
        province_communes=province_communes,
        commune_unit=commune_unit,
        province_unit=province_unit,
        units=units,
        procedures=procedures,
        procedure_cum=procedure_cum,
        sla={t.value: float(PRICES[t][0]) for t in TaskType},
        prices={t.value: PRICES[t][1] for t in TaskType},
    )


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def build_staff(session: Any, world: World, rng: random.Random) -> int:
    """Counter clerks and a postman at every office, a manager per province, officers at every unit,
    and most postal staff certified (the dashboards' staffing and coverage figures read them)."""
    from postal_hub.core.users.models import User
    from postal_hub.training.models import Certificate, Course, Enrolment, TrainingSession

    def user(username: str, role: str, org: int, office: int | None) -> dict[str, Any]:
        return {
            "username": username,
            "full_name": username,
            "search_key": username,
            "password_hash": "!",
            "role": role,
            "organization_id": org,
            "post_office_id": office,
            "active": True,
        }

    rows = [user("trainer", "trainer", world.operator_id, None)]
    seen: set[str] = set()
    for office in world.offices:
        for n in range(1 + min(int(office.weight * 1.5), 5)):
            rows.append(user(f"clerk{office.id}-{n}", "postal_clerk", world.operator_id, office.id))
        rows.append(user(f"postman{office.id}", "postman", world.operator_id, office.id))
        if office.province not in seen:
            seen.add(office.province)
            rows.append(user(f"manager{office.province}", "postal_manager", world.operator_id, office.id))
    for unit in world.units.values():
        for n in range(rng.randint(1, 3)):
            rows.append(user(f"officer{unit.id}-{n}", "unit_officer", unit.id, None))
    ids = _insert(session, User, rows)
    course = _insert(
        session,
        Course,
        [
            {
                "code": "TN-01",
                "title": "Tiếp nhận hồ sơ TTHC",
                "duration_hours": 16,
                "pass_mark": 70,
                "min_attendance": 80,
                "validity_months": 24,
                "organization_id": world.operator_id,
            }
        ],
    )[0]
    postal = [
        i
        for i, r in zip(ids, rows, strict=True)
        if r["role"] in ("postal_clerk", "postman", "postal_manager")
    ]
    certified = [i for i in postal if rng.random() < 0.9]
    sessions = _insert(
        session,
        TrainingSession,
        [
            {
                "course_id": course,
                "starts_on": date(YEAR - 1, 6, 1),
                "ends_on": date(YEAR - 1, 6, 2),
                "trainer_id": ids[0],
                "capacity": 500,
                "status": "completed",
            }
            for _ in range(math.ceil(len(certified) / 500))
        ],
    )
    issued = datetime(YEAR - 1, 6, 2, 9, tzinfo=UTC)
    enrolments = _insert(
        session,
        Enrolment,
        [
            {
                "session_id": sessions[n // 500],
                "user_id": u,
                "status": "passed",
                "enrolled_at": issued,
                "score": 85,
                "assessed_at": issued,
            }
            for n, u in enumerate(certified)
        ],
    )
    expired = date(YEAR, 12, 1)  # one in twenty lapsed before the end of the year
    session.execute(
        sa.insert(Certificate),
        [
            {
                "number": f"CC-{n:07d}",
                "holder_id": u,
                "enrolment_id": e,
                "course_id": course,
                "issuer_id": world.operator_id,
                "issued_on": issued.date(),
                "expires_on": expired if n % 20 == 0 else date(YEAR + 1, 6, 2),
                "issued_at": issued,
                "revoke_reason": "",
            }
            for n, (u, e) in enumerate(zip(certified, enrolments, strict=True))
        ],
    )
    log(f"staff: {len(ids):,} users, {len(certified):,} certified")
    return len(ids)


# --- Streaming the year into PostgreSQL ----------------------------------------------------------------

COLUMNS = {
    "dossiers": (
        "id, code, item_number, status, channel, procedure_id, unit_id, operator_id, office_id, "
        "applicant_name, applicant_citizen_id, applicant_phone, applicant_province_code, "
        "applicant_commune_code, applicant_street, search_key, result_delivery, payment_method, fee, "
        "charge, postal_price, accepted_at, appointment_at, digitized_at, counter_queued_at, "
        "counter_started_at, updated_at"
    ),
    "dossier_files": (
        "id, dossier_id, component_code, filename, content_type, size, pages, sha256, uploaded_at"
    ),
    "dossier_components": (
        "id, dossier_id, position, code, name, kind_key, original, count, reused_file_id, reuse_consent_at"
    ),
    "dossier_events": "id, dossier_id, code, at, place, note",
    "tasks": (
        "id, contract_id, version_id, task_type, status, dossier_code, procedure_id, unit_id, operator_id, "
        "post_office_id, created_at, warn_at, due_at, started_at, completed_at, outcome, sla_met, "
        "unit_price, page_price, penalty, pages, near_due_notified_at, overdue_notified_at"
    ),
    "satisfaction_ratings": (
        "id, dossier_id, unit_id, operator_id, office_id, subject, level, reasons, comment, rated_at"
    ),
}
FACT_COLUMNS = (
    "dossier_id",
    "code",
    "day",
    "month",
    "province_code",
    "operator_id",
    "office_id",
    "unit_id",
    "group_id",
    "procedure_id",
    "channel",
    "status",
    "appointment_at",
    "pickup_state",
    "carriage_state",
    "unit_state",
    "delivery_state",
    "unit_due_at",
    "finished_at",
    "next_due_at",
    *MEASURES,
)
COLUMNS["dossier_facts"] = ", ".join(FACT_COLUMNS)


class Stream:
    """One table's COPY, open for the whole load on a connection of its own, fed a chunk at a time; a
    writer thread sends while the generator goes on."""

    def __init__(self, url: str, table: str) -> None:
        from psycopg.copy import QueuedLibpqWriter

        self.table, self.rows, self.buffer = table, 0, []  # type: ignore[var-annotated]
        self.conn = psycopg.connect(psycopg_url(url))
        self.conn.execute("SET synchronous_commit = off")
        cursor = self.conn.cursor()
        self._copy = cursor.copy(
            f"COPY {table} ({COLUMNS[table]}) FROM STDIN", writer=QueuedLibpqWriter(cursor)
        )
        self.copy = self._copy.__enter__()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.rows += len(self.buffer)
            self.buffer.clear()

    def close(self) -> None:
        self.flush()
        self._copy.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()


def day_counts(total: int, calendar: WorkingCalendar) -> list[tuple[date, int]]:
    """The year's dossiers by day: working days full, Saturdays a third, Sundays and holidays a tenth,
    a little busier towards the end of the year (largest remainders, so they add up exactly)."""
    days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(365)]
    weights = [
        (1.0 if calendar.is_working_day(d) else (0.35 if d.weekday() == 5 else 0.1)) * (0.9 + 0.2 * n / 364)
        for n, d in enumerate(days)
    ]
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for n in sorted(range(365), key=lambda n: exact[n] - counts[n], reverse=True)[: total - sum(counts)]:
        counts[n] += 1
    return list(zip(days, counts, strict=True))


HOURS = (7.5, 8, 8.5, 9, 9, 9.5, 10, 10.5, 11, 13.5, 14, 14.5, 15, 15.5, 16, 16.5)
STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hùng Vương",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Quang Trung",
)
NOTES = {"rejected": "Thiếu giấy tờ: văn bản ủy quyền", "resubmitted": "Công dân đã bổ sung giấy tờ"}
OUTCOMES = {TaskStatus.DONE.value: "Hoàn thành", TaskStatus.CANCELLED.value: "Không thực hiện"}
POSTAL_TASKS = {t.value for t in (TaskType.DIGITIZATION, TaskType.CARRIAGE, TaskType.HOME_PICKUP)}
RESULT_TASKS = {TaskType.RESULT_COLLECTION.value, TaskType.RESULT_DELIVERY.value}


def _cum_choices(options: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[float]]:
    return [o for o, _ in options], list(_cumulative([float(w) for _, w in options]))


class Generator:
    def __init__(
        self, world: World, rng: random.Random, fast: FastCalendar, streams: dict[str, Stream]
    ) -> None:
        self.w, self.rng, self.fast, self.s = world, rng, fast, streams
        self.now = int(NOW.timestamp())
        self.ids = dict.fromkeys(BULK, 0)
        self.serial = 0
        # (unit, procedure) -> the last dossiers completed: (id, citizen, delivered at, digitized at)
        self.rings: dict[tuple[int, int], deque[tuple[int, tuple[str, ...], int, int | None]]] = {}
        self.channels = _cum_choices(CHANNELS)
        self.methods = {c: _cum_choices(RESULT_CHOICES[c]) for c in Channel}
        mobiles = [p for p in MOBILE if _valid_mobile(p)]
        self.mobiles = mobiles
        self.names = [
            (f"{f} {m} {g}", f"{fold(f)} {fold(m)} {fold(g)}", female)
            for female in (0, 1)
            for f in sorted(set(FAMILY))
            for m in MIDDLE[female]
            for g in GIVEN[female]
        ]
        self.counts: dict[str, int] = defaultdict(int)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _pick(self, cum: list[float], items: list[Any]) -> Any:
        return items[bisect(cum, self.rng.random() * cum[-1])]

    def citizen(self, province: str, commune: str) -> tuple[str, ...]:
        rng = self.rng
        name, key, female = self.names[int(rng.random() * len(self.names))]
        year = rng.randint(1950, 2006)
        cid = f"0{province}{(2 if year >= 2000 else 0) + female}{year % 100:02d}{rng.randint(0, 999_999):06d}"
        phone = f"+84{self.mobiles[int(rng.random() * len(self.mobiles))][1:]}{rng.randint(0, 9_999_999):07d}"
        street = f"{rng.randint(1, 300)} {STREETS[int(rng.random() * len(STREETS))]}"
        return (name, cid, phone, province, commune, street, f"{key} {phone}"[:255])

    def dossier(self, t0: int, day_code: str, sequences: dict[int, int]) -> None:
        w, rng, fast, now = self.w, self.rng, self.fast, self.now
        office = w.offices[bisect(w.office_cum, rng.random() * w.office_cum[-1])]
        roll = rng.random()
        level = "commune" if roll < 0.62 else ("province" if roll < 0.95 else "ministry")
        proc: Proc = self._pick(w.procedure_cum[level], w.procedures[level])
        roll = rng.random()
        if roll < 0.75:
            commune = office.commune
        elif roll < 0.9 or proc.onsite:
            commune = w.province_communes[office.province][
                int(rng.random() * len(w.province_communes[office.province]))
            ]
        else:
            commune = w.communes[int(rng.random() * len(w.communes))]
        province = w.commune_province[commune]
        if level == "commune":
            unit = w.commune_unit[commune]
        elif level == "province":
            unit = w.province_unit[province]
        else:
            unit = w.units[proc.unit_id or 0]
        channel: Channel = self._pick(self.channels[1], self.channels[0])
        method: str = self._pick(self.methods[channel][1], self.methods[channel][0]).value
        cross = office.province != unit.province
        legs = plan_legs(
            rng,
            proc.days,
            w.sla,
            method,
            cross=cross,
            digitize=0.8 if office.slow else 0.94,
            carriage_late=0.16 if office.slow else (0.1 if cross else 0.05),
            unit_late=0.2 if unit.slow else 0.04,
        )

        def at(offset: float) -> int:
            return t0 if offset == 0 else round(fast.add(t0, offset * 3600))

        acceptance = acceptance_task(channel).value
        journey = walk(legs, acceptance, method, at, now)
        did = self.next_id("dossiers")
        sequences[unit.id] = sequence = sequences.get(unit.id, 0) + 1
        code = f"{unit.code}-{day_code}-{sequence:04d}"
        self.serial += 1

        # A citizen who came back for the same procedure: the documents of the last one are reused.
        key = (unit.id, proc.id)
        ring = self.rings.get(key)
        reused: dict[str, int] = {}
        if ring and ring[0][2] < t0 and rng.random() < 0.3:
            earlier, person, _delivered, scanned = ring.popleft()
            if scanned is not None:
                for component, _rest in proc.components:
                    if rng.random() < 0.85:
                        fid = self.next_id("dossier_files")
                        reused[component] = fid
                        self.s["dossier_files"].buffer.append(
                            f"{fid}\t{earlier}\t{component}\t{component}.pdf\tapplication/pdf\t"
                            f"{rng.randint(40_000, 900_000)}\t{rng.randint(1, 6)}\t"
                            f"{rng.getrandbits(256):064x}\t{ts(scanned)}\n"
                        )
        else:
            person = self.citizen(province, commune)
        if journey.delivered_at is not None:
            if ring is None:
                ring = self.rings[key] = deque(maxlen=8)
            ring.append((did, person, journey.delivered_at, journey.digitized_at))

        queued = started = None
        if channel == Channel.COUNTER:
            handle = rng.triangular(8, 40, 15)
            wait = rng.triangular(8, 45, 20) if office.slow else rng.triangular(3, 25, 8)
            started = t0 - round(handle * 60)
            queued = started - round(wait * 60) if rng.random() < 0.9 else None
        budget = proc.days * HOURS_PER_WORKING_DAY * 3600
        appointment = round(fast.add(t0, budget))
        price = w.prices[acceptance]
        total = proc.fee + proc.charge + price
        payment = ("cash", "transfer", "card")[bisect((0.55, 0.9), rng.random())] if total else "none"
        name, cid, phone, a_province, a_commune, street, search = person
        self.s["dossiers"].buffer.append(
            f"{did}\t{code}\t{make_s10(ITEM_SERVICE, self.serial)}\t{journey.status}\t{channel.value}\t"
            f"{proc.id}\t"
            f"{unit.id}\t{w.operator_id}\t{office.id}\t{name}\t{cid}\t{phone}\t{a_province}\t{a_commune}\t{street}\t"
            f"{search}\t{method}\t{payment}\t{proc.fee}\t{proc.charge}\t{price}\t{ts(t0)}\t{ts(appointment)}\t"
            f"{ts(journey.digitized_at)}\t{ts(queued)}\t{ts(started)}\t{ts(journey.events[-1][1])}\n"
        )
        components = self.s["dossier_components"].buffer
        for component, rest in proc.components:
            fid = reused.get(component)
            consent = ts(t0) if fid else NULL
            components.append(
                f"{self.next_id('dossier_components')}\t{did}\t{rest}\t{fid or NULL}\t{consent}\n"
            )
        events = self.s["dossier_events"].buffer
        for event, moment in journey.events:
            at_unit = event in ("rejected", "received", "result_ready", "result_collected") or (
                event == "delivered" and method == ResultDelivery.COUNTER.value
            )
            place = unit.name if at_unit else office.name
            events.append(
                f"{self.next_id('dossier_events')}\t{did}\t{event}\t{ts(moment)}\t{place}\t"
                f"{NOTES.get(event, '')}\n"
            )

        clocks, late = [], set()
        if legs.ready - legs.received > proc.days * HOURS_PER_WORKING_DAY:
            late.add("unit")
        tasks = self.s["tasks"].buffer
        for spec in journey.tasks:
            sla = w.sla[spec.task_type] * 3600
            due = round(fast.add(spec.created_at, sla))
            warn = round(fast.add(spec.created_at, sla * DEFAULT_WARN_FRACTION))
            until = spec.completed_at or now
            done = spec.status == TaskStatus.DONE.value
            met = None
            if done:
                met = spec.completed_at is not None and spec.completed_at <= due
                if not met:
                    late.add("delivery" if spec.task_type in RESULT_TASKS else "carriage")
            pages = len(proc.components) * 3 if spec.task_type == TaskType.DIGITIZATION.value and done else 0
            unit_price = price if spec.task_type == acceptance else w.prices[spec.task_type]
            near = warn if warn < until else None
            over = due + 300 if due + 300 < until else None
            tasks.append(
                f"{self.next_id('tasks')}\t{unit.contract}\t{unit.version}\t{spec.task_type}\t{spec.status}\t{code}\t"
                f"{proc.id}\t{unit.id}\t{w.operator_id}\t{office.id}\t{ts(spec.created_at)}\t{ts(warn)}\t{ts(due)}\t"
                f"{ts(spec.started_at)}\t{ts(spec.completed_at)}\t{OUTCOMES.get(spec.status, '')}\t"
                f"{txt(met)}\t"
                f"{unit_price}\t500\t20000\t{pages}\t{ts(near)}\t{ts(over)}\n"
            )
            clocks.append(TaskClock(spec.task_type, spec.status, dt(due), met))  # type: ignore[arg-type]

        ratings: dict[str, str] = {}
        if journey.delivered_at is not None and rng.random() < 0.6:
            rated = journey.delivered_at + round(rng.uniform(0.1, 48) * 3600)
            if rated <= now:
                postal_ok = (0.8 if office.slow else 0.96) * (0.85 if late & {"carriage", "delivery"} else 1)
                unit_ok = (0.85 if unit.slow else 0.955) * (0.75 if "unit" in late else 1)
                buffer = self.s["satisfaction_ratings"].buffer
                for subject, chance in (("postal", postal_ok), ("unit", unit_ok)):
                    ok = rng.random() < chance
                    level = (
                        ("very_satisfied" if rng.random() < 0.6 else "satisfied") if ok else "not_satisfied"
                    )
                    was_late = "unit" in late if subject == "unit" else bool(late & {"carriage", "delivery"})
                    reason = "" if ok else ("late" if was_late else "attitude")
                    ratings[subject] = level
                    buffer.append(
                        f"{self.next_id('satisfaction_ratings')}\t{did}\t{unit.id}\t{w.operator_id}\t{office.id}\t"
                        f"{subject}\t{level}\t{reason}\t\t{ts(rated)}\n"
                    )

        fact = SimpleNamespace(
            id=did,
            code=code,
            status=journey.status,
            channel=channel.value,
            unit_id=unit.id,
            operator_id=w.operator_id,
            office_id=office.id,
            procedure_id=proc.id,
            accepted_at=dt(t0),
            appointment_at=dt(appointment),
            digitized_at=dt(journey.digitized_at),
            counter_queued_at=dt(queued),
            counter_started_at=dt(started),
            group_id=proc.group_id,
            processing_days=proc.days,
            province_code=office.province,
        )
        times = times_from_events(
            [(e, dt(m)) for e, m in journey.events if e in ("received", "result_ready", "delivered")]  # type: ignore[misc]
        )
        row = fact_row(fact, (len(proc.components), len(reused)), times, clocks, ratings, NOW, fast)
        self.s["dossier_facts"].buffer.append("\t".join(txt(row[c]) for c in FACT_COLUMNS) + "\n")
        self.counts[journey.status] += 1

    def run(self, total: int) -> None:
        started, made, rng = time.time(), 0, self.rng
        for day, count in day_counts(total, self.fast):
            midnight = int(datetime.combine(day, dtime(0), LOCAL_TZ).timestamp())
            moments = sorted(
                midnight + int(HOURS[int(rng.random() * 16)] * 3600 + rng.random() * 1800)
                for _ in range(count)
            )
            sequences: dict[int, int] = {}
            day_code = f"{day:%y%m%d}"
            for t0 in moments:
                self.dossier(t0, day_code, sequences)
                made += 1
                if made % CHUNK == 0:
                    for stream in self.s.values():
                        stream.flush()
                if made % (CHUNK * 25) == 0:
                    rate = made / (time.time() - started)
                    log(f"  {made:,} dossiers ({rate:,.0f}/s; {(total - made) / rate / 60:.1f} min to go)")
        for stream in self.s.values():
            stream.flush()


def _valid_mobile(prefix: str) -> bool:
    from postal_hub.core import validators

    try:
        validators.mobile_phone(f"{prefix}1234567")
    except validators.InvalidValue:
        return False
    return True


# --- Indexes and constraints off during the load, back on after -----------------------------------------


def drop_indexes(conn: psycopg.Connection) -> list[str]:
    """Drops the bulk tables' indexes and keys (and the foreign keys pointing at them); returns the
    statements that put every one of them back, in an order that works."""
    tables = list(BULK)
    constraints = conn.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
           FROM pg_constraint c
           WHERE c.contype IN ('p', 'u', 'f')
             AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))""",
        (tables, tables),
    ).fetchall()
    owned = {name for _t, name, _d, kind in constraints if kind in "pu"}
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)",
        (tables,),
    ).fetchall()
    restore = [definition for name, definition in indexes if name not in owned]
    foreign = [(t, n, d) for t, n, d, kind in constraints if kind == "f"]
    keys = [(t, n, d) for t, n, d, kind in constraints if kind in "pu"]
    for table, name, _definition in foreign + keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )
    for name, _definition in indexes:
        if name not in owned:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    restore += [f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for t, n, d in keys]
    restore += [f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for t, n, d in foreign]
    conn.commit()
    log(f"dropped {len(indexes)} indexes and {len(constraints)} constraints on the bulk tables")
    return restore


def restore_indexes(conn: psycopg.Connection, statements: list[str]) -> None:
    conn.execute("SET maintenance_work_mem = '1GB'")
    for statement in statements:
        began = time.time()
        conn.execute(statement)
        conn.commit()
        log(f"  {time.time() - began:7.1f} s  {statement[:110]}")


def table_sizes(conn: psycopg.Connection) -> list[tuple[str, int, int]]:
    return conn.execute(
        """SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 3 DESC"""
    ).fetchall()


def verify_facts(session: Any, total: int, rng: random.Random, sample: int = 2_000) -> tuple[int, int]:
    """Facts the app itself builds from the stored dossiers, events, tasks and ratings, against the ones
    streamed in: they must be the same, column for column."""
    from postal_hub.monitoring.facts import build_facts
    from postal_hub.monitoring.models import DossierFact

    ids = rng.sample(range(1, total + 1), min(sample, total))
    fresh = {row["dossier_id"]: row for row in build_facts(session, ids, NOW)}
    columns = [c.name for c in DossierFact.__table__.columns]
    differ = 0
    for stored in session.scalars(sa.select(DossierFact).where(DossierFact.dossier_id.in_(ids))):
        if any(getattr(stored, c) != fresh[stored.dossier_id][c] for c in columns):
            differ += 1
    session.rollback()
    return len(ids), differ


def build_summaries(app: Any, newest: dict[str, int], tasks_only: bool = False) -> dict[str, float]:
    """Every summary and roll-up (or only the task tables), by the refresh module's own rebuilds,
    then the refresh state."""
    from postal_hub.monitoring import rollups
    from postal_hub.monitoring.models import TaskMonthTotals
    from postal_hub.monitoring.models_rollups import ROLLUPS, TaskDayTotals

    task_tables = [TaskMonthTotals, *(t for t in ROLLUPS if t.__tablename__.startswith("stats_task_"))]
    assert TaskDayTotals in task_tables
    step = time.time()
    with app.app_context():
        session = db.session
        session.execute(sa.delete(RefreshState))
        days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(366 + 3)]
        months = {d.replace(day=1) for d in days}
        if not tasks_only:
            refresh.rebuild_days(session, days)
            session.commit()
            log(f"  daily summaries and day roll-ups: {time.time() - step:.0f} s")
            refresh.rebuild_months(session, months)
            session.commit()
            log(f"  office, unit and office-unit monthly summaries: {time.time() - step:.0f} s")
        for table in task_tables:  # TRUNCATE, not DELETE: a rebuild leaves no dead rows behind
            session.execute(sa.text(f"TRUNCATE {table.__tablename__}"))
        rollups.rebuild_task_days(session, days, NOW)
        session.commit()
        log(f"  task summaries: {time.time() - step:.0f} s")
        # Everything is read: a worker's next round starts after the newest ids.
        state = {f"{side}_{name}": value for side in ("last", "seen") for name, value in newest.items()}
        session.add(RefreshState(id=refresh.STATE_ID, refreshed_at=NOW, **state))
        session.commit()
    return {"summary tables and roll-ups (refresh.rebuild_*, rollups.rebuild_task_days)": time.time() - step}


def summaries_only(url: str, tasks_only: bool = False) -> int:
    """Rebuild the summaries of a database generated earlier, after migrating it to the newest schema
    (new roll-up tables are filled the way a full generation fills them); `tasks_only` after a change
    to the task tables alone."""
    began = time.time()
    migrate.upgrade(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    with psycopg.connect(psycopg_url(url)) as conn:
        newest = {
            name: int(
                conn.execute(  # type: ignore[index]
                    sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
                ).fetchone()[0]
            )
            for name, table in (
                ("event_id", "dossier_events"),
                ("rating_id", "satisfaction_ratings"),
                ("task_id", "tasks"),
            )
        }
    timings = build_summaries(app, newest, tasks_only)
    vacuum(url)
    for name, seconds in timings.items():
        log(f"  {seconds / 60:7.1f} min  {name}")
    log(f"  {(time.time() - began) / 60:7.1f} min  in all")
    return 0


def vacuum(url: str) -> list[tuple[str, int, int]]:
    """VACUUM the tables the dashboards read (index-only scans need their visibility maps), ANALYZE all."""
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND (tablename LIKE 'stats_%' OR tablename = 'dossier_facts')"
            )
        ]
        for table in tables:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        conn.execute("ANALYZE")
        return table_sizes(conn)


# --- The whole run -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 12 million dossiers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force", action="store_true", help="go on even if the estimate exceeds the free disk"
    )
    parser.add_argument(
        "--summaries-only",
        action="store_true",
        help="migrate a database generated earlier and rebuild its summaries and roll-ups only",
    )
    parser.add_argument(
        "--tasks-only",
        action="store_true",
        help="with --summaries-only: rebuild the task tables alone (after a change to them only)",
    )
    args = parser.parse_args()
    if args.summaries_only:
        return summaries_only(args.database_url, args.tasks_only)
    url, total = args.database_url, round(FULL_DOSSIERS * args.scale)
    began = time.time()
    free = shutil.disk_usage("/").free
    estimate = total * BYTES_PER_DOSSIER
    log(f"{total:,} dossiers; estimated {estimate / 1e9:.1f} GB on disk, {free / 1e9:.1f} GB free")
    if estimate > 0.85 * free and not args.force:
        log("not enough disk for that (use --force to try anyway)")
        return 2
    ensure_database(url)
    reset_schema(url)
    migrate.upgrade(url)
    rng = random.Random(args.seed)
    fast = FastCalendar(date(YEAR - 1, 12, 1), date(YEAR + 1, 12, 31))
    check_calendar(fast, random.Random(args.seed + 1))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    timings: dict[str, float] = {}
    with app.app_context():
        session = db.session
        step = time.time()
        world = build_world(session, rng)
        build_staff(session, world, rng)
        session.commit()
        timings["organizations, offices, contracts, staff"] = time.time() - step

    with psycopg.connect(psycopg_url(url)) as conn:
        restore = drop_indexes(conn)
    step = time.time()
    streams = {table: Stream(url, table) for table in BULK}
    generator = Generator(world, rng, fast, streams)
    generator.run(total)
    for stream in streams.values():
        stream.close()
    timings["dossiers, components, events, tasks, ratings, facts (COPY)"] = time.time() - step
    log(f"loaded: {', '.join(f'{t} {s.rows:,}' for t, s in streams.items())}")
    log(f"statuses: {dict(sorted(generator.counts.items()))}")

    step = time.time()
    with psycopg.connect(psycopg_url(url)) as conn:
        restore_indexes(conn, restore)
        for table in BULK:
            if table != "dossier_facts":  # its key is the dossier's id
                setval = "SELECT setval(pg_get_serial_sequence(%s, 'id'), {})"
                highest = sql.SQL("(SELECT max(id) FROM {})").format(sql.Identifier(table))
                conn.execute(sql.SQL(setval).format(highest), (table,))
        conn.commit()
    timings["indexes and keys rebuilt"] = time.time() - step

    newest = {
        "event_id": generator.ids["dossier_events"],
        "rating_id": generator.ids["satisfaction_ratings"],
        "task_id": generator.ids["tasks"],
    }
    timings.update(build_summaries(app, newest))

    with app.app_context():
        checked, differ = verify_facts(db.session, total, random.Random(args.seed + 2))
    log(f"facts rebuilt from the stored rows by the app's build_facts: {checked:,} checked, {differ} differ")

    step = time.time()
    sizes = vacuum(url)
    timings["VACUUM ANALYZE"] = time.time() - step

    log("timings:")
    for name, seconds in timings.items():
        log(f"  {seconds / 60:7.1f} min  {name}")
    log(f"  {(time.time() - began) / 60:7.1f} min  in all")
    log("largest tables (rows, size with indexes):")
    for name, rows, size in sizes[:14]:
        log(f"  {name:<24} {rows:>13,} {size / 1e9:8.2f} GB")
    used = sum(size for _n, _r, size in sizes)
    log(f"database: {used / 1e9:.1f} GB, {used / max(total, 1):,.0f} bytes per dossier")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

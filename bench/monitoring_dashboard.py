"""Times every monitoring dashboard view, and the quarterly report, on the database that
bench/monitoring_generate.py filled.

Each view is what `postal_hub.monitoring.dashboard.build_dashboard` computes for one viewer and one
set of filters (totals and the previous period, channels, groups, the time series, tasks by type and
by contract, the ranked offices and units, staffing and certification): the national view (system
administrator) for a month, a quarter, the year and the last 30 days; one province; one provincial
post's manager; an agency supervisor's units; one unit's officer; one office; and each filter (a
procedure group, a channel). The quarterly report is `postal_hub.monitoring.report.build_report`.
Every view runs 5 times (the first on a cold cache for that query); median and max are reported.

Usage: .venv/bin/python bench/monitoring_dashboard.py [--database-url URL] [--runs 5] [--goal 1.0]
Exits 1 when a view's slowest run exceeds the goal (seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from postal_hub import create_app
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.extensions import db
from postal_hub.monitoring.models import DossierFact
from postal_hub.monitoring.query import Filters, Scope

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_monitoring"
NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # as in monitoring_generate.py
TODAY = date(2027, 1, 4)
MONTH = (date(2026, 12, 1), date(2026, 12, 31))
QUARTER = (date(2026, 10, 1), date(2026, 12, 31))
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
LAST_30 = (TODAY - timedelta(days=29), TODAY)
GRAIN = {MONTH: "day", QUARTER: "week", YEAR: "month", LAST_30: "day"}


@dataclass
class View:
    name: str
    run: Callable[[], Any]


def views(session: Any) -> list[View]:
    from postal_hub.monitoring.dashboard import build_dashboard

    operator = session.scalar(sa.select(Organization.id).where(Organization.code == "VNPOST"))
    hanoi = session.scalar(sa.select(Organization).where(Organization.code == "000.00.01.H26"))
    hanoi_units = tuple(
        session.scalars(
            sa.select(Organization.id).where(
                Organization.kind == "one_stop_unit",
                Organization.province_code == "01",
                Organization.level != "ministry",
            )
        )
    )
    commune_unit = session.scalar(
        sa.select(Organization)
        .where(Organization.level == "commune", Organization.province_code == "01")
        .order_by(Organization.code)
    )
    busiest = session.scalar(
        sa.select(DossierFact.office_id)
        .group_by(DossierFact.office_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    office = session.get(PostOffice, busiest)
    civil_status = session.scalar(sa.select(ProcedureGroup.id).where(ProcedureGroup.code == "HT"))

    def dashboard(scope: Scope, period: tuple[date, date], **filters: Any) -> Callable[[], Any]:
        def run() -> Any:
            asked = Filters(start=period[0], end=period[1], **filters)
            return build_dashboard(session, scope, asked, NOW, TODAY, GRAIN[period])

        return run

    national, manager = Scope(), Scope(operator_id=operator, province_code="79")
    supervisor, officer = Scope(unit_ids=hanoi_units), Scope(unit_ids=(hanoi.id,))
    found = [
        View("national, month (Dec 2026)", dashboard(national, MONTH)),
        View("national, quarter (Q4 2026)", dashboard(national, QUARTER)),
        View("national, year (2026)", dashboard(national, YEAR)),
        View("national, last 30 days", dashboard(national, LAST_30)),
        View("province 01 (Hà Nội), quarter", dashboard(national, QUARTER, province_code="01")),
        View("province 01 (Hà Nội), last 30 days", dashboard(national, LAST_30, province_code="01")),
        View("manager, post of province 79, quarter", dashboard(manager, QUARTER)),
        View("manager, post of province 79, last 30 days", dashboard(manager, LAST_30)),
        View(f"supervisor, {len(hanoi_units)} Hà Nội units, quarter", dashboard(supervisor, QUARTER)),
        View(f"supervisor, {len(hanoi_units)} Hà Nội units, last 30 days", dashboard(supervisor, LAST_30)),
        View("unit officer, Hà Nội centre, quarter", dashboard(officer, QUARTER)),
        View("unit officer, Hà Nội centre, year", dashboard(officer, YEAR)),
        View("unit officer, Hà Nội centre, last 30 days", dashboard(officer, LAST_30)),
        View(f"office {office.code} (busiest), quarter", dashboard(national, QUARTER, office_id=office.id)),
        View(
            f"office {office.code} (busiest), last 30 days", dashboard(national, LAST_30, office_id=office.id)
        ),
        View(
            "national, group HT (civil status), quarter", dashboard(national, QUARTER, group_id=civil_status)
        ),
        View(
            "national, group HT (civil status), last 30 days",
            dashboard(national, LAST_30, group_id=civil_status),
        ),
        View("national, channel pickup, quarter", dashboard(national, QUARTER, channel="pickup")),
        View("national, channel pickup, last 30 days", dashboard(national, LAST_30, channel="pickup")),
        View(
            "supervisor, channel counter + group HT, quarter",
            dashboard(supervisor, QUARTER, channel="counter", group_id=civil_status),
        ),
        View(
            "supervisor, channel counter + group HT, last 30 days",
            dashboard(supervisor, LAST_30, channel="counter", group_id=civil_status),
        ),
        View(
            f"office {office.code} (busiest), group HT, quarter",
            dashboard(national, QUARTER, office_id=office.id, group_id=civil_status),
        ),
    ]
    try:
        from postal_hub.monitoring.quarters import Quarter
        from postal_hub.monitoring.report import build_report, unit_contracts
    except ImportError:
        return found
    quarter = Quarter(2026, 4)

    def report(scope: Scope, unit: Organization, by_contract: bool = False) -> Callable[[], Any]:
        def run() -> Any:
            contract = unit_contracts(session, scope, unit)[0] if by_contract else None
            return build_report(session, scope, unit, quarter, NOW, TODAY, contract)

        return run

    found += [
        View("quarterly report, Hà Nội centre, 2026Q4", report(national, hanoi)),
        View("quarterly report, Hà Nội centre, its contract", report(national, hanoi, by_contract=True)),
        View(f"quarterly report, {commune_unit.code}, 2026Q4", report(national, commune_unit)),
    ]
    return found


def _time_statements(engine: Any, timed: list[tuple[float, str]]) -> None:
    """Record each statement's time (for --statements): where a view's time goes."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("began", []).append(time.perf_counter())

    @sa.event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        began = conn.info["began"].pop()
        tables = sorted(
            {w for w in statement.replace(",", " ").split() if w.startswith(("stats_", "dossier_"))}
        )
        timed.append(
            (time.perf_counter() - began, " ".join(statement.split())[:70] + f" [{' '.join(tables)}]")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", type=float, default=1.0, help="seconds; exit 1 if a view's max exceeds it")
    parser.add_argument("--only", default="", help="time only the views whose name contains this")
    parser.add_argument(
        "--statements", action="store_true", help="after each view, its slowest SQL statements (last run)"
    )
    args = parser.parse_args()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": args.database_url})
    results = []
    with app.app_context():
        session = db.session
        facts = session.scalar(sa.select(sa.func.count()).select_from(DossierFact))
        print(f"{facts:,} dossiers in the facts; {args.runs} runs per view; goal {args.goal:.2f} s\n")
        timed: list[tuple[float, str]] = []
        if args.statements:
            _time_statements(db.engine, timed)
        for view in views(session):
            if args.only not in view.name:
                continue
            times = []
            for _ in range(args.runs):
                timed.clear()
                began = time.perf_counter()
                view.run()
                times.append(time.perf_counter() - began)
                session.rollback()  # each run reads as a new request would
            results.append((view.name, statistics.median(times), max(times), times[0]))
            print(
                f"  {view.name:<58} median {results[-1][1]:6.3f} s   max {results[-1][2]:6.3f} s", flush=True
            )
            for seconds, statement in sorted(timed, reverse=True)[:6]:
                print(f"      {seconds:6.3f} s  {statement}")
    print("\n| view | median | max | first run |\n|---|---|---|---|")
    for name, median, slowest, first in results:
        print(f"| {name} | {median:.3f} s | {slowest:.3f} s | {first:.3f} s |")
    over = [name for name, _m, slowest, _f in results if slowest > args.goal]
    if over:
        print(f"\n{len(over)} view(s) over {args.goal:.2f} s: {', '.join(over)}")
        return 1
    print(f"\nevery view under {args.goal:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

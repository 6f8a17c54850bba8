"""How fast the custody log appends and verifies: appends per second through the service (each one
takes the chain's head lock), and entries per second that verify-log recomputes.

Usage: .venv/bin/python bench/custody_chain.py [--entries 20000] [--database-url URL]
Without --database-url it uses a fresh SQLite file; pass a PostgreSQL URL of a scratch database
(its public schema is dropped and recreated).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from postal_hub import migrate
from postal_hub.core.custody import services as custody
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.db import make_engine

BATCH = 500  # appends per transaction, as a busy office's hand-offs would commit


def _fresh(url: str | None) -> str:
    if url is None:
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = _fresh(args.database_url)
    migrate.upgrade(url)
    engine = make_engine(url)
    start = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    with Session(engine) as session:
        org = Organization(
            code="BENCH", name="Bench unit", search_key="bench", kind=OrgKind.ONE_STOP_UNIT.value
        )
        session.add(org)
        session.commit()
        began = time.perf_counter()
        for n in range(args.entries):
            subject = custody.Subject(None, f"BENCH-261120-{n % 10000:04d}", f"RR{n:08d}5VN", "BK-BENCH")
            custody.append(
                session,
                org,
                CustodyKind.DISPATCHED,
                subject,
                start + timedelta(seconds=n),
                "bench",
                "Bưu cục",
            )
            if n % BATCH == BATCH - 1:
                session.commit()
        session.commit()
        appended = time.perf_counter() - began
        began = time.perf_counter()
        report = custody.verify_org(session, org)
        verified = time.perf_counter() - began
    engine.dispose()
    assert report.ok and report.verdict.size == args.entries
    engine_name = url.split(":", 1)[0]
    print(f"engine={engine_name} entries={args.entries}")
    print(f"append: {args.entries / appended:,.0f} entries/s ({appended:.1f} s)")
    print(f"verify: {args.entries / verified:,.0f} entries/s ({verified:.2f} s)")


if __name__ == "__main__":
    main()

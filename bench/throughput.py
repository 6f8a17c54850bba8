"""Throughput under gunicorn: public tracking and the slot search against the stack's own ceiling.

One command: resets a scratch PostgreSQL database (default `bench_tp`), migrates and seeds it with the
project's own commands (`postal-hub db upgrade`, `load-places`, `seed-demo`: the demo's dossiers with
their timelines, its 59 offices with pickup schedules and its nationwide home-pickup contract), adds
13,000 offices with pickup schedules spread like the population (as bench/slot_search.py does), starts
gunicorn (4 sync workers, POSTAL_HUB_ENV=production) and drives it with wrk at 50 connections, one
endpoint after the other in the same run:

  /healthz                    a fixed JSON body: the stack's ceiling on this machine (no database)
  /readyz                     a fixed JSON body after one `SELECT 1` on the public-read pool: the floor
                              of any answer that needs the database, on this machine
  /api/v1/track/<code>        public tracking (JSON), rotating over every dossier code and item number
  /track/<code>               public tracking (HTML page), same codes
  /api/v1/pickups/slots?...   the slot search at random points in Hà Nội, by position alone

Each gets a warm-up, then a timed run; the report gives requests/s, p50/p95/p99/max, errors and the
share of the ceiling, and judges the issue's goal: tracking (JSON) at least 60 % of the ceiling's
requests/s with a p99 under 50 ms. The per-process rate limits (TRACK_LOOKUPS_PER_MINUTE,
API_REQUESTS_PER_MINUTE, PICKUP_BOOKINGS_PER_HOUR_PER_IP) are raised to 10^9 so the benchmark measures
the stack, not the limiter (every wrk connection comes from 127.0.0.1, one limiter key).
wrk and gunicorn share this machine's cores: the figures are the pair's, on one box.

Usage: .venv/bin/python bench/throughput.py [--duration 25] [--warmup 5] [--clients 50] [--rounds 1]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_tp] [--reuse] [--json FILE]
(--reuse keeps an already seeded database; --only "track (JSON)" times the ceiling and that alone.)
The exit status is 0 when the goal holds, 1 when it does not.
Needs wrk (Debian: apt-get install -y wrk). The database named is DROPPED and recreated (never `test`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
LUA = Path(__file__).resolve().parent / "throughput_paths.lua"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_tp"
PROCEDURE_CODE = "1.012783"  # the demo's procedure under its nationwide home-pickup contract
HANOI = "01"
REFUSED = {"test", "postgres", "template0", "template1"}
GOAL_SHARE, GOAL_P99_MS = 0.60, 50.0
UNLIMITED = str(10**9)


def _env(url: str, files: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        POSTAL_HUB_ENV="production",
        SECRET_KEY="bench-throughput-not-a-secret",  # noqa: S106 - a scratch installation
        DATABASE_URL=url,
        FILE_STORE_PATH=str(files),
        PUBLIC_BASE_URL="http://127.0.0.1",
        TRACK_LOOKUPS_PER_MINUTE=UNLIMITED,
        API_REQUESTS_PER_MINUTE=UNLIMITED,
        PICKUP_BOOKINGS_PER_HOUR_PER_IP=UNLIMITED,
    )
    return env


def reset_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database or ""
    if not parsed.drivername.startswith("postgresql") or name in REFUSED or name.startswith("test"):
        sys.exit(f"refusing to reset {name!r}: give a scratch PostgreSQL database (e.g. bench_tp)")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def run_cli(env: dict[str, str], *args: str) -> None:
    began = time.perf_counter()
    command = [str(BIN / "postal-hub"), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603 (our own CLI)
    if done.returncode:
        sys.exit(f"postal-hub {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    print(f"  postal-hub {' '.join(args)}: {time.perf_counter() - began:.1f} s", flush=True)


def add_offices(url: str, count: int, rng: random.Random) -> None:
    """Offices spread like the population, each with a pickup schedule, under the demo's operator."""
    from slot_search import spread_offices

    import postal_hub.models  # noqa: F401 - every mapper, so relationships resolve
    from postal_hub.core.orgs.models import Organization
    from postal_hub.core.places.models import Commune
    from postal_hub.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        operator_id = session.scalar(sa.select(Organization.id).where(Organization.code == "VNPOST"))
        assert operator_id is not None, "seed-demo makes the VNPOST operator"
        communes: dict[str, str] = {}
        for code, province in session.execute(sa.select(Commune.code, Commune.province_code)):
            communes.setdefault(province, code)
        spread_offices(session, operator_id, communes, count, rng)
        session.commit()
    engine.dispose()


def tracking_codes(url: str) -> list[str]:
    import postal_hub.models  # noqa: F401 - every mapper, so relationships resolve
    from postal_hub.db import make_engine
    from postal_hub.intake.models import Dossier

    engine = make_engine(url)
    with engine.connect() as conn:
        codes = [c for row in conn.execute(sa.select(Dossier.code, Dossier.item_number)) for c in row if c]
    engine.dispose()
    return codes


def pickup_day(today: date) -> date:
    """The next working day after tomorrow (inside the booking horizon, past the booking lead time)."""
    from postal_hub.pickup.schedule import is_public_holiday

    day = today + timedelta(days=2)
    while day.weekday() >= 5 or is_public_holiday(day):
        day += timedelta(days=1)
    return day


def slot_paths(rng: random.Random, count: int, day: date) -> list[str]:
    from postal_hub.core.places.data import gazetteer

    # The demo's procedure is decided by the Hà Nội centre: a point elsewhere is answered 422 (no
    # competent unit there), so the points are Hà Nội's, among the 13,000 offices nationwide.
    places = [p for p in gazetteer()["places"] if p[4] == HANOI]
    paths = []
    for place in rng.choices(places, k=count):
        lat, lon = place[2] + rng.gauss(0, 0.03), place[3] + rng.gauss(0, 0.03)
        paths.append(
            f"/api/v1/pickups/slots?procedure_code={PROCEDURE_CODE}&lat={lat:.5f}&lon={lon:.5f}&date={day}"
        )
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        "postal_hub:create_app()",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603 (fixed command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _answer(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def check_paths(port: int, name: str, paths: list[str], sample: int = 20) -> None:
    """A few requests before the timed runs: the benchmark must measure answers, not 404s."""
    answers = [_answer(port, path) for path in paths[:sample]]
    ok = sum(status == 200 for status, _ in answers)
    print(f"  {name}: {ok}/{len(answers)} sampled paths answered 200", flush=True)
    if ok < len(answers):
        sys.exit(f"{name}: some paths fail; fix the data before timing")


def usable_slot_paths(port: int, paths: list[str]) -> list[str]:
    """Points where the search finds windows (a few random points fall outside Hà Nội or too far from
    any commune and get a 422 or no windows, which wrk would count as errors or cheap answers)."""
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda path: _answer(port, path), paths))
    kept = [
        p
        for p, (status, body) in zip(paths, answers, strict=True)
        if status == 200 and json.loads(body)["items"]
    ]
    print(f"  slot search: {len(kept)} of {len(paths)} random points have windows; timing those", flush=True)
    if not kept:
        sys.exit("slot search: no point has windows; fix the data before timing")
    return kept


def settle(port: int) -> None:
    """Requests still queued when wrk stops (its clients gone) are served anyway by the sync workers;
    two answers in a row from /healthz, queued behind them, mean the next run starts on an idle server."""
    for _ in range(2):
        _answer(port, "/healthz")


def wrk(port: int, paths_file: Path, seconds: int, clients: int, threads: int) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
    ]
    paths_env = {**os.environ, "BENCH_PATHS": str(paths_file)}
    done = subprocess.run(command, env=paths_env, capture_output=True, text=True)  # noqa: S603 (fixed command)
    settle(port)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
            return result
    sys.exit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Over several rounds, each figure's median (errors and requests summed)."""
    merged: dict[str, Any] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    merged["errors"] = sum(r["errors"] for r in runs)
    merged["requests"] = sum(r["requests"] for r in runs)
    return merged


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) // 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--duration", type=int, default=25, help="seconds timed per endpoint")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over all endpoints (medians reported)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--offices", type=int, default=13_000, help="offices added to the demo's")
    parser.add_argument("--reuse", action="store_true", help="keep the database as it is (no reset/seed)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names to time")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk)")
    sys.path.insert(0, str(ROOT))

    work = Path(tempfile.mkdtemp(prefix="bench_tp_"))
    env = _env(args.database_url, work / "files")
    if not args.reuse:
        print(f"resetting and seeding {make_url(args.database_url).database}", flush=True)
        reset_database(args.database_url)
        run_cli(env, "db", "upgrade")
        run_cli(env, "load-places")
        run_cli(env, "seed-demo")
        began = time.perf_counter()
        add_offices(args.database_url, args.offices, random.Random(2026))
        print(f"  {args.offices} offices with pickup schedules: {time.perf_counter() - began:.1f} s")
    rng = random.Random(468)
    codes = tracking_codes(args.database_url)
    if not codes:
        sys.exit("no dossiers to track: run without --reuse to seed the database")
    rng.shuffle(codes)
    day = pickup_day(date.today())
    endpoints = {
        "healthz": ["/healthz"],
        "readyz": ["/readyz"],
        "track (JSON)": [f"/api/v1/track/{c}" for c in codes],
        "track (HTML)": [f"/track/{c}" for c in codes],
        "slot search": slot_paths(rng, 500, day),
    }
    if args.only:
        wanted = {"healthz", *(n.strip() for n in args.only.split(","))}
        endpoints = {k: v for k, v in endpoints.items() if k in wanted}
    port = free_port()
    server = start_gunicorn(env, port, args.workers, work / "gunicorn.log")
    results: dict[str, dict[str, Any]] = {}
    files = {}
    try:
        print(f"gunicorn -w {args.workers} on port {port}; {len(codes)} codes to track, slots for {day}")
        for n, (name, paths) in enumerate(endpoints.items()):
            if name == "slot search":
                paths = usable_slot_paths(port, paths)
            else:
                check_paths(port, name, paths)
            files[name] = work / f"paths_{n}.txt"
            files[name].write_text("\n".join(paths) + "\n", encoding="utf-8")
        load_before = os.getloadavg()
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in endpoints}
        for round_number in range(1, args.rounds + 1):
            for name in endpoints:
                if args.warmup:
                    wrk(port, files[name], args.warmup, args.clients, args.threads)
                runs[name].append(wrk(port, files[name], args.duration, args.clients, args.threads))
                r = runs[name][-1]
                print(
                    f"  round {round_number}, {name}: {r['rps']:.0f} req/s, p99 {r['p99'] / 1000:.1f} ms",
                    flush=True,
                )
        results = {name: median_run(done) for name, done in runs.items()}
    finally:
        stop(server)
    load_after = os.getloadavg()

    ceiling = results["healthz"]["rps"] or float("nan")  # no answer at all: every share is nan
    print(
        f"\n{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {machine()}, load average "
        f"{load_before[0]:.2f} before / {load_after[0]:.2f} after; {args.clients} connections, "
        f"{args.duration} s each after {args.warmup} s warm-up, {args.rounds} round(s) (medians); "
        f"wrk -t{args.threads} on the same machine"
    )
    print("| endpoint | clients | req/s | p50 | p95 | p99 | max | errors | share of ceiling |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        ms = {k: r[k] / 1000 for k in ("p50", "p95", "p99", "max")}
        print(
            f"| {name} | {args.clients} | {r['rps']:,.0f} | {ms['p50']:.1f} ms | {ms['p95']:.1f} ms | "
            f"{ms['p99']:.1f} ms | {ms['max']:.0f} ms | {r['errors']} of {r['requests']:,} | "
            f"{r['rps'] / ceiling:.0%} |"
        )
    verdict = 0
    if silent := [name for name, r in results.items() if not r["requests"]]:
        print(f"\nno answer within the run for {', '.join(silent)}: the machine is too busy, or run longer")
        verdict = 1
    if "track (JSON)" in results:
        track = results["track (JSON)"]
        share, p99 = track["rps"] / ceiling, track["p99"] / 1000
        passed = share >= GOAL_SHARE and p99 < GOAL_P99_MS and track["errors"] == 0
        print(
            f"\ngoal (tracking >= {GOAL_SHARE:.0%} of the ceiling, p99 < {GOAL_P99_MS:.0f} ms, no errors): "
            f"{'PASS' if passed else 'FAIL'} ({share:.0%}, p99 {p99:.1f} ms, {track['errors']} errors)"
        )
        verdict = max(verdict, 0 if passed else 1)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine(), "results": results}, indent=2, ensure_ascii=False),
            encoding="utf-8",
        )
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(verdict)


if __name__ == "__main__":
    main()

"""The shared harness of the load and fault runs: a scratch PostgreSQL database, gunicorn, the worker.

`Stack` creates (or resets) the scratch database (default `bench_load`; the name must start with
`bench_load`, so CI's `test` and the other engineers' databases are never touched), migrates and seeds it
with the ordinary commands (`postal-hub db upgrade`, `load-places`, `seed-demo`), starts gunicorn with
4 workers on a free port and, when a run needs it, the background worker (`postal-hub worker`), and
stops everything on exit. The per-process rate limits are raised (see `RAISED_LIMITS`): this harness
measures the application, not its throttles.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests

# ruff: noqa: S603, S607  (a bench harness: it runs this checkout's own commands, ps and gunicorn)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DEFAULT_DB = "bench_load"
OPERATOR = "VNPOST"
# The unit the demo's Hà Nội central office (100000) sends birth registrations (1.001193) of Hoàn Kiếm to.
UNIT = "000.01.20.H26"
OFFICE = "100000"
PROCEDURE = "1.001193"
ADDRESS = {"province_code": "01", "commune_code": "00070", "street": "12 Hàng Trống"}
# Everything a load would otherwise hit first: the limits are per worker process and per address, and
# every simulated client comes from 127.0.0.1.
RAISED_LIMITS = {
    "TRACK_LOOKUPS_PER_MINUTE": "100000000",
    "API_REQUESTS_PER_MINUTE": "100000000",
    "PICKUP_BOOKINGS_PER_HOUR_PER_IP": "100000000",
    "PICKUP_BOOKINGS_PER_HOUR_PER_PHONE": "100000000",
    "PICKUP_MAX_OPEN_PER_PHONE": "100000",
    "SIGNIN_MAX_FAILURES_PER_IP": "100000000",
}
BENCH_SECRET = "bench-load-secret-key-not-for-production-0123456789"  # noqa: S105 (a scratch database's)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def next_weekday(today: date, days_ahead: int = 1) -> date:
    """A Monday-to-Friday day at least `days_ahead` days away (every demo schedule has windows then)."""
    day = today + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass
class Stack:
    db_name: str = DEFAULT_DB
    server_url: str = DEFAULT_SERVER
    workers: int = 4
    threads: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    api_keys: dict[str, str] = field(default_factory=dict)
    tracking_codes: list[str] = field(default_factory=list)
    gunicorn: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    log_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("BENCH_LOAD_LOGS", tempfile.gettempdir()))
    )

    def __post_init__(self) -> None:
        if not re.fullmatch(r"bench_load(_[a-z0-9_]+)?", self.db_name):
            raise SystemExit(
                f"refusing database {self.db_name!r}: the name must be bench_load or bench_load_*"
            )
        if not self.server_url.endswith("/"):
            self.server_url += "/"

    # -- database ---------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return self.server_url + self.db_name

    def connect(self, autocommit: bool = True) -> psycopg.Connection[Any]:
        return psycopg.connect(libpq_url(self.database_url), autocommit=autocommit)

    def reset_database(self) -> None:
        admin = libpq_url(self.server_url + "postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        log(f"database {self.db_name} created")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            POSTAL_HUB_ENV="production",
            SECRET_KEY=BENCH_SECRET,
            DATABASE_URL=self.database_url,
            WEBHOOK_ALLOW_LOOPBACK="1",
            PUBLIC_BASE_URL="http://127.0.0.1",
            PYTHONUNBUFFERED="1",
        )
        env.update(RAISED_LIMITS)
        env.update(self.extra_env)
        return env

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "postal-hub"), *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"postal-hub {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        """Reset, migrate, load the places and the demo data; remember the demo API keys."""
        started = time.monotonic()
        self.reset_database()
        self.cli("db", "upgrade")
        self.cli("load-places")
        self.parse_seed_output(self.cli("seed-demo"))
        log(f"migrated and seeded in {time.monotonic() - started:.0f} s; {len(self.api_keys)} API keys")

    def parse_seed_output(self, text: str) -> None:
        current = None
        for line in text.splitlines():
            stripped = line.strip()
            if match := re.fullmatch(r"(ph_[0-9a-f]+_[0-9a-f]+)", stripped):
                if current:
                    self.api_keys[current] = match.group(1)
                current = None
            elif match := re.match(r"^  (\S+)\s{2,}\S", line):
                current = match.group(1)
            if match := re.search(r"/track/(\S+)$", stripped):
                self.tracking_codes.append(match.group(1))
        for needed in (OPERATOR, UNIT):
            if needed not in self.api_keys:
                raise SystemExit(f"seed-demo printed no API key for {needed}")

    def set_pickup_capacity(self, office: str, capacity: int, windows: str | None = None) -> None:
        """Seats per window of an office (the schedule's capacity; slot rows take it when first used)."""
        with self.connect() as conn:
            sets, params = ["capacity = %s"], [capacity]
            if windows:
                sets.append("windows = %s")
                params.append(windows)  # type: ignore[arg-type]
            params.append(office)  # type: ignore[arg-type]
            conn.execute(
                f"UPDATE pickup_schedules SET {', '.join(sets)} "  # noqa: S608 (fixed column names)
                "WHERE office_id = (SELECT id FROM post_offices WHERE code = %s)",
                params,
            )
            conn.execute(
                "UPDATE pickup_slots SET capacity = %s "
                "WHERE office_id = (SELECT id FROM post_offices WHERE code = %s)",
                (capacity, office),
            )

    # -- processes --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_gunicorn(self) -> None:
        self.port = self.port or free_port()
        out = open(self.log_dir / f"{self.db_name}_gunicorn.log", "ab")  # noqa: SIM115 (lives with the server)
        worker_class = (
            ["--worker-class", "gthread", "--threads", str(self.threads)] if self.threads > 1 else []
        )
        self.gunicorn = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(self.workers),
                *worker_class,
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
                "postal_hub:create_app()",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        log(f"gunicorn {self.workers} workers on {self.base_url} (master {self.gunicorn.pid})")

    def wait_ready(self, timeout: float = 60) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.gunicorn is not None and self.gunicorn.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.gunicorn.returncode}; see its log")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base_url}/api/v1/procedures?q={PROCEDURE}", timeout=5).ok:
                    return time.monotonic() - started
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout} s")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        if self.gunicorn is None:
            return []
        out = subprocess.run(
            ["ps", "--ppid", str(self.gunicorn.pid), "-o", "pid="],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def start_worker(self, webhook_interval: int = 1) -> None:
        out = open(self.log_dir / f"{self.db_name}_worker.log", "ab")  # noqa: SIM115 (lives with the worker)
        self.worker = subprocess.Popen(
            [
                str(VENV_BIN / "postal-hub"),
                "worker",
                "--interval",
                "60",
                "--webhook-interval",
                str(webhook_interval),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        log(f"background worker started (pid {self.worker.pid})")

    def stop(self) -> None:
        for name in ("worker", "gunicorn"):
            proc: subprocess.Popen[bytes] | None = getattr(self, name)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log(f"{name} stopped")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server processes alive now (gunicorn master and workers, worker)."""
        pids = self.worker_pids()
        for proc in (self.gunicorn, self.worker):
            if proc is not None and proc.poll() is None:
                pids.append(proc.pid)
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total


@contextlib.contextmanager
def running(stack: Stack, *, worker: bool = False, webhook_interval: int = 1) -> Iterator[Stack]:
    # A run stopped with SIGTERM (kill, a timeout) stops its gunicorn and worker too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start_gunicorn()
        if worker:
            stack.start_worker(webhook_interval)
        yield stack
    finally:
        stack.stop()


def ledger_path(args: Any, stack: Stack, run: str) -> Path:
    return Path(args.ledger or Path(tempfile.gettempdir()) / f"{stack.db_name}_{run}.ledger")


def add_common_arguments(parser: Any) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, help="scratch database (bench_load or bench_load_*)")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL (SQLAlchemy form)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument(
        "--ledger", default=None, help="ledger file (JSON lines); default /tmp/<db>_<run>.ledger"
    )

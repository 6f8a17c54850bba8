"""The load driver: concurrent clients, latencies, the ledger of acknowledged writes and its reconciliation.

Each simulated client is a thread with its own `requests.Session`. Every HTTP attempt is recorded
(operation, latency, status; a connection error is status 0). A write the server acknowledged (2xx
with the created dossier code or pickup reference) is appended to the LEDGER file at once, so the
ledger survives a crash of the driver too. `reconcile` then reads the database and checks every
acknowledged write exists and is complete, nothing is half-written and nothing was applied twice.
"""

from __future__ import annotations

import json
import random
import resource
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from harness import ADDRESS, OFFICE, OPERATOR, PROCEDURE, UNIT, Stack, log

RETRY_DEADLINE_SECONDS = 180.0  # longer than the 2 minutes after which an abandoned Idempotency-Key frees


# -- measurements -----------------------------------------------------------------------------------
@dataclass
class Sample:
    op: str
    started: float  # monotonic
    latency: float  # seconds
    status: int  # 0 = connection error (refused, reset), -1 = the client's timeout


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def add(self, op: str, started: float, status: int) -> None:
        sample = Sample(op, started, time.monotonic() - started, status)
        with self._lock:
            self.samples.append(sample)

    def snapshot(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def is_error(status: int) -> bool:
    return status == 0 or status >= 500


def summarize(samples: list[Sample], seconds: float) -> dict[str, Any]:
    latencies = sorted(s.latency for s in samples)
    by_op: dict[str, dict[str, Any]] = {}
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        grouped[s.op].append(s)
    for op, items in sorted(grouped.items()):
        lat = sorted(s.latency for s in items)
        statuses: dict[int, int] = defaultdict(int)
        for s in items:
            statuses[s.status] += 1
        by_op[op] = {
            "n": len(items),
            "p50_ms": 1000 * percentile(lat, 0.50),
            "p95_ms": 1000 * percentile(lat, 0.95),
            "p99_ms": 1000 * percentile(lat, 0.99),
            "statuses": dict(sorted(statuses.items())),
        }
    return {
        "requests": len(samples),
        "seconds": seconds,
        "rps": len(samples) / seconds if seconds else 0.0,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "errors": sum(1 for s in samples if is_error(s.status)),
        "timeouts": sum(1 for s in samples if s.status == -1),
        "by_op": by_op,
    }


def print_breakdown(summary: dict[str, Any]) -> None:
    print("\n| operation | requests | p50 ms | p95 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---:|---|")
    for op, row in summary["by_op"].items():
        names = {0: "conn", -1: "timeout"}
        statuses = ", ".join(f"{names.get(k, k)}: {v}" for k, v in row["statuses"].items())
        print(
            f"| {op} | {row['n']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} "
            f"| {statuses} |"
        )


class CpuMeter:
    """The driver's own CPU (all its threads) against wall time: the share of one core it used."""

    def __init__(self) -> None:
        self.wall = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = usage.ru_utime + usage.ru_stime

    def share(self) -> tuple[float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - self.cpu
        wall = time.monotonic() - self.wall
        return cpu, (cpu / wall if wall else 0.0)


# -- the ledger -------------------------------------------------------------------------------------
class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


# -- the client -------------------------------------------------------------------------------------
class Client:
    """One simulated client. `write` retries a POST with the same Idempotency-Key after a connection
    error, a 5xx or a 409 idempotency_in_progress, until RETRY_DEADLINE_SECONDS have passed."""

    def __init__(self, stack: Stack, recorder: Recorder, timeout: float = 30.0) -> None:
        self.base = stack.base_url
        self.recorder = recorder
        self.timeout = timeout
        self.http = requests.Session()
        self.retries = 0

    def request(self, op: str, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            self.recorder.add(op, started, -1)
            return None
        except requests.RequestException:
            self.recorder.add(op, started, 0)
            self.http.close()
            self.http = requests.Session()
            return None
        self.recorder.add(op, started, response.status_code)
        return response

    def write(
        self, op: str, path: str, body: dict[str, Any], headers: dict[str, str], key: str
    ) -> requests.Response | None:
        headers = {**headers, "Idempotency-Key": key}
        deadline = time.monotonic() + RETRY_DEADLINE_SECONDS
        pause = 0.1
        while True:
            response = self.request(op, "POST", path, json=body, headers=headers)
            if response is not None and response.status_code < 500 and not _in_progress(response):
                return response
            if time.monotonic() > deadline:
                return response
            self.retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _in_progress(response: requests.Response) -> bool:
    if response.status_code != 409:
        return False
    try:
        return bool(response.json()["error"]["code"] == "idempotency_in_progress")
    except (ValueError, KeyError, TypeError):
        return False


# -- the workload -----------------------------------------------------------------------------------
def citizen_id(n: int) -> str:
    """A valid CCCD (Hà Nội, born in the 1900s), unique per write up to 100 million."""
    return f"0010{n // 1_000_000 % 100:02d}{n % 1_000_000:06d}"


def phone(n: int) -> str:
    return f"09{n % 100_000_000:08d}"


@dataclass
class Workload:
    """The realistic mix: tracking lookups, slot searches, bookings, counter acceptances, API reads."""

    stack: Stack
    ledger: Ledger
    recorder: Recorder
    slot_day: str
    weights: dict[str, int] = field(
        default_factory=lambda: {"track": 35, "slots": 20, "booking": 8, "acceptance": 15, "api_read": 22}
    )
    codes: list[str] = field(default_factory=list)
    unit_codes: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    gave_up: int = 0  # writes with no acknowledgement after every retry
    _counter: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.codes = list(self.stack.tracking_codes)
        self.operator_headers = {"Authorization": f"Bearer {self.stack.api_keys[OPERATOR]}"}
        self.unit_headers = {"Authorization": f"Bearer {self.stack.api_keys[UNIT]}"}
        self.components = self._components()
        self.windows = self._windows()

    def _components(self) -> list[str]:
        answer = requests.get(f"{self.stack.base_url}/api/v1/procedures?q={PROCEDURE}", timeout=30).json()
        return [c["code"] for c in answer["items"][0]["components"]]

    def _windows(self) -> list[str]:
        answer = requests.get(self.slots_path(), timeout=30).json()
        return [s["start"] for s in answer.get("slots", [])]

    def slots_path(self) -> str:
        a = ADDRESS
        return (
            f"{self.stack.base_url}/api/v1/pickups/slots?procedure_code={PROCEDURE}&date={self.slot_day}"
            f"&province_code={a['province_code']}&commune_code={a['commune_code']}&street={a['street']}"
        )

    def next_number(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def op(self, name: str, client: Client) -> None:
        getattr(self, f"do_{name}")(client)

    def pick(self, rng: random.Random) -> str:
        names = list(self.weights)
        return rng.choices(names, weights=[self.weights[n] for n in names])[0]

    def do_track(self, client: Client) -> None:
        code = random.choice(self.codes)
        client.request("track", "GET", f"/api/v1/track/{code}")

    def do_slots(self, client: Client) -> None:
        client.request("slots", "GET", self.slots_path().removeprefix(self.stack.base_url))

    def do_api_read(self, client: Client) -> None:
        if random.random() < 0.5:
            client.request("api_list", "GET", "/api/v1/dossiers?page=1", headers=self.unit_headers)
        else:
            # The unit reads the dossiers handed to it (the demo's tracking codes are other units' too).
            code = random.choice(self.unit_codes or self.codes)
            client.request("api_dossier", "GET", f"/api/v1/dossiers/{code}", headers=self.unit_headers)

    def acceptance_body(self, n: int) -> dict[str, Any]:
        return {
            "procedure_code": PROCEDURE,
            "post_office_code": OFFICE,
            "applicant": {"name": f"Nguyễn Văn Tải {n}", "citizen_id": citizen_id(n), "phone": phone(n)},
            "address": ADDRESS,
            "components": [{"code": c, "present": True} for c in self.components],
            "result_delivery": "home",
        }

    def do_acceptance(self, client: Client) -> str | None:
        n = self.next_number()
        key = f"acc-{uuid.uuid4()}"
        response = client.write(
            "acceptance", "/api/v1/dossiers", self.acceptance_body(n), self.operator_headers, key
        )
        if response is not None and response.status_code == 201:
            code = response.json()["dossier_code"]
            self.ledger.append(
                {"kind": "dossier", "key": key, "code": code, "citizen_id": citizen_id(n), "at": time.time()}
            )
            with self._lock:
                self.codes.append(code)
                self.unit_codes.append(code)
            return str(code)
        self._gave_up(response)
        return None

    def _gave_up(self, response: requests.Response | None) -> None:
        if response is None or response.status_code >= 500 or _in_progress(response):
            with self._lock:
                self.gave_up += 1

    def booking_body(self, n: int, slot_start: str) -> dict[str, Any]:
        return {
            "procedure_code": PROCEDURE,
            "applicant": {"name": f"Trần Thị Đặt {n}", "phone": phone(n), "citizen_id": citizen_id(n)},
            "address": ADDRESS,
            "slot_start": slot_start,
            "result_delivery": "home",
            "consent": True,
        }

    def do_booking(self, client: Client, slot_start: str | None = None) -> requests.Response | None:
        n = self.next_number()
        slot_start = slot_start or random.choice(self.windows)
        key = f"bk-{uuid.uuid4()}"
        response = client.write("booking", "/api/v1/pickups", self.booking_body(n, slot_start), {}, key)
        if response is not None and response.status_code == 201:
            body = response.json()
            self.ledger.append(
                {
                    "kind": "pickup",
                    "key": key,
                    "reference": body["reference"],
                    "slot_start": body["slot_start"],
                    "citizen_id": citizen_id(n),
                    "at": time.time(),
                }
            )
        else:
            self._gave_up(response)
        return response


def run_clients(
    count: int,
    seconds: float | None,
    body: Callable[[Client, random.Random], bool],
    stack: Stack,
    recorder: Recorder,
    timeout: float = 30.0,
) -> list[Client]:
    """`count` threads, each calling body(client, rng) until it returns False or `seconds` pass."""
    stop_at = time.monotonic() + seconds if seconds is not None else None
    clients = [Client(stack, recorder, timeout) for _ in range(count)]

    def loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        while stop_at is None or time.monotonic() < stop_at:
            try:
                if not body(client, rng):
                    return
            except Exception as exc:  # a driver bug must show, not silently thin the load
                log(f"client error: {exc!r}")
                time.sleep(0.5)

    threads = [threading.Thread(target=loop, args=(c, i), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients


# -- reconciliation ---------------------------------------------------------------------------------
@dataclass
class Reconciliation:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.problems.append(text)

    @property
    def ok(self) -> bool:
        return not self.problems


def reconcile(stack: Stack, entries: list[dict[str, Any]]) -> Reconciliation:
    """Every acknowledged write is in the database, complete and applied once; nothing is half-written."""
    rec = Reconciliation()
    with stack.connect() as conn:
        n_components = conn.execute(
            "SELECT count(*) FROM procedure_components pc JOIN procedures p ON p.id = pc.procedure_id "
            "WHERE p.code = %s",
            (PROCEDURE,),
        ).fetchone()[0]  # type: ignore[index]
        dossiers = [e for e in entries if e["kind"] == "dossier"]
        pickups = [e for e in entries if e["kind"] == "pickup"]
        rec.checked = len(entries)
        seen_codes: set[str] = set()
        for e in dossiers:
            if e["code"] in seen_codes:
                rec.fail(f"dossier {e['code']} acknowledged to two different writes")
            seen_codes.add(e["code"])
            row = conn.execute(
                "SELECT d.id, d.applicant_citizen_id, "
                "(SELECT count(*) FROM dossier_components c WHERE c.dossier_id = d.id), "
                "(SELECT count(*) FROM dossier_events v WHERE v.dossier_id = d.id AND v.code = 'accepted'), "
                "(SELECT count(*) FROM custody_entries k WHERE k.dossier_id = d.id "
                "  AND k.kind = 'accepted_at_counter'), "
                "(SELECT count(DISTINCT task_type) FROM tasks t WHERE t.dossier_code = d.code) "
                "FROM dossiers d WHERE d.code = %s",
                (e["code"],),
            ).fetchone()
            if row is None:
                rec.fail(f"acknowledged dossier {e['code']} is missing")
                continue
            _id, cid, comps, accepted, custody, tasks = row
            if cid != e["citizen_id"]:
                rec.fail(f"dossier {e['code']} belongs to {cid}, not the acknowledged {e['citizen_id']}")
            if comps != n_components:
                rec.fail(f"dossier {e['code']} has {comps} components, not {n_components}")
            if accepted != 1:
                rec.fail(f"dossier {e['code']} has {accepted} 'accepted' events")
            if custody < 1:
                rec.fail(f"dossier {e['code']} has no custody entry")
            if tasks < 3:
                rec.fail(f"dossier {e['code']} has {tasks} task types, not 3")
        for e in pickups:
            row = conn.execute(
                "SELECT p.status, p.slot_id, p.idempotency_key, "
                "(SELECT count(*) FROM pickup_events v WHERE v.pickup_id = p.id AND v.code = 'booked') "
                "FROM pickups p WHERE p.reference = %s",
                (e["reference"],),
            ).fetchone()
            if row is None:
                rec.fail(f"acknowledged pickup {e['reference']} is missing")
                continue
            status, slot_id, key, booked_events = row
            if status != "booked" or slot_id is None:
                rec.fail(f"pickup {e['reference']} is {status} with seat {slot_id}")
            if key != e["key"]:
                rec.fail(f"pickup {e['reference']} carries key {key}, not {e['key']}")
            if booked_events != 1:
                rec.fail(f"pickup {e['reference']} has {booked_events} 'booked' events")
        # Applied twice: every logical write had its own citizen ID.
        for cid, n in conn.execute(
            "SELECT applicant_citizen_id, count(*) FROM dossiers "
            "WHERE applicant_name LIKE 'Nguyễn Văn Tải %%' GROUP BY 1 HAVING count(*) > 1"
        ).fetchall():
            rec.fail(f"citizen {cid} got {n} dossiers: a write applied twice")
        for cid, n in conn.execute(
            "SELECT applicant_citizen_id, count(*) FROM pickups WHERE applicant_name LIKE 'Trần Thị Đặt %%' "
            "GROUP BY 1 HAVING count(*) > 1"
        ).fetchall():
            rec.fail(f"citizen {cid} got {n} pickups: a booking applied twice")
        # Half-written anything (acknowledged or not).
        for (code,) in conn.execute(
            "SELECT d.code FROM dossiers d WHERE NOT EXISTS "
            "(SELECT 1 FROM dossier_events v WHERE v.dossier_id = d.id) "
            "OR NOT EXISTS (SELECT 1 FROM dossier_components c WHERE c.dossier_id = d.id)"
        ).fetchall():
            rec.fail(f"dossier {code} is half-written (no event or no components)")
        for sid, cap, booked, held in conn.execute(
            "SELECT s.id, s.capacity, s.booked, (SELECT count(*) FROM pickups p WHERE p.slot_id = s.id "
            "AND p.status IN ('booked', 'assigned')) "
            # result deliveries to the door hold seats of the same windows
            "+ (SELECT count(*) FROM deliveries d WHERE d.slot_id = s.id) FROM pickup_slots s"
        ).fetchall():
            if booked > cap:
                rec.fail(f"slot {sid}: {booked} seats taken of {cap}")
            if held > cap:
                rec.fail(f"slot {sid}: {held} holders (bookings, deliveries) for {cap} seats")
            if held != booked:
                rec.fail(
                    f"slot {sid}: its counter says {booked} seats taken, {held} bookings/deliveries hold one"
                )
        stale = conn.execute("SELECT count(*) FROM idempotency_records WHERE status_code IS NULL").fetchone()
        if stale and stale[0]:
            log(f"note: {stale[0]} Idempotency-Key reservations never completed (requests that died)")
    return rec


def print_reconciliation(rec: Reconciliation) -> None:
    print(f"\nledger: {rec.checked} acknowledged writes reconciled against the database")
    for problem in rec.problems[:50]:
        print(f"  FAIL {problem}")
    if len(rec.problems) > 50:
        print(f"  ... and {len(rec.problems) - 50} more")


def verdict(checks: list[tuple[str, bool]]) -> int:
    print("\nguarantees:")
    for name, ok in checks:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    passed = all(ok for _, ok in checks)
    print(f"\nVERDICT: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1

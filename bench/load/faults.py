#!/usr/bin/env python
"""The mix under faults: one gunicorn worker killed with SIGKILL every --kill-every seconds and, with
--restart-postgres, PostgreSQL restarted once at the middle of the run.

Clients retry a write with the same Idempotency-Key after a connection error, a 5xx or a 409
idempotency_in_progress (for up to 3 minutes: a reservation of a killed worker frees after 2). After the
run the ledger of acknowledged writes is reconciled against the database. Guarantees: no acknowledged
write lost, nothing half-written, nothing applied twice, every write eventually acknowledged, the
killed worker replaced and the errors over within --max-recovery seconds of each fault.

The PostgreSQL restart is OFF by default (other people's tests may share the server): pass
--restart-postgres to do it; it runs --pg-restart-cmd (root or the postgres user needed).

    .venv/bin/python bench/load/faults.py --minutes 10 --restart-postgres
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from driver import (
    CpuMeter,
    Ledger,
    Recorder,
    Sample,
    Workload,
    is_error,
    print_breakdown,
    print_reconciliation,
    reconcile,
    run_clients,
    summarize,
    verdict,
)
from harness import Stack, add_common_arguments, ledger_path, log, running
from mix import make_stack, mix_body, prepare_mix, table_row


@dataclass
class Fault:
    kind: str  # "sigkill" or "postgres"
    at: float  # monotonic, when the fault was injected
    detail: str = ""
    ready_after: float | None = None  # seconds until the workers were back to full strength / PG answered


def kill_loop(stack: Stack, every: float, stop: threading.Event, faults: list[Fault]) -> None:
    rng = random.Random(7)
    while not stop.wait(every):
        pids = stack.worker_pids()
        if not pids:
            continue
        victim = rng.choice(pids)
        fault = Fault("sigkill", time.monotonic(), f"worker {victim}")
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            continue
        faults.append(fault)
        log(f"SIGKILL worker {victim}")
        # Measured even when the run is ending: the master must replace the worker regardless.
        while time.monotonic() - fault.at < max(every, 30.0):
            alive = [p for p in stack.worker_pids() if p != victim]
            if len(alive) >= stack.workers:
                fault.ready_after = time.monotonic() - fault.at
                break
            time.sleep(0.1)


def restart_postgres(
    stack: Stack, command: str, at: float, stop: threading.Event, faults: list[Fault]
) -> None:
    if stop.wait(at):
        return
    fault = Fault("postgres", time.monotonic(), command)
    faults.append(fault)
    log(f"restarting PostgreSQL: {command}")
    result = subprocess.run(shlex.split(command), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        fault.detail += f" FAILED ({result.returncode}): {result.stderr.strip()}"
        log(fault.detail)
        return
    while not stop.is_set():
        try:
            with stack.connect() as conn:
                conn.execute("SELECT 1")
            fault.ready_after = time.monotonic() - fault.at
            log(f"PostgreSQL answers again after {fault.ready_after:.1f} s")
            return
        except Exception:
            time.sleep(0.2)


def recovery_seconds(fault: Fault, samples: list[Sample], until: float) -> float:
    """Seconds from the fault to the end of the last failed request of its burst (0 if none failed):
    the failures that ended after this fault and before the next one (`until`)."""
    ends = [
        s.started + s.latency - fault.at
        for s in samples
        if is_error(s.status) and fault.at - 1 <= s.started + s.latency < until - 1
    ]
    return max(ends, default=0.0)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-every", type=float, default=30.0, help="seconds between SIGKILLs")
    parser.add_argument("--restart-postgres", action="store_true", help="restart PostgreSQL once, mid-run")
    parser.add_argument("--pg-restart-cmd", default="pg_ctlcluster 15 main restart")
    parser.add_argument(
        "--pg-restart-at", type=float, default=0.5, help="share of the run before the restart"
    )
    parser.add_argument("--max-recovery", type=float, default=15.0, help="seconds allowed to recover")
    add_common_arguments(parser)
    args = parser.parse_args()
    stack = make_stack(args)
    slot_day = prepare_mix(stack)
    ledger = Ledger(ledger_path(args, stack, "faults"))
    recorder = Recorder()
    faults: list[Fault] = []
    stop = threading.Event()
    seconds = args.minutes * 60
    with running(stack):
        workload = Workload(stack, ledger, recorder, slot_day)
        injectors = [
            threading.Thread(target=kill_loop, args=(stack, args.kill_every, stop, faults), daemon=True)
        ]
        if args.restart_postgres:
            at = seconds * args.pg_restart_at
            injectors.append(
                threading.Thread(
                    target=restart_postgres, args=(stack, args.pg_restart_cmd, at, stop, faults), daemon=True
                )
            )
        else:
            log("PostgreSQL restart skipped (pass --restart-postgres to do it)")
        log(f"faults: {args.clients} clients for {args.minutes:g} min, SIGKILL every {args.kill_every:g} s")
        meter, started = CpuMeter(), time.monotonic()
        # The faults stop when the mix's time is up, even while a client still retries a write.
        ending = threading.Timer(seconds, stop.set)
        ending.start()
        for t in injectors:
            t.start()
        clients = run_clients(args.clients, seconds, mix_body(workload), stack, recorder, args.timeout)
        stop.set()
        ending.cancel()
        for t in injectors:
            t.join(timeout=60)
        elapsed = time.monotonic() - started
        driver_cpu, driver_share = meter.share()
        after = stack.worker_pids()
    ledger.close()
    samples = recorder.snapshot()
    summary = summarize(samples, elapsed)
    rec = reconcile(stack, ledger.entries())
    print_breakdown(summary)
    print_reconciliation(rec)
    print("\n| fault | at s | detail | back to strength s | errors over after s |")
    print("|---|---:|---|---:|---:|")
    worst = 0.0
    faults.sort(key=lambda f: f.at)
    for i, f in enumerate(faults):
        until = faults[i + 1].at if i + 1 < len(faults) else float("inf")
        recovered = recovery_seconds(f, samples, until)
        ready = f.ready_after if f.ready_after is not None else float("inf")
        worst = max(worst, recovered, ready if f.kind == "sigkill" else recovered)
        print(f"| {f.kind} | {f.at - started:.0f} | {f.detail} | {ready:.1f} | {recovered:.1f} |")
    print(
        f"\nwrites given up after retries: {workload.gave_up}; retries {sum(c.retries for c in clients)}; "
        f"workers at the end {len(after)}; "
        f"driver CPU {driver_cpu:.0f} s = {100 * driver_share:.0f}% of one core"
    )
    pg_faults = [f for f in faults if f.kind == "postgres"]
    checks = [
        (
            f"{len([f for f in faults if f.kind == 'sigkill'])} workers killed",
            any(f.kind == "sigkill" for f in faults),
        ),
        ("every acknowledged write is in the database, complete, applied once", rec.ok),
        ("every write eventually acknowledged (retried with its Idempotency-Key)", workload.gave_up == 0),
        (
            f"recovered within {args.max_recovery:g} s of each fault (worst {worst:.1f} s)",
            worst <= args.max_recovery,
        ),
        ("the load produced acknowledged writes", rec.checked > 0),
    ]
    if args.restart_postgres:
        checks.append(
            (
                "PostgreSQL restarted and answered again",
                bool(pg_faults) and pg_faults[0].ready_after is not None,
            )
        )
    code = verdict(checks)
    print()
    title = "faults (SIGKILL" + (" + PG restart)" if args.restart_postgres else ")")
    print(table_row(title, elapsed / 60, args.clients, summary, rec.checked, code == 0))
    return code


if __name__ == "__main__":
    sys.exit(main())

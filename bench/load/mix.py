#!/usr/bin/env python
"""The realistic mix held for --minutes: tracking lookups, slot searches, bookings, counter acceptances
(API intake) and API reads from --clients concurrent clients against gunicorn (4 workers) on PostgreSQL.

Prints requests/s, p50/p95/p99 and errors as a Markdown table row, reconciles the ledger of every
acknowledged write against the database and ends with PASS/FAIL (exit status 1 on FAIL).

    .venv/bin/python bench/load/mix.py --minutes 10
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from driver import (
    Client,
    CpuMeter,
    Ledger,
    Recorder,
    Workload,
    is_error,
    print_breakdown,
    print_reconciliation,
    reconcile,
    run_clients,
    summarize,
    verdict,
)
from harness import OFFICE, Stack, add_common_arguments, ledger_path, log, next_weekday, running

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MIX_SEATS_PER_WINDOW = 1_000_000  # the mix measures throughput; the seat race is bookings.py's


def machine() -> str:
    import os

    return f"{platform.node()} {os.cpu_count()} cores"


def make_stack(args: argparse.Namespace, **extra: Any) -> Stack:
    return Stack(db_name=args.db, server_url=args.server, workers=args.workers, threads=args.threads, **extra)


def prepare_mix(stack: Stack) -> str:
    stack.prepare()
    stack.set_pickup_capacity(OFFICE, MIX_SEATS_PER_WINDOW)
    return next_weekday(datetime.now(LOCAL).date()).isoformat()


def mix_body(workload: Workload) -> Any:
    def body(client: Client, rng: random.Random) -> bool:
        workload.op(workload.pick(rng), client)
        return True

    return body


def table_row(title: str, minutes: float, clients: int, summary: dict[str, Any], acked: int, ok: bool) -> str:
    header = (
        "| date | machine | run | duration | clients | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| errors | timeouts | acked writes | verdict |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    row = (
        f"| {time.strftime('%Y-%m-%d %H:%M')} | {machine()} | {title} | {minutes:.1f} min | {clients} "
        f"| {summary['requests']} | {summary['rps']:.1f} | {summary['p50_ms']:.0f} | {summary['p95_ms']:.0f} "
        f"| {summary['p99_ms']:.0f} | {summary['errors']} | {summary['timeouts']} | {acked} "
        f"| {'PASS' if ok else 'FAIL'} |"
    )
    return f"{header}\n{row}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    add_common_arguments(parser)
    args = parser.parse_args()
    stack = make_stack(args)
    slot_day = prepare_mix(stack)
    ledger = Ledger(ledger_path(args, stack, "mix"))
    recorder = Recorder()
    with running(stack):
        workload = Workload(stack, ledger, recorder, slot_day)
        log(
            f"mix: {args.clients} clients for {args.minutes:g} min; "
            f"pickup windows on {slot_day}: {len(workload.windows)}"
        )
        meter, server_cpu0, started = CpuMeter(), stack.cpu_seconds(), time.monotonic()
        clients = run_clients(
            args.clients, args.minutes * 60, mix_body(workload), stack, recorder, args.timeout
        )
        elapsed = time.monotonic() - started
        driver_cpu, driver_share = meter.share()
        server_cpu = stack.cpu_seconds() - server_cpu0
    ledger.close()
    samples = recorder.snapshot()
    summary = summarize(samples, elapsed)
    rec = reconcile(stack, ledger.entries())
    print_breakdown(summary)
    print_reconciliation(rec)
    print(
        f"\ndriver CPU: {driver_cpu:.0f} s = {100 * driver_share:.0f}% of one core; "
        f"server CPU {server_cpu:.0f} s "
        f"= {100 * server_cpu / elapsed:.0f}% of one core; retries {sum(c.retries for c in clients)}"
    )
    checks = [
        ("no 5xx and no connection error", not any(is_error(s.status) for s in samples)),
        ("no request timed out at the client", not any(s.status == -1 for s in samples)),
        ("no request throttled (429)", not any(s.status == 429 for s in samples)),
        ("every acknowledged write is in the database, complete, applied once", rec.ok),
        ("the load produced acknowledged writes", rec.checked > 0),
    ]
    code = verdict(checks)
    print()
    print(table_row("mix", elapsed / 60, args.clients, summary, rec.checked, code == 0))
    return code


if __name__ == "__main__":
    sys.exit(main())

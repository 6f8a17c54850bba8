#!/usr/bin/env python
"""The seat race: --attempts booking attempts from --clients concurrent clients for --seats seats.

One pickup window (the Hà Nội central office, 08:00-10:00 on the second working day ahead, which no demo
booking uses) gets exactly --seats seats; every other office's schedule is switched off, so no attempt
can spill over to a neighbour. Each attempt is a distinct citizen with its own Idempotency-Key.
Guarantees: exactly --seats confirmed (201), every other attempt a 409 slot_full, none over capacity,
no 5xx, and the ledger of confirmed bookings reconciles with the database.

    .venv/bin/python bench/load/bookings.py            # 10,000 attempts, 200 clients, 1,000 seats
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

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
from harness import OFFICE, add_common_arguments, ledger_path, log, next_weekday, running
from mix import LOCAL, make_stack, table_row


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seats", type=int, default=1_000)
    add_common_arguments(parser)
    parser.set_defaults(timeout=120.0)  # 200 clients queue on 4 workers: a wait is not an error
    args = parser.parse_args()
    stack = make_stack(args)
    stack.prepare()
    day = next_weekday(next_weekday(datetime.now(LOCAL).date()))
    with stack.connect() as conn:
        conn.execute(
            "UPDATE pickup_schedules SET active = false "
            "WHERE office_id <> (SELECT id FROM post_offices WHERE code = %s)",
            (OFFICE,),
        )
    stack.set_pickup_capacity(OFFICE, args.seats, windows="Mo-Fr 08:00-10:00")
    ledger = Ledger(ledger_path(args, stack, "bookings"))
    recorder = Recorder()
    with running(stack):
        workload = Workload(stack, ledger, recorder, day.isoformat())
        if len(workload.windows) != 1:
            raise SystemExit(f"expected one pickup window on {day}, got {workload.windows}")
        window = workload.windows[0]
        with stack.connect() as conn:
            taken = conn.execute(
                "SELECT count(*) FROM pickup_slots WHERE start_at = %s", (window,)
            ).fetchone()
            assert taken is not None and taken[0] == 0, "the race window must start empty"
        log(f"bookings: {args.attempts} attempts, {args.clients} clients, {args.seats} seats in {window}")
        left = [args.attempts]
        lock = threading.Lock()
        answers: dict[str, int] = {}

        def body(client: Client, _rng: object) -> bool:
            with lock:
                if left[0] <= 0:
                    return False
                left[0] -= 1
            response = workload.do_booking(client, window)
            if response is None:
                kind = "no answer"
            else:
                code = ""
                if response.status_code >= 400:
                    try:
                        code = response.json()["error"]["code"]
                    except (ValueError, KeyError, TypeError):
                        code = "?"
                kind = f"{response.status_code} {code}".strip()
            with lock:
                answers[kind] = answers.get(kind, 0) + 1
            return True

        meter, started = CpuMeter(), time.monotonic()
        clients = run_clients(args.clients, None, body, stack, recorder, args.timeout)
        elapsed = time.monotonic() - started
        driver_cpu, driver_share = meter.share()
    ledger.close()
    samples = recorder.snapshot()
    summary = summarize(samples, elapsed)
    entries = ledger.entries()
    rec = reconcile(stack, entries)
    with stack.connect() as conn:
        row = conn.execute(
            "SELECT s.capacity, s.booked, "
            "(SELECT count(*) FROM pickups p WHERE p.slot_id = s.id AND p.status = 'booked') "
            "FROM pickup_slots s WHERE s.start_at = %s",
            (window,),
        ).fetchone()
        others = conn.execute(
            "SELECT count(*) FROM pickups WHERE slot_start = %s AND slot_id IS DISTINCT FROM "
            "(SELECT id FROM pickup_slots WHERE start_at = %s)",
            (window, window),
        ).fetchone()
    capacity, booked, held = row if row else (0, 0, 0)
    print_breakdown(summary)
    print_reconciliation(rec)
    print(f"\nanswers: {dict(sorted(answers.items()))}")
    print(f"slot {window}: capacity {capacity}, counter {booked}, bookings holding a seat {held}")
    print(
        f"driver CPU: {driver_cpu:.0f} s = {100 * driver_share:.0f}% of one core; "
        f"retries {sum(c.retries for c in clients)}"
    )
    confirmed = answers.get("201", 0)
    checks = [
        (f"exactly {args.seats} confirmed (201): {confirmed}", confirmed == args.seats),
        (f"the database holds exactly {args.seats} bookings in the window: {held}", held == args.seats),
        (f"none over capacity: counter {booked} <= capacity {capacity}", booked <= capacity == args.seats),
        ("no booking elsewhere in that window", others is not None and others[0] == 0),
        (
            "every other attempt refused with 409 slot_full",
            answers.get("409 slot_full", 0) == args.attempts - args.seats
            and sum(answers.values()) == args.attempts,
        ),
        ("no 5xx and no connection error", not any(is_error(s.status) for s in samples)),
        ("no request timed out at the client", not any(s.status == -1 for s in samples)),
        ("every acknowledged booking is in the database, complete, applied once", rec.ok),
    ]
    code = verdict(checks)
    print()
    print(
        table_row(
            f"bookings {args.attempts}/{args.seats}",
            elapsed / 60,
            args.clients,
            summary,
            rec.checked,
            code == 0,
        )
    )
    return code


if __name__ == "__main__":
    sys.exit(main())

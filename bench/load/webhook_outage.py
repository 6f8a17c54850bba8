#!/usr/bin/env python
"""The webhook receiver down for --down-minutes during --handoffs hand-offs, then back.

A receiver in this script (a small HTTP server) is registered through the API for the one-stop unit
the demo's Hà Nội central office sends birth registrations to. --handoffs dossiers are accepted through
the operator's API (each routed to that unit, which is the hand-off its `dossier.accepted` webhook
announces) while the receiver is down: its port closed (--down-mode closed, the default) or answering
503 (--down-mode 503). Then it comes back and the run waits until the outbox has drained.

The receiver verifies every delivery's signature (Standard Webhooks, API.md: HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}" with the base64 key after whsec_, timestamp within 5 minutes)
and, like a real receiver, applies each webhook-id once: a repeated id is counted as a duplicate and
not applied again. Guarantees: every message the outbox holds for the endpoint arrived, one per
hand-off, every signature verified, none applied twice, none failed; the drain time after the receiver
came back is reported (the retry backoff doubles from 30 s up to an hour, so it may exceed the outage).

    .venv/bin/python bench/load/webhook_outage.py --down-minutes 10 --handoffs 1000
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

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
from harness import UNIT, add_common_arguments, free_port, ledger_path, log, running
from mix import make_stack, prepare_mix, table_row

TOLERANCE_SECONDS = 300


def verify(secret: str, headers: Any, body: bytes) -> str | None:
    """None when the delivery is authentic and fresh, else what is wrong."""
    msg_id, stamp, signatures = (
        headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (msg_id and stamp and signatures):
        return "missing header"
    try:
        if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
            return "stale timestamp"
    except ValueError:
        return "bad timestamp"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return None
    return "bad signature"


class Receiver:
    """Records every delivery by webhook-id and applies each id once."""

    def __init__(self, port: int, down_mode: str) -> None:
        self.port = port
        self.down_mode = down_mode
        self.secret = ""
        self.lock = threading.Lock()
        self.up = False
        self.server: ThreadingHTTPServer | None = None
        self.deliveries = 0
        self.refused = 0  # answered 503 while down
        self.invalid: list[str] = []
        self.duplicates = 0
        self.applied: dict[str, dict[str, Any]] = {}  # webhook-id -> the event, applied once
        self.applied_at: dict[str, float] = {}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.receive(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def receive(self, headers: Any, body: bytes) -> int:
        with self.lock:
            if not self.up:
                self.refused += 1
                return 503
            self.deliveries += 1
            problem = verify(self.secret, headers, body)
            if problem:
                self.invalid.append(f"{headers.get('webhook-id')}: {problem}")
                return 400
            msg_id = headers["webhook-id"]
            if msg_id in self.applied:
                self.duplicates += 1  # recognized by its id: acknowledged, not applied again
                return 200
            self.applied[msg_id] = json.loads(body)
            self.applied_at[msg_id] = time.monotonic()
            return 200

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def go_down(self) -> None:
        with self.lock:
            self.up = False
        if self.down_mode == "closed":
            self.stop()  # connection refused
        elif self.server is None:
            self.start()  # answers 503

    def come_up(self) -> None:
        with self.lock:
            self.up = True
        if self.server is None:
            self.start()


def outbox_state(stack: Any, endpoint_id: int) -> dict[str, Any]:
    with stack.connect() as conn:
        rows = conn.execute(
            "SELECT msg_id, status, attempts FROM webhook_messages WHERE endpoint_id = %s", (endpoint_id,)
        ).fetchall()
        attempts = conn.execute(
            "SELECT count(*) FROM webhook_attempts a JOIN webhook_messages m ON m.id = a.message_id "
            "WHERE m.endpoint_id = %s",
            (endpoint_id,),
        ).fetchone()
    statuses: dict[str, int] = {}
    for _msg, status, _n in rows:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "ids": {r[0] for r in rows},
        "statuses": statuses,
        "max_attempts": max((r[2] for r in rows), default=0),
        "attempts": attempts[0] if attempts else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--down-minutes", type=float, default=10.0)
    parser.add_argument("--handoffs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--down-mode", choices=("closed", "503"), default="closed")
    parser.add_argument("--drain-timeout-minutes", type=float, default=90.0)
    add_common_arguments(parser)
    args = parser.parse_args()
    stack = make_stack(args, extra_env={"WEBHOOK_TIMEOUT_SECONDS": "5", "WEBHOOK_LEASE_SECONDS": "60"})
    slot_day = prepare_mix(stack)
    ledger = Ledger(ledger_path(args, stack, "webhooks"))
    recorder = Recorder()
    receiver = Receiver(free_port(), args.down_mode)
    with running(stack, worker=True, webhook_interval=1):
        unit_key = stack.api_keys[UNIT]
        answer = requests.post(
            f"{stack.base_url}/api/v1/webhooks",
            json={"url": f"http://127.0.0.1:{receiver.port}/hook", "event_types": ["dossier.accepted"]},
            headers={"Authorization": f"Bearer {unit_key}"},
            timeout=30,
        )
        if answer.status_code != 201:
            raise SystemExit(f"webhook registration failed: {answer.status_code} {answer.text}")
        endpoint_id, receiver.secret = int(answer.json()["id"]), answer.json()["secret"]
        receiver.go_down()
        log(f"receiver on port {receiver.port} DOWN ({args.down_mode}) for {args.down_minutes:g} min")
        workload = Workload(stack, ledger, recorder, slot_day)
        made = [0]
        lock = threading.Lock()

        def body(client: Client, _rng: object) -> bool:
            with lock:
                if made[0] >= args.handoffs:
                    return False
                made[0] += 1
            if workload.do_acceptance(client) is None:
                log("a hand-off was not acknowledged")
            return True

        meter, down_at = CpuMeter(), time.monotonic()
        generator = threading.Thread(
            target=run_clients, args=(args.clients, None, body, stack, recorder, args.timeout), daemon=True
        )
        generator.start()
        generator.join(timeout=args.down_minutes * 60)
        generated_in = time.monotonic() - down_at if not generator.is_alive() else None
        time.sleep(max(0.0, down_at + args.down_minutes * 60 - time.monotonic()))
        during = outbox_state(stack, endpoint_id)
        receiver.come_up()
        up_at = time.monotonic()
        log(
            f"receiver UP after {up_at - down_at:.0f} s; outbox {during['statuses']}, "
            f"{during['attempts']} attempts so far, at most {during['max_attempts']} per message"
        )
        generator.join()
        generated_in = generated_in or time.monotonic() - down_at
        deadline = up_at + args.drain_timeout_minutes * 60
        state = outbox_state(stack, endpoint_id)
        last_report = time.monotonic()
        while time.monotonic() < deadline:
            state = outbox_state(stack, endpoint_id)
            with receiver.lock:
                arrived = set(receiver.applied)
            if state["statuses"].get("pending", 0) == 0 and state["ids"] <= arrived:
                break
            if time.monotonic() - last_report > 30:
                log(f"draining: outbox {state['statuses']}, {len(arrived)} applied")
                last_report = time.monotonic()
            time.sleep(1)
        drained_at = max(receiver.applied_at.values(), default=up_at)
        drain = drained_at - up_at
        driver_cpu, driver_share = meter.share()
        elapsed = time.monotonic() - down_at
    ledger.close()
    receiver.stop()
    entries = ledger.entries()
    rec = reconcile(stack, entries)
    samples = recorder.snapshot()
    summary = summarize(samples, generated_in)
    expected = state["ids"]
    arrived = set(receiver.applied)
    per_dossier: dict[tuple[str, str], int] = {}
    for event in receiver.applied.values():
        k = (event.get("type", ""), json.dumps(event.get("data", {}).get("dossier_code")))
        per_dossier[k] = per_dossier.get(k, 0) + 1
    print_breakdown(summary)
    print_reconciliation(rec)
    print(
        f"\nhand-offs acknowledged {len(entries)} of {args.handoffs} in {generated_in:.0f} s; outbox "
        f"{len(expected)} messages {state['statuses']}, {state['attempts']} attempts "
        f"(at most {state['max_attempts']} per message)\n"
        f"receiver: {receiver.deliveries} deliveries while up, {receiver.refused} answered 503 while down, "
        f"{len(arrived)} applied, {receiver.duplicates} duplicates "
        f"recognized, {len(receiver.invalid)} invalid\ndrain after the receiver came back: {drain:.0f} s "
        f"({drain / 60:.1f} min); driver CPU {driver_cpu:.0f} s = {100 * driver_share:.0f}% of one core"
    )
    for problem in receiver.invalid[:10]:
        print(f"  invalid delivery {problem}")
    checks = [
        (f"every hand-off acknowledged: {len(entries)}/{args.handoffs}", len(entries) == args.handoffs),
        (f"one message per hand-off: {len(expected)}", len(expected) == args.handoffs),
        (
            f"all delivered, none failed: {state['statuses']}",
            state["statuses"].get("delivered", 0) == len(expected),
        ),
        (f"every message arrived at the receiver (missing {len(expected - arrived)})", expected <= arrived),
        ("nothing arrived that the outbox does not hold", arrived <= expected),
        ("every signature verified", not receiver.invalid),
        ("none applied twice (one application per dossier event)", all(n == 1 for n in per_dossier.values())),
        ("no 5xx during the hand-offs", not any(is_error(s.status) for s in samples)),
        ("every acknowledged hand-off is in the database, complete, applied once", rec.ok),
    ]
    code = verdict(checks)
    print()
    print(table_row("webhook outage", elapsed / 60, args.clients, summary, rec.checked, code == 0))
    print(
        "\n| down | hand-offs | drain after up | attempts | duplicates | verdict |\n"
        "|---:|---:|---:|---:|---:|---|"
    )
    print(
        f"| {args.down_minutes:g} min ({args.down_mode}) | {args.handoffs} | {drain / 60:.1f} min "
        f"| {state['attempts']} | {receiver.duplicates} | {'PASS' if code == 0 else 'FAIL'} |"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())

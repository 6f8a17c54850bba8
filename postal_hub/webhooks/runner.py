"""Running delivery passes inside the app: the worker's round, and a thread for the dev server."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask, current_app
from werkzeug.serving import is_running_from_reloader

from postal_hub.core.logsafe import log_failure
from postal_hub.services import clock, webhook_resolver, webhook_sender
from postal_hub.webhooks.delivery import DeliverySettings, PassReport, deliver_until_idle

DEV_INTERVAL_SECONDS = 5
DEV_DASHBOARD_ROUNDS = 12  # the dashboards' summaries every minute, as the worker would


def run_pass(max_passes: int = 20) -> PassReport:
    """Deliver what is due now, with the app's collaborators (call inside an app context)."""
    factory = current_app.extensions["postal_hub_db"]["session_factory"]
    return deliver_until_idle(
        factory,
        webhook_sender(),
        webhook_resolver(),
        clock(),
        DeliverySettings.from_config(current_app.config),
        max_passes=max_passes,
    )


def _loop(app: Flask) -> None:
    rounds = 0
    while True:
        try:
            with app.app_context():
                run_pass()
                _citizen_messages()
                if rounds % DEV_DASHBOARD_ROUNDS == 0:
                    _dashboards()
        except Exception:  # the thread must outlive one bad pass; the error is logged
            log_failure(app.logger, "webhook delivery pass failed; retrying shortly")
        rounds += 1
        time.sleep(DEV_INTERVAL_SECONDS)


def _show_citizen_messages() -> None:
    """With the development backend, the messages citizens would get appear in the server's output."""
    messages = logging.getLogger("postal_hub.messages")
    if not messages.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[message] %(message)s"))
        messages.addHandler(handler)
        messages.setLevel(logging.INFO)


def _citizen_messages() -> None:
    from postal_hub import jobs
    from postal_hub.extensions import db

    jobs.citizen_messages(db.session, clock().now())
    db.session.commit()


def _dashboards() -> None:
    from postal_hub import jobs
    from postal_hub.extensions import db
    from postal_hub.services import notifier

    jobs.dashboards(db.session, clock().now(), notifier())
    db.session.commit()


def running_dev_server() -> bool:
    """True in the process that serves `postal-hub run` / `flask run` (not in its reloader parent,
    not under gunicorn, not in tests or other commands)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.command.name != "run":
        return False
    reloading = ctx.params.get("reload")
    if reloading is None:
        reloading = bool(ctx.params.get("debug")) or current_debug()
    return not reloading or is_running_from_reloader()


def current_debug() -> bool:
    from flask.helpers import get_debug_flag

    return get_debug_flag()


def start_dev_thread(app: Flask) -> None:
    """make run needs no worker process: a daemon thread delivers every few seconds."""
    if app.extensions.get("webhook_dev_thread") or not running_dev_server():
        return
    _show_citizen_messages()
    thread = threading.Thread(target=_loop, args=(app,), name="webhook-delivery", daemon=True)
    app.extensions["webhook_dev_thread"] = thread
    thread.start()


def worker_round() -> None:
    """The worker's webhook step: one delivery pass that never takes the worker down."""
    try:
        report = run_pass()
        if report.claimed:
            click.echo(", ".join(f"webhooks {name}: {count}" for name, count in report.as_dict().items()))
    except Exception:  # logged; the next round retries (leases expire, nothing is lost)
        log_failure(current_app.logger, "webhook delivery failed; retrying next round")

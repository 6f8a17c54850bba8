"""Monitoring commands: bring the summary tables up to date, or rebuild them from the dossiers."""

from __future__ import annotations

import time

import click


@click.command(
    "refresh-stats",
    help="Bring the dashboards' summary tables up to date (the worker does this every round).",
)
@click.option("--full", is_flag=True, help="Rebuild every fact and summary from the dossiers.")
def refresh_stats(full: bool) -> None:
    from postal_hub.extensions import db
    from postal_hub.monitoring.refresh import refresh
    from postal_hub.services import clock

    started = time.monotonic()
    result = refresh(db.session, clock().now(), full=full)
    db.session.commit()
    click.echo(
        f"Dossiers refreshed: {result.dossiers}; days: {result.days}; months: {result.months}; "
        f"task months: {result.task_months} ({time.monotonic() - started:.1f} s)."
    )

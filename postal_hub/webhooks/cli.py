"""The `deliver-webhooks` command: one delivery pass, for cron or by hand (the worker runs it each round)."""

from __future__ import annotations

import click


@click.command("deliver-webhooks", help="Deliver the due webhook messages once (retries included).")
def deliver_webhooks() -> None:
    from postal_hub.webhooks.runner import run_pass

    report = run_pass()
    click.echo(", ".join(f"{name}: {count}" for name, count in report.as_dict().items()))

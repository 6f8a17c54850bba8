"""The `postal-hub` command (also `flask --app postal_hub ...`)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session

from postal_hub.core.errors import ValidationFailed
from postal_hub.core.logsafe import log_failure


def _session() -> Session:
    from postal_hub.extensions import db

    return db.session


def _fail(exc: ValidationFailed) -> None:
    from postal_hub.core.csv_import import ImportFailed

    click.echo(f"Error: {exc.message}", err=True)
    for name, message in exc.fields.items():
        click.echo(f"  {name}: {message}", err=True)
    if isinstance(exc, ImportFailed):
        for line, message in exc.problems:
            click.echo(f"  line {line}: {message}", err=True)
    raise SystemExit(1)


@click.group("db", help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply migrations up to REVISION (default: the newest).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    from postal_hub import migrate

    url = current_app.config["DATABASE_URL"]
    before = migrate.current_revision(url)
    migrate.upgrade(url, revision)
    after = migrate.current_revision(url)
    if before == after:
        click.echo(f"Database schema is up to date (revision {after}).")
    else:
        click.echo(f"Database schema migrated from {before or 'empty'} to revision {after}.")


@db_group.command("downgrade", help="Revert migrations down to REVISION.")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from postal_hub import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(
        f"Database schema is now at revision {migrate.current_revision(current_app.config['DATABASE_URL'])}."
    )


@click.command(
    "load-places", help="Load or refresh the 34 provinces and their communes from the shipped data."
)
def load_places() -> None:
    from postal_hub.core.places.services import sync_places

    session = _session()
    result = sync_places(session)
    session.commit()
    click.echo(
        f"Places: {result['provinces']} provinces, {result['communes']} communes "
        f"({result['changed']} changes)."
    )


@click.command("seed-demo", help="Load the demo data (idempotent) and print the demo sign-ins and API keys.")
def seed_demo() -> None:
    from postal_hub.demo.seed import seed_demo as run_seed
    from postal_hub.services import clock, file_store

    session = _session()
    report = run_seed(
        session,
        current_app.config["SECRET_KEY"],
        clock().now(),
        file_store(),
        current_app.config["PUBLIC_BASE_URL"],
    )
    session.commit()
    click.echo("Demo data is loaded.")
    click.echo("\nDemo sign-ins (http://127.0.0.1:5000/sign-in):")
    for label, username, password in report.users:
        click.echo(f"  {label:<28} {username:<12} {password}")
    if report.dossiers:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        click.echo("\nDemo dossiers (public tracking):")
        for code in report.dossiers:
            click.echo(f"  {base}/track/{code}")
    click.echo("\nDemo API keys (Authorization: Bearer <key>):")
    for code, name, key in report.api_keys:
        click.echo(f"  {code:<15} {name}\n      {key}")


@click.command("create-user", help="Create a user account.")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(
        [
            "citizen",
            "postal_clerk",
            "postman",
            "postal_manager",
            "unit_officer",
            "agency_supervisor",
            "trainer",
            "system_admin",
        ]
    ),
)
@click.option("--org", "org_code", help="Organization code (staff roles).")
@click.option("--office", "office_code", help="Post office code (postal staff).")
@click.option("--email")
@click.option("--phone")
@click.password_option()
def create_user(
    username: str,
    full_name: str,
    role: str,
    org_code: str | None,
    office_code: str | None,
    email: str | None,
    phone: str | None,
    password: str,
) -> None:
    from postal_hub.core.orgs.models import Organization, PostOffice
    from postal_hub.core.users.services import UserInput, save_user

    session = _session()
    org_id = office_id = None
    if org_code:
        org_id = session.scalar(sa.select(Organization.id).where(Organization.code == org_code.upper()))
        if org_id is None:
            raise click.BadParameter(f"no organization has the code {org_code}", param_hint="--org")
    if office_code:
        office_id = session.scalar(sa.select(PostOffice.id).where(PostOffice.code == office_code.upper()))
        if office_id is None:
            raise click.BadParameter(f"no post office has the code {office_code}", param_hint="--office")
    try:
        user = save_user(
            session,
            None,
            UserInput(
                username=username,
                full_name=full_name,
                role=role,
                organization_id=org_id,
                post_office_id=office_id,
                email=email,
                phone=phone,
                password=password,
            ),
            password_method=current_app.config["PASSWORD_HASH_METHOD"],
        )
    except ValidationFailed as exc:
        _fail(exc)
    session.commit()
    click.echo(f"Created user {user.username} ({role}).")


@click.command("create-api-key", help="Create an API key for an organization; the key is printed once.")
@click.option("--org", "org_code", required=True, help="Organization code, e.g. 000.00.01.H26 or VNPOST.")
@click.option("--name", default="API key", show_default=True)
def create_api_key(org_code: str, name: str) -> None:
    from postal_hub.core.orgs.models import Organization
    from postal_hub.core.users import api_keys
    from postal_hub.services import clock

    session = _session()
    org = session.scalar(sa.select(Organization).where(Organization.code == org_code.strip().upper()))
    if org is None:
        raise click.BadParameter(f"no organization has the code {org_code}", param_hint="--org")
    try:
        _key, plaintext = api_keys.create_api_key(session, org, name, clock().now())
    except ValidationFailed as exc:
        _fail(exc)
    session.commit()
    click.echo(f"API key for {org.name} ({org.code}); it is shown only now:\n{plaintext}")


@click.command("import-offices", help="Import post offices from a CSV file (all rows or none).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--operator", "operator_code", default="VNPOST", show_default=True)
def import_offices(file: Path, operator_code: str) -> None:
    from postal_hub.core.csv_import import import_post_offices
    from postal_hub.core.orgs.models import Organization, OrgKind

    session = _session()
    operator = session.scalar(
        sa.select(Organization).where(
            Organization.code == operator_code.upper(), Organization.kind == OrgKind.POSTAL_OPERATOR
        )
    )
    if operator is None:
        raise click.BadParameter(f"no postal operator has the code {operator_code}", param_hint="--operator")
    try:
        report = import_post_offices(session, None, operator, file.read_bytes())
    except ValidationFailed as exc:
        _fail(exc)
    session.commit()
    click.echo(f"Offices: {report.created} created, {report.updated} updated, {report.unchanged} unchanged.")


@click.command("import-procedures", help="Import procedures from a CSV file (all rows or none).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_procedures_cmd(file: Path) -> None:
    from postal_hub.core.csv_import import import_procedures

    session = _session()
    try:
        report = import_procedures(session, None, file.read_bytes())
    except ValidationFailed as exc:
        _fail(exc)
    session.commit()
    click.echo(
        f"Procedures: {report.created} created, {report.updated} updated, {report.unchanged} unchanged."
    )


@click.command(
    "run-jobs",
    help="Run the due background jobs once (contract expiry, task escalation, custody checkpoints).",
)
def run_jobs() -> None:
    from postal_hub import jobs
    from postal_hub.services import clock, notifier

    session = _session()
    now = clock().now()
    summary = jobs.run(session, now, notifier())
    session.commit()
    summary.update(jobs.dashboards(session, now, notifier()))
    session.commit()
    click.echo(", ".join(f"{name}: {count}" for name, count in summary.items()))


@click.command(
    "remind-expiring",
    help="Remind holders and their managers of certificates expiring within 30 and 7 days (once each).",
)
def remind_expiring() -> None:
    from postal_hub.services import clock, notifier
    from postal_hub.training.reminders import remind_expiring as run_reminders

    session = _session()
    reminded = run_reminders(session, notifier(), clock().now())
    session.commit()
    click.echo(f"Certificates reminded: {reminded}.")


@click.command(
    "worker", help="Run the background jobs every INTERVAL seconds, and deliver webhooks, until stopped."
)
@click.option("--interval", default=60, show_default=True, type=click.IntRange(5, 3600))
@click.option(
    "--webhook-interval",
    default=5,
    show_default=True,
    type=click.IntRange(1, 600),
    help="Seconds between webhook delivery passes (units expect events within seconds).",
)
def worker(interval: int, webhook_interval: int) -> None:
    import time

    from postal_hub import jobs
    from postal_hub.extensions import db
    from postal_hub.services import clock, notifier
    from postal_hub.webhooks.runner import worker_round as webhooks_round

    click.echo(
        f"Worker started; jobs every {interval} s, webhooks every {webhook_interval} s (Ctrl+C to stop)."
    )
    next_jobs = 0.0
    while True:
        if time.monotonic() >= next_jobs:
            next_jobs = time.monotonic() + interval
            # One transaction per round: a failed round is rolled back and retried next time.
            now = clock().now()
            summary: dict[str, int] = {}
            try:
                summary = jobs.run(db.session, now, notifier())
                db.session.commit()
            except Exception:  # the worker must outlive one bad round; the error is logged
                db.session.rollback()
                log_failure(current_app.logger, "background jobs failed; retrying next round")
            # The dashboards in a transaction of their own: their failure undoes nothing above.
            try:
                summary.update(jobs.dashboards(db.session, now, notifier()))
                db.session.commit()
            except Exception:
                db.session.rollback()
                log_failure(current_app.logger, "dashboard refresh failed; retrying next round")
            finally:
                db.session.close()
            if any(summary.values()):
                click.echo(", ".join(f"{name}: {count}" for name, count in summary.items()))
        webhooks_round()  # its own short transactions; never raises
        time.sleep(webhook_interval)


def register_cli(app: Flask) -> None:
    from postal_hub.handoff.cli import export_checkpoint, verify_log
    from postal_hub.monitoring.cli import refresh_stats
    from postal_hub.monitoring.cli_report import report
    from postal_hub.webhooks.cli import deliver_webhooks

    for command in (
        verify_log,
        export_checkpoint,
        db_group,
        load_places,
        seed_demo,
        create_user,
        create_api_key,
        import_offices,
        import_procedures_cmd,
        run_jobs,
        remind_expiring,
        worker,
        deliver_webhooks,
        refresh_stats,
        report,
    ):
        app.cli.add_command(command)


def main() -> None:
    from postal_hub import create_app

    FlaskGroup(name="postal-hub", create_app=create_app, help="Postal Hub administration.")()

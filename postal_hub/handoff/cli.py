"""Custody commands: verify the chains, and export a signed checkpoint for a unit to keep."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app


@click.command(
    "verify-log", help="Recompute the custody chains (all, or one organization's); exit 1 on damage."
)
@click.option("--org", "org_code", help="Organization code, e.g. 000.00.01.H26 or VNPOST.")
def verify_log(org_code: str | None) -> None:
    from postal_hub.core.custody.models import CustodyHead
    from postal_hub.core.custody.services import verify_org
    from postal_hub.core.orgs.models import Organization
    from postal_hub.extensions import db

    session = db.session
    if org_code:
        org = session.scalar(sa.select(Organization).where(Organization.code == org_code.strip().upper()))
        if org is None:
            raise click.BadParameter(f"no organization has the code {org_code}", param_hint="--org")
        orgs = [org]
    else:
        orgs = list(
            session.scalars(
                sa.select(Organization)
                .join(CustodyHead, CustodyHead.organization_id == Organization.id)
                .order_by(Organization.code)
            )
        )
    damaged = 0
    for org in orgs:
        report = verify_org(session, org, current_app.config["SECRET_KEY"])
        if report.ok:
            click.echo(f"{org.code}: OK, {report.verdict.size} entries, head {report.verdict.head_hash[:16]}")
            continue
        damaged += 1
        if report.verdict.problem is not None:
            problem = report.verdict.problem
            click.echo(f"{org.code}: DAMAGED at entry {problem.seq}: {problem.reason}")
        for line in report.problems:
            click.echo(f"{org.code}: DAMAGED: {line}")
    if not orgs:
        click.echo("No custody log has any entry yet.")
    if damaged:
        raise SystemExit(1)


@click.command(
    "export-checkpoint", help="Sign the head of an organization's custody chain and print it as JSON."
)
@click.option("--org", "org_code", required=True, help="Organization code.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def export_checkpoint(org_code: str, out: Path | None) -> None:
    from postal_hub.core.custody.models import CustodyCheckpoint
    from postal_hub.core.custody.services import export_checkpoint as export
    from postal_hub.core.custody.services import make_checkpoint
    from postal_hub.core.orgs.models import Organization
    from postal_hub.extensions import db
    from postal_hub.services import clock

    session = db.session
    org = session.scalar(sa.select(Organization).where(Organization.code == org_code.strip().upper()))
    if org is None:
        raise click.BadParameter(f"no organization has the code {org_code}", param_hint="--org")
    make_checkpoint(session, org, clock().now(), current_app.config["SECRET_KEY"])
    session.commit()
    point = session.scalar(
        sa.select(CustodyCheckpoint)
        .where(CustodyCheckpoint.organization_id == org.id)
        .order_by(CustodyCheckpoint.size.desc())
    )
    if point is None:
        click.echo(f"{org.code} has no custody entries yet; nothing to sign.", err=True)
        raise SystemExit(1)
    text = json.dumps(export(org.code, point), ensure_ascii=False, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Checkpoint of {point.size} entries written to {out}.")
    else:
        click.echo(text)

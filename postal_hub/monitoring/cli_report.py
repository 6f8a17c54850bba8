"""`postal-hub report`: a unit's quarterly report written to a file, with its headline printed."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(
    "report", help="Write a one-stop unit's quarterly report (XLSX, or plain text) and print its headline."
)
@click.option("--unit", "unit_code", required=True, help="The unit's code, e.g. 000.00.01.H26.")
@click.option("--quarter", required=True, help="Year and quarter, e.g. 2026Q3 or 2026-Q3.")
@click.option(
    "--contract", "contract_number", default="", help="Only this contract of the unit (its number)."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write it (default: report-<unit>-<quarter>.xlsx, or .txt, in this folder).",
)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "txt"]), default="xlsx", show_default=True)
def report(unit_code: str, quarter: str, contract_number: str, out: Path | None, fmt: str) -> None:
    from postal_hub.core.clock import to_local
    from postal_hub.core.errors import NotFound, ValidationFailed
    from postal_hub.extensions import db
    from postal_hub.monitoring import report_text, report_xlsx
    from postal_hub.monitoring.quarters import parse_quarter
    from postal_hub.monitoring.query import Scope
    from postal_hub.monitoring.report import build_report, find_contract, find_unit
    from postal_hub.services import clock

    session = db.session
    scope = Scope()  # the command is run by whoever runs the installation: every unit
    now = clock().now()
    today = to_local(now).date()
    try:
        unit = find_unit(session, scope, unit_code)
    except NotFound:
        raise click.BadParameter(f"no one-stop unit has the code {unit_code}", param_hint="--unit") from None
    try:
        chosen = parse_quarter(quarter, today)
    except ValidationFailed as exc:
        raise click.BadParameter(exc.message, param_hint="--quarter") from None
    contract = None
    if contract_number:
        try:
            contract = find_contract(session, scope, unit, number=contract_number)
        except NotFound:
            raise click.BadParameter(
                f"no contract numbered {contract_number} covers the unit {unit.code}", param_hint="--contract"
            ) from None
    built = build_report(session, scope, unit, chosen, now, today, contract)
    path = out or Path(built.file_name(fmt))
    if fmt == "xlsx":
        path.write_bytes(report_xlsx.to_xlsx(built))
    else:
        path.write_text(report_text.as_text(built), encoding="utf-8")
    click.echo(f"{report_text.title(built)}")
    click.echo(report_text.period(built))
    for line in report_text.headline_lines(built):
        click.echo(line)
    click.echo(f"Written to {path}.")

"""The quarterly report: the form that chooses it, the printable page and the XLSX download."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from postal_hub.core.clock import to_local
from postal_hub.core.errors import NotFound, ValidationFailed
from postal_hub.core.pagination import record_number
from postal_hub.extensions import db
from postal_hub.monitoring import report_text, report_xlsx, targets
from postal_hub.monitoring.access import scope_for, visible_units
from postal_hub.monitoring.blueprint import bp
from postal_hub.monitoring.quarters import Quarter, last_finished, parse_quarter
from postal_hub.monitoring.report import (
    QuarterReport,
    build_report,
    contracts_by_unit,
    find_contract,
    find_unit,
)
from postal_hub.services import clock

RECENT_QUARTERS = 8  # offered in the form's list; any other can be typed


def _today() -> date:
    return to_local(clock().now()).date()


@bp.get("/monitoring/reports")
@login_required
def report_form() -> tuple[str, int] | BaseResponse:
    scope = scope_for(db.session, current_user)
    units = visible_units(db.session, scope)
    contracts = contracts_by_unit(db.session, scope, units)
    today = _today()
    asked = {k: (request.args.get(k) or "").strip() for k in ("unit", "quarter", "contract")}
    errors: dict[str, str] = {}
    if "unit" in request.args and "edit" not in request.args:
        unit = next((u for u in units if u.code.upper() == asked["unit"].upper()), None)
        if unit is None:
            errors["unit"] = str(_l("Choose a unit from the list."))
        quarter: Quarter | None = None
        try:
            quarter = parse_quarter(asked["quarter"], today)
        except ValidationFailed as exc:
            errors.update(exc.fields)
        contract_id = None
        if asked["contract"]:
            contract_id = record_number(asked["contract"])
            offered = {c.id for c in contracts.get(unit.id, [])} if unit is not None else set()
            if unit is not None and contract_id not in offered:
                errors["contract"] = str(_l("Choose a contract of the chosen unit, or none."))
        if not errors:
            assert unit is not None and quarter is not None
            return redirect(
                url_for(
                    "monitoring.report_page", unit_code=unit.code, quarter=quarter.code, contract=contract_id
                )
            )
    latest = Quarter.containing(today)
    recent = [latest]
    while len(recent) < RECENT_QUARTERS:
        recent.append(recent[-1].previous())
    html = render_template(
        "monitoring/report_form.html",
        units=units,
        contracts=contracts,
        asked=asked,
        errors=errors,
        default_quarter=last_finished(today).code,
        recent=[q.code for q in recent],
    )
    return html, 422 if errors else 200


def _report(unit_code: str, quarter_code: str) -> QuarterReport:
    """The report asked for in the URL: roles, then the unit (404), the quarter, the contract (404)."""
    scope = scope_for(db.session, current_user)
    unit = find_unit(db.session, scope, unit_code)
    now = clock().now()
    today = to_local(now).date()
    quarter = parse_quarter(quarter_code, today)
    contract = None
    raw = request.args.get("contract", "").strip()
    if raw:
        number = record_number(raw)
        if number is None:
            raise NotFound(str(_l("There is no such contract for this unit, or it is not yours to see.")))
        contract = find_contract(db.session, scope, unit, contract_id=number)
    return build_report(db.session, scope, unit, quarter, now, today, contract)


def _links(report: QuarterReport) -> dict[str, Any]:
    values: dict[str, Any] = {"unit_code": report.unit.code, "quarter": report.quarter.code}
    if report.contract is not None:
        values["contract"] = report.contract.id
    return values


@bp.get("/monitoring/reports/<unit_code>/<quarter>.xlsx")
@login_required
def report_xlsx_download(unit_code: str, quarter: str) -> Response:
    report = _report(unit_code, quarter)
    response = Response(report_xlsx.to_xlsx(report), mimetype=report_xlsx.MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=report.file_name("xlsx"))
    return response


@bp.get("/monitoring/reports/<unit_code>/<quarter>")
@login_required
def report_page(unit_code: str, quarter: str) -> str:
    report = _report(unit_code, quarter)
    links = _links(report)
    # Back to the form, filled in with this report (edit: shown, not sent).
    form_args: dict[str, Any] = {"unit": report.unit.code, "quarter": report.quarter.code, "edit": 1}
    if report.contract is not None:
        form_args["contract"] = str(report.contract.id)
    return render_template(
        "monitoring/report.html",
        report=report,
        fmt=report_text,
        on_time_target=targets.ON_TIME,
        xlsx_url=url_for("monitoring.report_xlsx_download", **links),
        form_url=url_for("monitoring.report_form", **form_args),
    )

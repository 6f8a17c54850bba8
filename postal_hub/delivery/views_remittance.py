"""The remittance statement screen and its CSV and Excel exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.pagination import record_number
from postal_hub.core.users.models import Role
from postal_hub.delivery import remittance, remittance_exports
from postal_hub.delivery.remittance import SOURCE_LABELS, Period, Remittance
from postal_hub.extensions import db
from postal_hub.intake.status import PAYMENT_LABELS
from postal_hub.services import clock
from postal_hub.web_helpers import list_args, list_request

bp = Blueprint("delivery_remittance", __name__)

VIEWERS = (Role.SYSTEM_ADMIN, Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR, Role.POSTAL_MANAGER)
QUERY_ARGS = ("unit", "month", "from", "to")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Asked:
    """What the screen was asked for, what it may offer, and what it found."""

    args: dict[str, str]
    units: list[tuple[int, str]]
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None
    statement: Remittance | None = None


def _resolve() -> Asked:
    """The unit first (one the user may not see is a 404 before anything else), then the period."""
    args = {k: request.args.get(k, "").strip() for k in QUERY_ARGS}
    asked = Asked(args, remittance.unit_choices(db.session, current_user))
    unit_id = record_number(args["unit"]) if args["unit"] else None
    if args["unit"] and unit_id is None:
        asked.errors["unit"] = _unit_message()
    elif unit_id is None and len(asked.units) == 1:
        unit_id = asked.units[0][0]
    unit = remittance.get_unit(db.session, current_user, unit_id) if unit_id else None
    now = clock().now()
    try:
        asked.period = remittance.parse_period(args["month"], args["from"], args["to"], to_local(now).date())
    except ValidationFailed as exc:
        asked.errors.update(exc.fields)
    if unit is not None and asked.period is not None and not asked.errors:
        asked.statement = remittance.statement(db.session, current_user, unit.id, asked.period, now)
    return asked


def _unit_message() -> str:
    return _("Choose the one-stop unit.")


def _refused(asked: Asked) -> tuple[str, int]:
    """An export needs a unit and a valid period; without them the page says which field is wrong."""
    if not asked.errors:
        asked.errors["unit"] = _unit_message()
    return _page(asked)


def _page(asked: Asked) -> tuple[str, int]:
    lr = list_request()
    page = (
        remittance.lines_page(db.session, asked.statement, lr.page, lr.per_page) if asked.statement else None
    )
    html = render_template(
        "delivery/remittance.html",
        asked=asked,
        statement=asked.statement,
        page=page,
        args=list_args(),
        sources=SOURCE_LABELS,
        methods=PAYMENT_LABELS,
        export_args=_export_args(asked),
    )
    return html, 422 if asked.errors else 200


def _export_args(asked: Asked) -> dict[str, str]:
    """The page's query, with the unit it settled on: the file holds exactly what the screen shows."""
    chosen = {k: v for k, v in asked.args.items() if v}
    if asked.statement is not None:
        chosen["unit"] = str(asked.statement.unit.id)
    return chosen


@bp.get("/remittance")
@roles_required(*VIEWERS)
def remittance_page() -> tuple[str, int]:
    return _page(_resolve())


def _filename(statement: Remittance, ext: str) -> str:
    period = statement.period
    span = period.month or f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    return f"bang-ke-thu-ho-{statement.unit.code}-{span}.{ext}".replace("/", "-")


@bp.get("/remittance/export.csv")
@roles_required(*VIEWERS)
def export_csv() -> BaseResponse | tuple[str, int]:
    asked = _resolve()
    statement = asked.statement
    if statement is None:
        return _refused(asked)
    body = remittance_exports.to_csv(statement, remittance.all_lines(db.session, statement))
    response = Response(stream_with_context(body), mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=_filename(statement, "csv"))
    return response


@bp.get("/remittance/export.xlsx")
@roles_required(*VIEWERS)
def export_xlsx() -> BaseResponse | tuple[str, int]:
    asked = _resolve()
    statement = asked.statement
    if statement is None:
        return _refused(asked)
    body = remittance_exports.to_xlsx(statement, remittance.all_lines(db.session, statement))
    response = Response(body, mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=_filename(statement, "xlsx"))
    return response

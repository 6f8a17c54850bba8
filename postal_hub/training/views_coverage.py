"""Coverage screens: per office, who is certified for what, what expires soon; CSV and Excel exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.pagination import Page
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.training import coverage_exports
from postal_hub.training.blueprint import bp
from postal_hub.training.coverage import (
    COUNTER_ROLES,
    OfficeCoverage,
    coverage_provinces,
    coverage_totals,
    get_coverage_office,
    office_coverage,
    office_staff,
    one_office_coverage,
)
from postal_hub.training.queries_certificates import CERTIFICATE_STATE_LABELS, certificate_state
from postal_hub.training.status import EXPIRY_HORIZONS
from postal_hub.web_helpers import list_args, list_request

VIEWERS = (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER, Role.TRAINER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A certificate this close to its end is flagged on the office's page.
SOON_DAYS = min(EXPIRY_HORIZONS)


@dataclass(frozen=True)
class Filters:
    province: str
    q: str

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("province", self.province), ("q", self.q)) if v}


def _filters() -> Filters:
    q = " ".join(request.args.get("q", "").split())[:100]
    return Filters(request.args.get("province", "").strip()[:8], q)


def _today() -> date:
    return to_local(clock().now()).date()


def link_if_exists(endpoint: str, **values: Any) -> str | None:
    """A link to a page another part of training may not have yet: none rather than a broken page."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _rows(filters: Filters) -> list[OfficeCoverage]:
    return office_coverage(db.session, current_user, _today(), filters.province, filters.q)


@bp.get("/training/coverage")
@roles_required(*VIEWERS)
def coverage() -> str:
    filters = _filters()
    rows = _rows(filters)
    lr = list_request()
    pages = max(1, -(-len(rows) // lr.per_page))
    number = min(lr.page, pages)
    start = (number - 1) * lr.per_page
    page = Page(rows[start : start + lr.per_page], number, lr.per_page, len(rows))
    return render_template(
        "training/coverage.html",
        page=page,
        totals=coverage_totals(rows),
        filters=filters,
        provinces=coverage_provinces(db.session, current_user),
        horizons=EXPIRY_HORIZONS,
        today=_today(),
        args=list_args(),
        export_args=filters.args(),
        training_home=link_if_exists("training.index"),
        gate_link=url_for("training.gate") if current_user.has_role(Role.SYSTEM_ADMIN) else None,
    )


@bp.get("/training/coverage/<int:office_id>")
@roles_required(*VIEWERS)
def coverage_office(office_id: int) -> str:
    office = get_coverage_office(db.session, current_user, office_id)
    today = _today()
    lines = office_staff(db.session, office)
    certificates = [c for line in lines for c in line.certificates]
    return render_template(
        "training/coverage_office.html",
        office=office,
        summary=one_office_coverage(db.session, current_user, office, today),
        lines=lines,
        today=today,
        horizons=EXPIRY_HORIZONS,
        states={c.id: certificate_state(c, today) for c in certificates},
        state_labels=CERTIFICATE_STATE_LABELS,
        soon_days=SOON_DAYS,
        certificate_links={
            c.id: link_if_exists("training.certificate_page", certificate_id=c.id) for c in certificates
        },
        counter_roles={r.value for r in COUNTER_ROLES},
    )


def _export(ext: str) -> tuple[coverage_exports.Heading, list[OfficeCoverage], str]:
    filters = _filters()
    rows = _rows(filters)
    names = {p.code: p.name for p in coverage_provinces(db.session, current_user)}
    heading = coverage_exports.Heading(
        today=_today(),
        generated_at=clock().now(),
        province=names.get(filters.province, filters.province),
        search=filters.q,
    )
    suffix = f"-{filters.province}" if filters.province in names else ""
    return heading, rows, f"do-phu-dao-tao{suffix}-{heading.today:%Y%m%d}.{ext}"


@bp.get("/training/coverage.csv")
@roles_required(*VIEWERS)
def coverage_csv() -> Response:
    heading, rows, filename = _export("csv")
    response = Response(
        coverage_exports.to_csv(heading, rows, coverage_totals(rows)), mimetype="text/csv; charset=utf-8"
    )
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.get("/training/coverage.xlsx")
@roles_required(*VIEWERS)
def coverage_xlsx() -> Response:
    heading, rows, filename = _export("xlsx")
    response = Response(coverage_exports.to_xlsx(heading, rows, coverage_totals(rows)), mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response

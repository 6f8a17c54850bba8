"""The alerts page: open and recently resolved alerts in the viewer's scope, by rule and state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from postal_hub.auth.permissions import roles_required
from postal_hub.core.pagination import Page, parse_page
from postal_hub.extensions import db
from postal_hub.monitoring.access import MONITORING_ROLES, scope_for
from postal_hub.monitoring.alert_notices import RULE_LABELS, figure
from postal_hub.monitoring.alert_rules import BACKLOG, CONTRACT_SLA, RULES, SATISFACTION, STALLED
from postal_hub.monitoring.alerts import RECENT_DAYS, STATES, AlertRow, alerts_page, open_count
from postal_hub.monitoring.blueprint import bp
from postal_hub.services import clock
from postal_hub.web_helpers import list_args


@dataclass(frozen=True)
class Line:
    """One row of the page, with its words and link made here so the template only lays them out."""

    row: AlertRow
    what: str
    kind: str
    link: str | None
    value: str
    threshold: str


def _link(endpoint: str, **values: Any) -> str | None:
    """A link only where the page exists in this installation (the dashboard may be elsewhere)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def subject_link(row: AlertRow) -> str | None:
    """The page of the alert's subject: the dossier, the contract, or the dashboard of an office/unit."""
    if row.kind == "dossier":
        return _link("intake.dossier_page", code=row.ref)
    if row.kind == "contract":
        return _link("contracts.contract_detail_page", contract_id=int(row.ref))
    if row.kind == "office":
        return _link("monitoring.dashboard", office=row.ref)
    if row.kind == "unit":
        return _link("monitoring.dashboard", unit=row.ref)
    return None


def _what(row: AlertRow) -> str:
    if row.alert.rule == SATISFACTION:
        return _("Postal satisfaction") if row.kind == "office" else _("Satisfaction with the unit")
    return str(RULE_LABELS.get(row.alert.rule, row.alert.rule))


def _kind(row: AlertRow) -> str:
    return {
        "dossier": _("Dossier"),
        "contract": _("Contract"),
        "office": _("Post office"),
        "unit": _("One-stop unit"),
    }.get(row.kind, row.kind)


def _figures(row: AlertRow) -> tuple[str, str]:
    value, limit = figure(row.alert.value), figure(row.alert.threshold)
    if row.alert.rule in (CONTRACT_SLA, SATISFACTION):
        return f"{value}%", _("target %(limit)s%%", limit=limit)
    if row.alert.rule == STALLED:
        return _("%(hours)s h", hours=value), _("limit %(hours)s h", hours=limit)
    if row.alert.rule == BACKLOG:
        return value, _("alert at %(limit)s", limit=limit)
    return value, limit


def lines(rows: list[AlertRow]) -> list[Line]:
    return [Line(r, _what(r), _kind(r), subject_link(r), *_figures(r)) for r in rows]


def rule_choices() -> list[tuple[str, str]]:
    return [(rule, str(RULE_LABELS[rule])) for rule in RULES]


def state_choices() -> list[tuple[str, str]]:
    return [
        ("", _("Open and recent")),
        ("open", _("Open only")),
        ("resolved", _("Resolved recently")),
    ]


@bp.get("/monitoring/alerts")
@roles_required(*MONITORING_ROLES)
def alerts() -> str:
    scope = scope_for(db.session, current_user)
    rule = request.args.get("rule") or None
    rule = rule if rule in RULES else None
    state = request.args.get("state") or None
    state = state if state in STATES else None
    found = alerts_page(
        db.session,
        scope,
        clock().now(),
        rule,
        state,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    page: Page[Line] = Page(lines(found.items), found.page, found.per_page, found.total)
    return render_template(
        "monitoring/alerts.html",
        page=page,
        rule=rule or "",
        state=state or "",
        rules=rule_choices(),
        states=state_choices(),
        open_total=open_count(db.session, scope),
        recent_days=RECENT_DAYS,
        args=list_args(),
        dashboard_link=_link("monitoring.dashboard"),
    )

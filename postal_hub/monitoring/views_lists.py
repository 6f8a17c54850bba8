"""The lists behind the dashboard's numbers, in the viewer's scope and the dashboard's filters."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from postal_hub.auth.permissions import roles_required
from postal_hub.contracts.status import TASK_TYPE_LABELS, TaskType
from postal_hub.core.clock import to_local
from postal_hub.core.pagination import parse_page, record_number
from postal_hub.extensions import db
from postal_hub.intake.status import CHANNEL_LABELS, DOSSIER_STATUS_LABELS, Channel, DossierStatus
from postal_hub.monitoring.access import MONITORING_ROLES, scope_for
from postal_hub.monitoring.blueprint import bp
from postal_hub.monitoring.lists import COUNTABLE, TASK_STATES, dossiers_page, names, tasks_page
from postal_hub.monitoring.params import read
from postal_hub.services import clock
from postal_hub.web_helpers import list_args


def measure_labels() -> dict[str, str]:
    """What a list shows, as its heading says it (value 1, and value 0 where a "not" list exists)."""
    return {
        "dossiers": _("All dossiers"),
        "late": _("Results delivered after their appointment"),
        "overdue": _("Open dossiers past their appointment"),
        "open": _("Open dossiers"),
        "on_time": _("Results delivered by their appointment"),
        "late_pickup": _("Late results with a late pickup"),
        "late_carriage": _("Late results with late digitization or carriage"),
        "late_unit": _("Late results with processing by the unit over its statutory time"),
        "late_delivery": _("Late results with a late collection or delivery"),
        "late_unattributed": _("Late results with no leg late on its own clock"),
        "unit_overdue": _("Dossiers at the unit past its statutory time"),
        "digitized": _("Digitized dossiers"),
        "digitized:0": _("Dossiers not digitized"),
        "reused": _("Dossiers with documents reused"),
        "postal_satisfied:0": _("Dossiers whose applicant was not satisfied with the post"),
        "unit_satisfied:0": _("Dossiers whose applicant was not satisfied with the unit"),
        "wait_ok:0": _("Counter visits with a wait over 15 minutes"),
        "handle_ok:0": _("Counter acceptances over 30 minutes"),
    }


def state_labels() -> dict[str, str]:
    return {
        "on_time": _("On time"),
        "late": _("Late"),
        "open": _("Open, not yet due"),
        "overdue": _("Overdue"),
    }


@bp.get("/monitoring/dossiers")
@roles_required(*MONITORING_ROLES)
def dossiers() -> str:
    now = clock().now()
    scope = scope_for(db.session, current_user)
    asked = read(request.args, to_local(now).date())
    measure = request.args.get("measure", "dossiers")
    value = 0 if request.args.get("value") == "0" else 1
    if measure not in COUNTABLE:
        abort(404)
    labels = measure_labels()
    title = labels.get(f"{measure}:{value}" if not value else measure) or labels.get(measure, measure)
    if not value and f"{measure}:0" not in labels:
        abort(404)
    page = dossiers_page(
        db.session,
        scope,
        asked.filters,
        measure,
        value,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "monitoring/dossiers.html",
        page=page,
        title=title,
        asked=asked,
        args=list_args(),
        dashboard_args=asked.args,
        names=names(db.session, page.items),
        statuses={s.value: DOSSIER_STATUS_LABELS[s] for s in DossierStatus},
        channels={c.value: CHANNEL_LABELS[c] for c in Channel},
        states=state_labels(),
    )


@bp.get("/monitoring/tasks")
@roles_required(*MONITORING_ROLES)
def tasks() -> str:
    now = clock().now()
    scope = scope_for(db.session, current_user)
    asked = read(request.args, to_local(now).date())
    task_type = request.args.get("task_type") or None
    if task_type is not None and task_type not in {t.value for t in TaskType}:
        abort(404)
    state = request.args.get("state") or None
    if state is not None and state not in TASK_STATES:
        abort(404)
    contract_id = record_number(request.args.get("contract"))
    page = tasks_page(
        db.session,
        scope,
        asked.filters,
        now,
        task_type,
        contract_id,
        state,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "monitoring/tasks.html",
        page=page,
        asked=asked,
        args=list_args(),
        dashboard_args=asked.args,
        now=now,
        task_type=task_type,
        state=state,
        task_labels={t.value: TASK_TYPE_LABELS[t] for t in TaskType},
        states=state_labels(),
    )

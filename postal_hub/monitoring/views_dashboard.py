"""The dashboard page: the figures of the viewer's scope, each linked to the list of dossiers behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from postal_hub.auth.permissions import roles_required
from postal_hub.contracts.status import TASK_TYPE_LABELS, TaskType
from postal_hub.core.clock import to_local
from postal_hub.core.places.models import Province
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.extensions import db
from postal_hub.intake.status import CHANNEL_LABELS, Channel
from postal_hub.monitoring import charts, targets
from postal_hub.monitoring.access import MONITORING_ROLES, scope_for, visible_offices, visible_units
from postal_hub.monitoring.alerts import alert_lines
from postal_hub.monitoring.blueprint import bp
from postal_hub.monitoring.dashboard import Dashboard, build_dashboard
from postal_hub.monitoring.params import number, percent, read
from postal_hub.monitoring.periods import GRAINS, PRESETS
from postal_hub.monitoring.query import Scope
from postal_hub.monitoring.refresh import last_refreshed
from postal_hub.monitoring.views_alerts import subject_link
from postal_hub.services import clock

# Above this many units or offices, the filter lists wait for a province to be chosen.
LONGEST_CHOICE = 400


@dataclass
class Card:
    label: str
    value: str
    target: str
    ok: bool | None
    link: str | None
    previous: str = ""


def _ok(value: float | None, target: float, higher_is_better: bool = True) -> bool | None:
    if value is None:
        return None
    return value >= target if higher_is_better else value <= target


def _list(measure: str, args: dict[str, Any], value: int = 1) -> str:
    return url_for("monitoring.dossiers", measure=measure, value=value, **args)


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    return _("previous period: %(value)s", value=number(before, 1) if isinstance(before, float) else before)


def cards(d: Dashboard, args: dict[str, Any]) -> list[Card]:
    t, p = d.totals, d.previous
    s = d.staffing
    return [
        Card(
            _("Dossiers"),
            number(t["dossiers"]),
            "",
            None,
            _list("dossiers", args),
            _("previous period: %(value)s", value=number(p["dossiers"])),
        ),
        Card(
            _("Results on time"),
            percent(t.on_time_rate),
            _("target %(value)s", value=percent(targets.ON_TIME)),
            _ok(t.on_time_rate, targets.ON_TIME),
            _list("late", args),
            _("previous period: %(value)s", value=percent(p.on_time_rate)),
        ),
        Card(
            _("Open past their appointment"),
            number(t["overdue"]),
            "",
            None if not t["overdue"] else False,
            _list("overdue", args),
            _("of %(open)s still open", open=number(t["open"])),
        ),
        Card(
            _("Satisfaction with the post"),
            percent(t.postal_satisfaction),
            _("target %(value)s", value=percent(targets.SATISFACTION)),
            _ok(t.postal_satisfaction, targets.SATISFACTION),
            _list("postal_satisfied", args, 0),
            _("%(count)s ratings", count=number(t["postal_rated"])),
        ),
        Card(
            _("Satisfaction with the unit"),
            percent(t.unit_satisfaction),
            _("target %(value)s", value=percent(targets.SATISFACTION)),
            _ok(t.unit_satisfaction, targets.SATISFACTION),
            _list("unit_satisfied", args, 0),
            _("%(count)s ratings", count=number(t["unit_rated"])),
        ),
        Card(
            _("Digitized"),
            percent(t.digitization_rate),
            _("target %(value)s", value=percent(targets.DIGITIZATION)),
            _ok(t.digitization_rate, targets.DIGITIZATION),
            _list("digitized", args, 0),
            _("previous period: %(value)s", value=percent(p.digitization_rate)),
        ),
        Card(
            _("Documents reused, not asked again"),
            percent(t.reuse_rate),
            _(
                "target %(value)s (2022: %(old)s)",
                value=percent(targets.REUSE),
                old=percent(targets.REUSE_2022),
            ),
            _ok(t.reuse_rate, targets.REUSE),
            _list("reused", args),
            _("previous period: %(value)s", value=percent(p.reuse_rate)),
        ),
        Card(
            _("Waiting at the counter"),
            _("%(minutes)s min", minutes=number(t.wait_minutes, 1)) if t.wait_minutes is not None else "—",
            _("target ≤ %(value)s min", value=targets.WAIT_MINUTES),
            _ok(t.wait_minutes, targets.WAIT_MINUTES, higher_is_better=False),
            _list("wait_ok", args, 0),
            _("%(share)s within target", share=percent(t.rate("wait_ok", "wait_timed")))
            if t["wait_timed"]
            else "",
        ),
        Card(
            _("Handling at the counter"),
            _("%(minutes)s min", minutes=number(t.handle_minutes, 1))
            if t.handle_minutes is not None
            else "—",
            _("target ≤ %(value)s min", value=targets.HANDLE_MINUTES),
            _ok(t.handle_minutes, targets.HANDLE_MINUTES, higher_is_better=False),
            _list("handle_ok", args, 0),
            _("%(share)s within target", share=percent(t.rate("handle_ok", "handle_timed")))
            if t["handle_timed"]
            else "",
        ),
        Card(
            _("Dossiers per staff member a year"),
            number(s.dossiers_per_year),
            _("target %(value)s", value=number(targets.PRODUCTIVITY)),
            _ok(s.dossiers_per_year, targets.PRODUCTIVITY),
            None,
            _("%(count)s unit officers", count=s.counter_staff)
            if s.unit_side
            else _("%(count)s counter staff", count=s.counter_staff),
        ),
        Card(
            _("Postal staff certified"),
            percent(s.coverage),
            _("target %(value)s", value=percent(100)),
            _ok(s.coverage, 100),
            url_for("training.coverage") if not s.unit_side else None,
            _("%(certified)s of %(staff)s", certified=s.certified, staff=s.staff),
        ),
    ]


def _fmt_pct(value: float) -> str:
    return percent(value)


def _fmt_int(value: float) -> str:
    return number(value)


def _label_day(day: Any, grain: str) -> str:
    if grain == "month":
        return day.strftime("%m/%Y")
    return day.strftime("%d/%m")


def charts_for(d: Dashboard, args: dict[str, Any]) -> dict[str, Markup]:
    channel_items = [(str(CHANNEL_LABELS.get(Channel(c), c)), float(t["dossiers"])) for c, t in d.channels]
    channel_links = [url_for("monitoring.dashboard", **{**args, "channel": c}) for c, _t in d.channels]
    labels = [_label_day(day, d.grain) for day, _t in d.series]
    type_items = [
        (
            str(TASK_TYPE_LABELS.get(TaskType(k), k)),
            [
                float(t["tasks_on_time"]),
                float(t["tasks_late"]),
                float(t["tasks_open"] - t["tasks_overdue"]),
                float(t["tasks_overdue"]),
            ],
        )
        for k, t in d.task_types
    ]
    return {
        "channels": charts.bar_chart(
            _("Dossiers by channel"),
            channel_items,
            fmt=_fmt_int,
            links=channel_links,
            empty_text=_("No data"),
        ),
        "volume": charts.line_chart(
            _("Dossiers accepted"),
            labels,
            [(_("Dossiers"), [float(t["dossiers"]) for _d, t in d.series])],
            fmt=_fmt_int,
            empty_text=_("No data"),
        ),
        "on_time": charts.line_chart(
            _("Results on time and satisfaction"),
            labels,
            [
                (_("On time"), [t.on_time_rate for _d, t in d.series]),
                (_("Satisfaction with the post"), [t.postal_satisfaction for _d, t in d.series]),
                (_("Satisfaction with the unit"), [t.unit_satisfaction for _d, t in d.series]),
            ],
            fmt=_fmt_pct,
            target=targets.SATISFACTION,
            target_label=_("Target"),  # the chart adds the value
            y_max=100,
            empty_text=_("No data"),
        ),
        "tasks": charts.stacked_bar_chart(
            _("Tasks by type against their SLA"),
            type_items,
            [_("On time"), _("Late"), _("Open, not yet due"), _("Overdue")],
            fmt=_fmt_int,
            links=[url_for("monitoring.tasks", task_type=k, **args) for k, _t in d.task_types],
            empty_text=_("No data"),
        ),
        "legs": charts.bar_chart(
            _("Late results by the leg that was late"),
            [(label, float(d.totals[m])) for m, label in leg_rows()],
            fmt=_fmt_int,
            links=[_list(m, args) for m, _label in leg_rows()],
            empty_text=_("No data"),
        ),
    }


def leg_rows() -> list[tuple[str, str]]:
    return [
        ("late_pickup", _("Pickup (post)")),
        ("late_carriage", _("Digitization and carriage to the unit (post)")),
        ("late_unit", _("Processing by the unit (statutory time)")),
        ("late_delivery", _("Collection and delivery of the result (post)")),
        ("late_unattributed", _("No leg late on its own clock")),
    ]


def choices(scope: Scope, province: str | None) -> dict[str, Any]:
    session = db.session
    provinces = session.query(Province).order_by(Province.name).all()
    if scope.province_code is not None:
        provinces = [p for p in provinces if p.code == scope.province_code]
    narrowed = Scope(scope.operator_id, scope.province_code or province, scope.unit_ids)
    units = visible_units(session, narrowed, limit=LONGEST_CHOICE + 1)
    offices = visible_offices(session, narrowed, limit=LONGEST_CHOICE + 1)
    return {
        "provinces": provinces,
        "units": units if len(units) <= LONGEST_CHOICE else [],
        "offices": offices if len(offices) <= LONGEST_CHOICE else [],
        "too_many": len(units) > LONGEST_CHOICE or len(offices) > LONGEST_CHOICE,
        "groups": session.query(ProcedureGroup).order_by(ProcedureGroup.name).all(),
        "channels": [(c.value, CHANNEL_LABELS.get(c, c.value)) for c in Channel],
    }


@bp.get("/monitoring")
@roles_required(*MONITORING_ROLES)
def dashboard() -> str:
    now = clock().now()
    today = to_local(now).date()
    scope = scope_for(db.session, current_user)
    asked = read(request.args, today)
    d = build_dashboard(db.session, scope, asked.filters, now, today, asked.grain)
    return render_template(
        "monitoring/dashboard.html",
        d=d,
        asked=asked,
        args=asked.args,
        cards=cards(d, asked.args),
        charts=charts_for(d, asked.args),
        on_time_target=targets.ON_TIME,
        alerts=_alerts(scope),
        report_link=url_for("monitoring.report_form"),
        alerts_link=url_for("monitoring.alerts"),
        public_link=url_for("monitoring.transparency"),
        legs=leg_rows(),
        presets=PRESETS,
        grains=GRAINS,
        refreshed=last_refreshed(db.session),
        task_labels={t.value: TASK_TYPE_LABELS[t] for t in TaskType},
        channel_labels={c.value: CHANNEL_LABELS.get(c, c.value) for c in Channel},
        number=number,
        percent=percent,
        **choices(scope, asked.filters.province_code),
    )


def _alerts(scope: Scope) -> list[dict[str, Any]]:
    return alert_lines(db.session, scope, limit=9, link=subject_link)

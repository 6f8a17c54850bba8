"""The public transparency page: per province, aggregate figures only, for anyone without signing in.

Cached for five minutes, by shared caches too, except for a signed-in visitor, whose page header shows
their name: that one is for their browser alone. Varying on Cookie keeps the languages apart.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, make_response, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.core.clock import to_local
from postal_hub.extensions import db
from postal_hub.monitoring import charts, public
from postal_hub.monitoring.blueprint import bp
from postal_hub.services import clock

TARGET = 95.0  # the seeds' satisfaction target, also the reference line for on-time delivery
MAX_AGE = 300

PERIOD_LABELS = {
    "last_12_months": _l("Last 12 months"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
}


def _percent(value: float) -> str:
    return f"{format_decimal(value, format='#,##0.#')}%"


def _percent_cell(value: float) -> str:
    return f"{format_decimal(value, format='#,##0.0')}%"


def _count(value: int) -> str:
    return str(format_decimal(value, format="#,##0"))


def _period() -> public.Period:
    return public.period_for(request.args.get("period"), to_local(clock().now()).date())


def _periods(current: public.Period, endpoint: str, **values: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": PERIOD_LABELS[key],
            "url": url_for(endpoint, **values, period=None if key == public.DEFAULT_PERIOD else key),
            "current": key == current.key,
        }
        for key in public.PERIODS
    ]


def _month_label(month: date) -> str:
    return f"{month.month:02d}/{month.year}"


def _cached(page: str) -> Response:
    response = make_response(page)
    shared = "private" if current_user.is_authenticated else "public"
    response.headers["Cache-Control"] = f"{shared}, max-age={MAX_AGE}"
    response.vary.add("Cookie")
    return response


def _common() -> dict[str, Any]:
    return {
        "percent": _percent_cell,
        "count": _count,
        "min_base": public.MIN_BASE,
        "target": _percent(TARGET),
    }


@bp.get("/transparency")
def transparency() -> Response:
    period = _period()
    data = public.overview(db.session, period)
    shown = [p for p in data.provinces if p.figures.dossiers]
    key = None if period.key == public.DEFAULT_PERIOD else period.key
    chart = None
    if shown:
        chart = charts.bar_chart(
            _("On-time rate by province"),
            # None (withheld) is drawn as "—"; bar_chart's annotation says float only.
            [(p.name, p.figures.on_time.value) for p in shown],  # type: ignore[misc]
            fmt=_percent,
            target=TARGET,
            target_label=_("Reference line"),
            max_value=100.0,
            links=[
                url_for("monitoring.transparency_province", province_code=p.code, period=key) for p in shown
            ],
        )
    page = render_template(
        "monitoring/public.html",
        data=data,
        chart=chart,
        periods=_periods(period, "monitoring.transparency"),
        period_key=key,
        **_common(),
    )
    return _cached(page)


@bp.get("/transparency/<province_code>")
def transparency_province(province_code: str) -> Response:
    period = _period()
    detail = public.province_detail(db.session, province_code[:8], period)
    if detail is None:
        abort(404)
    labels = [_month_label(month) for month, _figures in detail.months]
    series = [
        (_("On time"), [f.on_time.value for _m, f in detail.months]),
        (_("Satisfaction with the post"), [f.postal_satisfaction.value for _m, f in detail.months]),
        (_("Satisfaction with the unit"), [f.unit_satisfaction.value for _m, f in detail.months]),
    ]
    chart = None
    if any(v is not None for _name, values in series for v in values):
        chart = charts.line_chart(
            _("Rates month by month"),
            labels,
            series,
            fmt=_percent,
            target=TARGET,
            target_label=_("Reference line"),
            y_max=100.0,
        )
    page = render_template(
        "monitoring/public_province.html",
        detail=detail,
        chart=chart,
        months=list(zip(labels, [f for _m, f in detail.months], strict=True)),
        periods=_periods(period, "monitoring.transparency_province", province_code=detail.code),
        period_key=None if period.key == public.DEFAULT_PERIOD else period.key,
        **_common(),
    )
    return _cached(page)

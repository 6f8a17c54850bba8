"""Reading a dashboard's filters from the query string, and writing them back into links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import ValidationFailed
from postal_hub.core.pagination import record_number
from postal_hub.core.validation import FieldErrors
from postal_hub.intake.status import Channel
from postal_hub.monitoring.periods import GRAINS, Period, parse_period, preset_period
from postal_hub.monitoring.query import Filters


@dataclass
class Request:
    """What the viewer asked for, the filters it makes, and the problems with what they typed."""

    period: Period
    grain: str
    filters: Filters
    args: dict[str, str]
    errors: dict[str, str]


def read(args: Any, today: date) -> Request:
    """Bad values are reported on their field and left out; the page still answers with the rest."""
    errors: dict[str, str] = {}
    preset = args.get("period", "this_month")
    try:
        period = parse_period(preset, args.get("start", ""), args.get("end", ""), today)
    except ValidationFailed as exc:
        errors.update({k: str(v) for k, v in exc.fields.items()})
        period = preset_period("this_month", today)
    grain = args.get("grain", "")
    if grain and grain not in GRAINS:
        errors["grain"] = str(_l("Choose day, week or month."))
    if grain not in GRAINS:
        grain = period.default_grain
    checked = FieldErrors()
    values: dict[str, Any] = {}
    for name in ("unit", "office", "group"):
        raw = (args.get(name) or "").strip()
        if raw:
            # Group 0 is "no group": the row of procedures outside every group links to its list.
            number = 0 if name == "group" and raw == "0" else record_number(raw)
            if number is None:
                checked.add(name, _l("Choose from the list."))
            values[f"{name}_id"] = number
    province = (args.get("province") or "").strip()[:8] or None
    channel = (args.get("channel") or "").strip() or None
    if channel is not None and channel not in {c.value for c in Channel}:
        checked.add("channel", _l("Choose from the list."))
        channel = None
    errors.update(checked.errors)
    filters = Filters(
        start=period.start,
        end=period.end,
        province_code=province,
        unit_id=values.get("unit_id"),
        office_id=values.get("office_id"),
        group_id=values.get("group_id"),
        channel=channel,
        today=today,
    )
    return Request(period, grain, filters, link_args(period, grain, filters), errors)


def link_args(period: Period, grain: str, filters: Filters) -> dict[str, str]:
    """The query string that shows this view again (and, with more keys, the list behind a number)."""
    out = {"period": period.preset, "grain": grain}
    if period.preset == "custom":
        out.update(start=filters.start.isoformat(), end=filters.end.isoformat())
    for key, name in (
        ("province_code", "province"),
        ("unit_id", "unit"),
        ("office_id", "office"),
        ("group_id", "group"),
        ("channel", "channel"),
    ):
        value = getattr(filters, key)
        if value is not None:
            out[name] = str(value)
    return out


def number(value: float | int | None, digits: int = 0) -> str:
    """In the viewer's language: 1.234,5 in Vietnamese, 1,234.5 in English; "—" when unknown."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{number(value, 1)} %"

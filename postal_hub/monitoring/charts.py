"""Server-side SVG charts for the dashboards: no JavaScript, escaped labels, readable printed in B/W."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from postal_hub.monitoring.chart_lines import line_chart
from postal_hub.monitoring.chart_svg import (
    BAR,
    BRAND,
    CHAR_W,
    GRID,
    INK,
    LABEL_W,
    MISS,
    OK,
    ROW,
    SERIES,
    WIDTH,
    Attr,
    Fmt,
    _axis,
    _clean,
    _el,
    _empty,
    _esc,
    _finite,
    _hrefs,
    _legend,
    _length,
    _patterns,
    _row,
    _row_label,
    _scale,
    _series_keys,
    _show,
    _svg,
    _swatch,
    _target,
    _target_text,
    _text,
    _uid,
    _value,
)

__all__ = ["bar_chart", "line_chart", "progress_against_target", "stacked_bar_chart"]


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    fmt: Fmt,
    target: float | None = None,
    target_label: str = "",
    max_value: float | None = None,
    links: Sequence[str | None] | None = None,
    empty_text: str = "—",
) -> Markup:
    """Horizontal bars, one per item, each a link to the list behind its number when one is given."""
    if not items:
        return _empty("bar", title, empty_text)
    values = [_finite(value) for _, value in items]
    goal, hrefs = _finite(target), _hrefs(links, len(items))
    scale = _scale(max_value, [*values, goal])
    top = 24 if goal is not None else 6
    bottom = top + len(items) * ROW
    parts = [_axis(LABEL_W, top - 4, bottom - 4)]
    if goal is not None:
        x = LABEL_W + _length(goal, scale)
        anchor = "end" if x > WIDTH - 70 else "start" if x < LABEL_W + 40 else "middle"
        line: dict[str, Attr] = {"x1": x, "x2": x, "y1": top - 6, "y2": bottom - 2}
        parts.append(
            _target(line, _target_text(target_label, goal, fmt), x=x, y=top - 11, text_anchor=anchor)
        )
    for i, ((name, _), value, href) in enumerate(zip(items, values, hrefs, strict=True)):
        y, width, shown = top + i * ROW, _length(value, scale), _show(value, fmt, empty_text)
        bar = _el("rect", class_="chart-bar", x=LABEL_W, y=y, width=width, height=BAR, fill=BRAND)
        body = _row_label(name, y) + bar + _value(shown, LABEL_W + width + 6, y + BAR / 2)
        parts.append(_row(body, href, f"{_clean(name)}: {shown}", y))
    summary = "; ".join(
        f"{_clean(name)}: {_show(v, fmt, empty_text)}" for (name, _), v in zip(items, values, strict=True)
    )
    return _svg("bar", title, bottom + 4, "".join(parts), summary, group=any(hrefs))


def _segments(
    uid: str, name: str, row: Sequence[float | None], series: Sequence[str], y: float, scale: float, fmt: Fmt
) -> str:
    parts, x = [], float(LABEL_W)
    for i, value in enumerate(row):
        width = _length(value, scale)
        if width <= 0:
            continue
        color, ink, _, _ = SERIES[i % len(SERIES)]
        shown = fmt(value or 0.0)
        inside = ""
        if width >= len(shown) * CHAR_W + 6:  # the value fits inside its segment; the tooltip has it anyway
            halo: dict[str, Attr] = {"stroke": color, "stroke_width": 3, "paint_order": "stroke"}
            at: dict[str, Attr] = {
                "x": x + width / 2,
                "y": y + BAR / 2,
                "dy": "0.35em",
                "text_anchor": "middle",
            }
            inside = _text(shown, class_="chart-value chart-value--inside", fill=ink, **halo, **at)
        tip = _el("title", _esc(f"{name} — {series[i]}: {shown}"))
        parts.append(
            _el(
                "g",
                tip + _swatch(uid, i, x, y, width, BAR) + inside,
                class_=f"chart-segment chart-series-{i}",
                color=color,
            )
        )
        x += width
    return "".join(parts)


def stacked_bar_chart(
    title: str,
    items: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    fmt: Fmt,
    links: Sequence[str | None] | None = None,
    empty_text: str = "—",
) -> Markup:
    """Horizontal bars split into series (on time / late / open / overdue...), the total at the bar's end."""
    if not items or not series:
        return _empty("stacked", title, empty_text)
    uid, hrefs = _uid("stacked", title, items, series), _hrefs(links, len(items))
    rows = [[_finite(v) for v in list(values)[: len(series)]] for _, values in items]
    scale = _scale(None, [sum(max(v or 0.0, 0.0) for v in row) for row in rows])
    legend, top = _legend(_series_keys(series, lambda i, x, y: _swatch(uid, i, x, y + 2, 16, 14)))
    bottom = top + len(items) * ROW
    parts = [_patterns(uid, len(series)), legend, _axis(LABEL_W, top - 4, bottom - 4)]
    for i, ((name, _), row, href) in enumerate(zip(items, rows, hrefs, strict=True)):
        y, total = top + i * ROW, fmt(sum(v for v in row if v is not None))
        end = LABEL_W + sum(_length(v, scale) for v in row)
        bars = _segments(uid, name, row, series, y, scale, fmt)
        body = (
            _row_label(name, y) + bars + _value(total, end + 6, y + BAR / 2, class_="chart-value chart-total")
        )
        parts.append(_row(body, href, f"{_clean(name)}: {total}", y))
    summary = "; ".join(
        f"{_clean(name)}: "
        + ", ".join(f"{_clean(s)} {_show(v, fmt, empty_text)}" for s, v in zip(series, row, strict=False))
        for (name, _), row in zip(items, rows, strict=True)
    )
    return _svg("stacked", title, bottom + 4, "".join(parts), summary, group=any(hrefs))


def progress_against_target(
    title: str,
    value: float | None,
    target: float,
    *,
    fmt: Fmt,
    higher_is_better: bool = True,
    target_label: str = "",
    max_value: float | None = None,
    empty_text: str = "—",
) -> Markup:
    """One value against its target (satisfaction 93.1 % vs 95 %): ok or miss, both numbers written out."""
    current, goal = _finite(value), _finite(target)
    if current is None:
        return _empty("progress chart-nodata", title, empty_text)
    met = goal is None or (current >= goal if higher_is_better else current <= goal)
    state = "chart-ok" if met else "chart-miss"
    # Without a fixed scale, leave room past the larger number so the target mark is never at the edge.
    scale = _scale(max_value, [current, goal]) * (1.0 if (_finite(max_value) or 0) > 0 else 1.1)
    bar: dict[str, Attr] = {"x": 0, "y": 24, "width": _length(current, scale, WIDTH), "height": 18}
    parts = [
        _text(fmt(current), class_="chart-value", x=0, y=14, font_weight=700),
        _el("rect", class_="chart-track", x=0, y=24, width=WIDTH, height=18, fill="#eef1f6", stroke=GRID),
        _el("rect", class_=f"chart-bar {state}", fill=OK if met else MISS, **bar),
    ]
    if not met:  # hatched as well as red, so a miss still shows on a black-and-white printout
        uid = _uid("progress", title, current, goal)
        hatch = _el("path", d=SERIES[1][2], stroke="#fff", stroke_width=1.2, fill="none")
        parts.append(
            _el(
                "defs", _el("pattern", hatch, id=f"{uid}-h", patternUnits="userSpaceOnUse", width=6, height=6)
            )
        )
        parts.append(_el("rect", class_="chart-pattern", fill=f"url(#{uid}-h)", **bar))
    summary = fmt(current)
    if goal is not None:
        text, x = _target_text(target_label, goal, fmt), _length(goal, scale, WIDTH)
        mark = _el("line", x1=x, x2=x, y1=20, y2=46, stroke=INK, stroke_width=2.5)
        parts.append(
            _el(
                "g",
                mark + _text(text, class_="chart-target-label", x=WIDTH, y=14, text_anchor="end"),
                class_="chart-target",
            )
        )
        summary += f" / {text}"
    return _svg(f"progress {state}", title, 48, "".join(parts), summary)

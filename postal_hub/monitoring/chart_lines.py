"""The line chart: a line per series over day/week/month labels."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from postal_hub.monitoring.chart_svg import (
    AXIS_FONT,
    GRID,
    MARKERS,
    MUTED,
    SERIES,
    TARGET,
    WIDTH,
    Attr,
    Fmt,
    _clean,
    _el,
    _empty,
    _esc,
    _finite,
    _legend,
    _scale,
    _series_keys,
    _short,
    _show,
    _svg,
    _target,
    _target_text,
    _text,
    _value,
)


def _ticks(top: float, fixed: bool, integral: bool) -> list[float]:
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power * (1 + 1e-9))
    step = max(math.ceil(step), 1) if integral else step  # counts never get a "2.5" gridline
    high = top if fixed else math.ceil(top / step - 1e-9) * step
    return [k * step for k in range(int(high / step + 1e-9) + 1)] or [0.0]


def _marker(kind: str, x: float, y: float, css_class: str = "chart-point") -> str:
    paint: dict[str, Attr] = {
        "class_": css_class,
        "fill": "currentColor",
        "stroke": "#fff",
        "stroke_width": 1,
    }
    if kind == "circle":
        return _el("circle", cx=x, cy=y, r=4, **paint)
    if kind == "square":
        return _el("rect", x=x - 3.5, y=y - 3.5, width=7, height=7, **paint)
    shape = f"M{x:.1f} {y - 5:.1f}L{x + 4.5:.1f} {y + 3.5:.1f}H{x - 4.5:.1f}Z"
    if kind == "diamond":
        shape = f"M{x:.1f} {y - 5:.1f}L{x + 4.5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 4.5:.1f} {y:.1f}Z"
    return _el("path", d=shape, **paint)


def _x_labels(labels: Sequence[str], xs: Sequence[float], plot_w: float, y: float) -> str:
    """Axis labels, thinned out so they never overlap; the latest period is always labelled."""
    longest = max(len(_short(text, 12)) for text in labels)
    room = max(1, min(12, int(plot_w / (longest * AXIS_FONT * 0.6 + 8))))
    step = math.ceil(len(labels) / room)
    return "".join(
        _text(
            text,
            12,
            class_="chart-axis-label",
            x=x,
            y=y,
            text_anchor="middle",
            font_size=AXIS_FONT,
            fill=MUTED,
        )
        for i, (text, x) in enumerate(zip(labels, xs, strict=True))
        if (len(labels) - 1 - i) % step == 0
    )


def _line_key(i: int, x: float, y: float) -> str:
    dash = SERIES[i % len(SERIES)][3] or None
    line = _el(
        "line",
        x1=x,
        x2=x + 18,
        y1=y + 9,
        y2=y + 9,
        stroke="currentColor",
        stroke_width=2.5,
        stroke_dasharray=dash,
    )
    return line + _marker(MARKERS[i % len(MARKERS)], x + 9, y + 9, "chart-key")


def _anchor(x: float, first: float, last: float) -> str:
    """Labels at the ends of the axis grow inwards, so they neither leave the chart nor cover the ticks."""
    return "middle" if first == last or first < x < last else "start" if x == first else "end"


def _target_key(x: float, y: float) -> str:
    return _el(
        "line", x1=x, x2=x + 18, y1=y + 9, y2=y + 9, stroke=TARGET, stroke_width=2, stroke_dasharray="5 4"
    )


LABEL_STEP = 13.0  # a value label's height, with a little air


def _label_width(text: str) -> float:
    return len(text) * AXIS_FONT * 0.6 + 4


def _spread_ends(ends: list[tuple[float, float, str]], floor: float) -> list[float]:
    """The y of each series' end label, moved where it would sit on another's: several lines often end
    at the same point (100 % on time and 100 % satisfied), and their labels would print as one smudge.
    Labels are placed top first; one that overlaps a placed label moves below it, or above it where
    below would pass `floor` (the axis, whose labels it would cover)."""
    placed: list[tuple[float, float, float]] = []  # x, y, width

    def clash(x: float, y: float, width: float) -> float | None:
        for px, py, pw in placed:
            if abs(px - x) < (pw + width) / 2 + 4 and abs(py - y) < LABEL_STEP:
                return py
        return None

    ys = [0.0] * len(ends)
    for index in sorted(range(len(ends)), key=lambda k: ends[k][1]):
        x, wanted, text = ends[index]
        width, y = _label_width(text), wanted
        while (hit := clash(x, y, width)) is not None:
            y = hit + LABEL_STEP
        if y > floor:
            y = wanted
            while (hit := clash(x, y, width)) is not None:
                y = hit - LABEL_STEP
        placed.append((x, y, width))
        ys[index] = y
    return ys


def _line_series(
    i: int,
    name: str,
    points: Sequence[tuple[float, float, float | None]],
    fmt: Fmt,
    labelled: Sequence[tuple[float, float, float]],
) -> tuple[str, str]:
    color, _, _, dash = SERIES[i % len(SERIES)]
    runs: list[list[str]] = [[]]
    marks = []
    for x, y, value in points:
        if value is None:
            runs.append([])  # a gap: the line stops and starts again
            continue
        runs[-1].append(f"{x:.1f} {y:.1f}")
        tip = _el("title", _esc(f"{name}: {fmt(value)}"))
        marks.append(_el("g", tip + _marker(MARKERS[i % len(MARKERS)], x, y)))
    style: dict[str, Attr] = {
        "fill": "none",
        "stroke": "currentColor",
        "stroke_width": 2.5,
        "stroke_dasharray": dash or None,
    }
    lines = "".join(
        _el("path", class_="chart-line", d="M" + "L".join(run), **style) for run in runs if len(run) > 1
    )
    values = "".join(
        _value(fmt(v), x, y, text_anchor=_anchor(x, points[0][0], points[-1][0])) for x, y, v in labelled
    )
    css = f"chart-series chart-series-{i}"
    # The labels go in a group of their own, drawn after every line: a label moved off another's
    # spot may sit on a later series' line, and must stay on top of it.
    return _el("g", lines + "".join(marks), class_=css, color=color), _el(
        "g", values, class_=f"{css} chart-values", color=color
    )


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    fmt: Fmt,
    target: float | None = None,
    target_label: str = "",
    y_max: float | None = None,
    empty_text: str = "—",
) -> Markup:
    """A line per series over day/week/month labels; None leaves a gap in its line."""
    count = len(labels)
    data = [(name, ([_finite(v) for v in values] + [None] * count)[:count]) for name, values in series]
    known = [v for _, values in data for v in values if v is not None]
    if not known:
        return _empty("line", title, empty_text)
    goal, fixed = _finite(target), (_finite(y_max) or 0) > 0
    ticks = _ticks(_scale(y_max, [*known, goal]), fixed, all(v.is_integer() for v in known))
    high = _scale(y_max, [ticks[-1]])
    keys = _series_keys([name for name, _ in data], _line_key)
    if goal is not None:  # named in the legend: a label on the plot would collide with the points' labels
        keys.append((_target_text(target_label, goal, fmt), _target_key, "chart-legend-target", None))
    legend, top = _legend(keys)
    top += 14
    half_label = max(len(_short(at, 12)) for at in labels) * AXIS_FONT * 0.3 + 2  # end labels stay inside
    left = max(max(len(fmt(t)) for t in ticks) * AXIS_FONT * 0.6 + 10, half_label)
    right, plot_h = WIDTH - max(14, half_label), 180.0
    xs = (
        [(left + right) / 2]
        if count == 1
        else [left + i * (right - left) / (count - 1) for i in range(count)]
    )

    def y_of(value: float) -> float:
        return top + plot_h - max(0.0, min(value, high)) / high * plot_h

    axis_text: dict[str, Attr] = {
        "class_": "chart-axis-label",
        "text_anchor": "end",
        "font_size": AXIS_FONT,
        "fill": MUTED,
    }
    parts = [legend]
    for t in ticks:
        parts.append(_el("line", class_="chart-grid", x1=left, x2=right, y1=y_of(t), y2=y_of(t), stroke=GRID))
        parts.append(_value(fmt(t), left - 6, y_of(t), **axis_text))
    parts.append(
        _el("line", class_="chart-axis", x1=left, x2=right, y1=top + plot_h, y2=top + plot_h, stroke=MUTED)
    )
    parts.append(_x_labels(labels, xs, right - left, top + plot_h + 18))
    if goal is not None:
        line: dict[str, Attr] = {"x1": left, "x2": right, "y1": y_of(goal), "y2": y_of(goal)}
        parts.append(_target(line))
    label_all = len(data) == 1 and count <= 12
    plotted = [[(x, y_of(v or 0.0), v) for x, v in zip(xs, values, strict=True)] for _name, values in data]
    shown: list[list[tuple[float, float, float]]] = [
        [(x, y, v) for x, y, v in points if v is not None] for points in plotted
    ]
    # One series labels every point; several label their last known value, spread apart.
    if label_all:
        labelled = [[(x, y - 12, v) for x, y, v in k] for k in shown]
    else:
        lasts = [k[-1] for k in shown if k]
        spread = iter(_spread_ends([(x, y - 12, fmt(v)) for x, y, v in lasts], top + plot_h - LABEL_STEP / 2))
        labelled = [[(k[-1][0], next(spread), k[-1][2])] if k else [] for k in shown]
    labels_drawn = []
    for i, ((name, _values), points) in enumerate(zip(data, plotted, strict=True)):
        drawn, values_drawn = _line_series(i, name, points, fmt, labelled[i])
        parts.append(drawn)
        labels_drawn.append(values_drawn)
    parts.extend(labels_drawn)
    summary = "; ".join(
        f"{_clean(name)}: "
        + ", ".join(f"{_clean(at)} {_show(v, fmt, empty_text)}" for at, v in zip(labels, values, strict=True))
        for name, values in data
    )
    return _svg("line", title, top + plot_h + 30, "".join(parts), summary)

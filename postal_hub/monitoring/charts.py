"""Server-side SVG charts for the dashboards: no JavaScript, escaped labels, readable printed in B/W."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from urllib.parse import urlsplit

from markupsafe import Markup, escape

Fmt = Callable[[float], str]
Attr = str | float | None
LegendEntry = tuple[str, Callable[[float, float], str], str, str | None]  # name, key drawer, class, colour

WIDTH = 480  # viewBox units: 14-unit text renders ~9.5 px on a 390 px phone, ~17 px at the CSS cap (36rem)
FONT, AXIS_FONT = 14, 12
CHAR_W = 0.57 * FONT  # rough advance of one character, to lay labels out without a font engine
LABEL_CHARS = 28
ROW, BAR = 28, 18
LABEL_W, VALUE_W = 224, 72
SPAN = WIDTH - LABEL_W - VALUE_W
# The site palette (static/css/app.css :root), as attributes so a chart also renders without the CSS.
INK, MUTED, GRID, BRAND = "#1d2330", "#5b6475", "#d9dee7", "#0b5cad"
OK, MISS = "#117a3d", "#b42318"
TARGET = MISS
FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
HALO: dict[str, Attr] = {
    "stroke": "#fff",
    "stroke_width": 3,
    "stroke_linejoin": "round",
    "paint_order": "stroke",
}
# Per series: colour, text colour on it, pattern (6x6 tile) and line dash. The colour is for screens; the
# pattern, dash and marker shape tell the series apart on a black-and-white printout.
SERIES: tuple[tuple[str, str, str, str], ...] = (
    ("#117a3d", "#fff", "", ""),
    ("#f2b705", INK, "M-1 7L7 -1M5 7L7 5M-1 1L1 -1", "8 3"),
    ("#0b5cad", "#fff", "M1.5 1.5h.1M4.5 4.5h.1", "2 3"),
    ("#b42318", "#fff", "M0 0L6 6M6 0L0 6", "8 3 2 3"),
    ("#5b6475", "#fff", "M0 3H6", "12 4"),
    ("#8fb8e8", INK, "M3 0V6", "4 2"),
)
MARKERS = ("circle", "square", "triangle", "diamond")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _finite(value: float | None) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean(text: str) -> str:
    # NFC first, so truncating never separates a Vietnamese letter from its tone mark.
    return _NOT_XML.sub("", unicodedata.normalize("NFC", str(text)))


def _esc(text: str) -> str:
    return str(escape(_clean(text)))


def _short(text: str, limit: int) -> str:
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _el(tag: str, /, *children: str, **attrs: Attr) -> str:
    """One element; attribute values are escaped here, children are markup built by these helpers."""
    out = []
    for key, value in attrs.items():
        if value is not None:
            shown = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
            out.append(f' {key.rstrip("_").replace("_", "-")}="{escape(_clean(shown))}"')
    inner = "".join(children)
    return f"<{tag}{''.join(out)}>{inner}</{tag}>" if inner else f"<{tag}{''.join(out)}/>"


def _text(text: str, limit: int = 200, /, **attrs: Attr) -> str:
    """A text element, truncated if long, carrying the full text as its tooltip."""
    short = _short(text, limit)
    tip = _el("title", _esc(text)) if short != _clean(text) else ""
    return _el("text", tip + _esc(short), **attrs)


def _show(value: float | None, fmt: Fmt, empty_text: str) -> str:
    return empty_text if value is None else fmt(value)


def _scale(limit: float | None, values: Sequence[float | None]) -> float:
    top = _finite(limit)
    if top is None or top <= 0:
        top = max((v for v in values if v is not None), default=0.0)
    return top if top > 0 else 1.0


def _length(value: float | None, scale: float, span: float = SPAN) -> float:
    return max(0.0, min(value or 0.0, scale)) / scale * span


def _hrefs(links: Sequence[str | None] | None, count: int) -> list[str | None]:
    given = list(links or [])[:count] + [None] * count
    # Links are built by the caller; a javascript: or data: URL is still never a drill-down.
    return [
        link if link and urlsplit(link).scheme in ("", "http", "https") else None for link in given[:count]
    ]


def _uid(*parts: object) -> str:
    return "chart-" + hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()


def _svg(
    kind: str, title: str, height: float, body: str, summary: str = "", *, group: bool = False
) -> Markup:
    desc = _el("desc", _esc(summary)) if summary else ""
    svg = _el(
        "svg",
        _el("title", _esc(title)) + desc + body,
        xmlns="http://www.w3.org/2000/svg",
        class_=f"chart chart--{kind}",
        viewBox=f"0 0 {WIDTH} {math.ceil(height)}",
        width="100%",
        # With links inside, a group: an image hides its children (the links) from screen readers.
        role="group" if group else "img",
        aria_label=title,
        font_family=FONTS,
        font_size=FONT,
        fill=INK,
    )
    return Markup(svg)  # noqa: S704 - built by _el/_esc, which escape every label and attribute


def _empty(kind: str, title: str, empty_text: str) -> Markup:
    text = _text(empty_text, 80, class_="chart-empty", x=0, y=24, fill=MUTED)
    return _svg(f"{kind} chart--empty", title, 40, text)


def _row(body: str, href: str | None, name: str, y: float) -> str:
    if href is None:
        return _el("g", body, class_="chart-row")
    hit = _el("rect", class_="chart-hit", x=0, y=y - 5, width=WIDTH, height=ROW, fill="transparent")
    return _el("a", hit + body, class_="chart-link", href=href, aria_label=name)


def _value(text: str, x: float, y: float, **attrs: Attr) -> str:
    return _text(text, **{"class_": "chart-value", "x": x, "y": y, "dy": "0.35em", **HALO, **attrs})


def _axis(x: float, y1: float, y2: float) -> str:
    return _el("line", class_="chart-axis", x1=x, x2=x, y1=y1, y2=y2, stroke=MUTED)


def _row_label(name: str, y: float) -> str:
    return _text(
        name, LABEL_CHARS, class_="chart-label", x=LABEL_W - 8, y=y + BAR / 2, dy="0.35em", text_anchor="end"
    )


def _target(line: dict[str, Attr], text: str = "", **where: Attr) -> str:
    dashed = _el("line", stroke=TARGET, stroke_width=2, stroke_dasharray="5 4", **line)
    label = _text(text, class_="chart-target-label", fill=TARGET, **{**HALO, **where}) if text else ""
    return _el("g", dashed + label, class_="chart-target")


def _target_text(target_label: str, target: float, fmt: Fmt) -> str:
    return f"{_clean(target_label)} {fmt(target)}".strip()


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


def _patterns(uid: str, count: int) -> str:
    tiles = "".join(
        _el(
            "pattern",
            _el("path", d=path, stroke=ink, stroke_width=1.4, stroke_linecap="round", fill="none"),
            id=f"{uid}-p{i}",
            patternUnits="userSpaceOnUse",
            width=6,
            height=6,
        )
        for i, (_, ink, path, _) in ((i, SERIES[i % len(SERIES)]) for i in range(count))
        if path
    )
    return _el("defs", tiles)


def _swatch(uid: str, i: int, x: float, y: float, width: float, height: float) -> str:
    box: dict[str, Attr] = {"x": x, "y": y, "width": width, "height": height}
    fill = _el("rect", class_="chart-fill", fill="currentColor", stroke="#fff", stroke_width=0.5, **box)
    pattern = _el("rect", class_="chart-pattern", fill=f"url(#{uid}-p{i})", **box)
    return fill + (pattern if SERIES[i % len(SERIES)][2] else "")


def _series_keys(names: Sequence[str], key: Callable[[int, float, float], str]) -> list[LegendEntry]:
    return [
        (name, partial(key, i), f"chart-series-{i}", SERIES[i % len(SERIES)][0])
        for i, name in enumerate(names)
    ]


def _legend(entries: Sequence[LegendEntry]) -> tuple[str, float]:
    """Legend entries flowing onto as many lines as the width needs; returns the markup and its height."""
    parts, x, y = [], 0.0, 0.0
    for name, key, kind, color in entries:
        width = 24 + len(_short(name, 30)) * CHAR_W + 14
        if x and x + width > WIDTH:
            x, y = 0.0, y + 20
        entry = key(x, y) + _text(name, 30, x=x + 24, y=y + 9, dy="0.35em")
        parts.append(_el("g", entry, class_=f"chart-legend-item {kind}", color=color))
        x += width
    return _el("g", "".join(parts), class_="chart-legend"), y + 26


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


def _line_series(
    i: int, name: str, points: Sequence[tuple[float, float, float | None]], fmt: Fmt, label_all: bool
) -> str:
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
    known = [(x, y, v) for x, y, v in points if v is not None]
    values = "".join(
        _value(fmt(v), x, y - 12, text_anchor=_anchor(x, points[0][0], points[-1][0]))
        for x, y, v in (known if label_all else known[-1:])
    )
    return _el("g", lines + "".join(marks) + values, class_=f"chart-series chart-series-{i}", color=color)


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
    for i, (name, values) in enumerate(data):
        points = [(x, y_of(v or 0.0), v) for x, v in zip(xs, values, strict=True)]
        parts.append(_line_series(i, name, points, fmt, label_all))
    summary = "; ".join(
        f"{_clean(name)}: "
        + ", ".join(f"{_clean(at)} {_show(v, fmt, empty_text)}" for at, v in zip(labels, values, strict=True))
        for name, values in data
    )
    return _svg("line", title, top + plot_h + 30, "".join(parts), summary)


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

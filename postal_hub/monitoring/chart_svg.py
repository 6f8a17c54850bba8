"""SVG building blocks for the dashboards' charts: constants, escaping, elements, legends."""

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

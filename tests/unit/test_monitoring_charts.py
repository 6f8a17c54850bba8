"""The dashboards' SVG charts: escaped, linkable, printable, and robust to odd numbers."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from postal_hub.monitoring.charts import bar_chart, line_chart, progress_against_target, stacked_bar_chart

NS = "{http://www.w3.org/2000/svg}"
SERIES = ["Đúng hạn", "Trễ", "Đang mở", "Quá hạn"]


def vn(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output, parsed to check it is well-formed


def classed(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter(NS + tag) if css_class in (el.get("class") or "").split()]


def shown_text(element: ET.Element) -> str:
    """The text a reader sees: the element's own text, without its tooltip."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


SAMPLES: dict[str, Callable[[], Markup]] = {
    "bar": lambda: bar_chart(
        "Hồ sơ", [("Hà Nội", 12), ("A & B <c>", 3)], fmt=vn, target=10, links=["/a", None]
    ),
    "stacked": lambda: stacked_bar_chart(
        "Nhiệm vụ", [("Thu gom", [4, 1, 2, 0])], SERIES, fmt=vn, links=["/x"]
    ),
    "line": lambda: line_chart(
        "Theo ngày", ["01/11", "02/11", "03/11"], [("Hồ sơ", [1, None, 3])], fmt=vn, target=2
    ),
    "progress": lambda: progress_against_target("Hài lòng", 93.1, 95, fmt=vn, target_label="Chỉ tiêu"),
}
EMPTY: dict[str, Callable[[], Markup]] = {
    "bar": lambda: bar_chart("Hồ sơ", [], fmt=vn, empty_text="Chưa có dữ liệu"),
    "stacked": lambda: stacked_bar_chart("Nhiệm vụ", [], SERIES, fmt=vn, empty_text="Chưa có dữ liệu"),
    "line": lambda: line_chart("Theo ngày", [], [], fmt=vn, empty_text="Chưa có dữ liệu"),
    "progress": lambda: progress_against_target("Hài lòng", None, 95, fmt=vn, empty_text="Chưa có dữ liệu"),
}


@pytest.mark.parametrize("kind", SAMPLES)
def test_every_chart_parses_as_xml(kind: str) -> None:
    assert parse(SAMPLES[kind]()).tag == NS + "svg"


@pytest.mark.parametrize("kind", SAMPLES)
def test_every_chart_is_an_image_named_by_its_title_that_scales_to_the_page(kind: str) -> None:
    root = parse(SAMPLES[kind]())
    title = root.find(NS + "title")
    assert (root.get("width"), root.get("viewBox", "").startswith("0 0 ")) == ("100%", True)
    assert root.get("aria-label") == (title.text if title is not None else None)
    assert root.get("role") in ("img", "group")


def test_bar_chart_escapes_labels() -> None:
    markup = str(bar_chart("Hồ sơ", [("<script>alert(1)</script>", 1)], fmt=vn))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_chart_titles_are_escaped_in_the_title_and_the_aria_label() -> None:
    markup = str(line_chart('Tiêu đề "x" <b>', ["T1"], [("<i>", [1])], fmt=vn))
    assert "<b>" not in markup and "<i>" not in markup
    assert parse(markup).get("aria-label") == 'Tiêu đề "x" <b>'


def test_stacked_bar_chart_escapes_series_names() -> None:
    markup = str(stacked_bar_chart("Nhiệm vụ", [("Thu gom", [1, 2])], ["<script>", "Trễ"], fmt=vn))
    assert "<script>" not in markup


def test_vietnamese_labels_are_kept_as_written() -> None:
    root = parse(bar_chart("Hồ sơ", [("Bưu điện Đà Nẵng", 1)], fmt=vn))
    assert [shown_text(t) for t in classed(root, "text", "chart-label")] == ["Bưu điện Đà Nẵng"]


def test_bar_chart_wraps_each_linked_bar_in_a_link() -> None:
    root = parse(bar_chart("Hồ sơ", [("Huế", 1), ("Vinh", 2)], fmt=vn, links=["/ho-so?office=1", None]))
    links = list(root.iter(NS + "a"))
    assert [a.get("href") for a in links] == ["/ho-so?office=1"]
    assert classed(links[0], "rect", "chart-bar")


def test_a_chart_with_links_is_a_group_so_screen_readers_reach_the_links() -> None:
    assert parse(bar_chart("Hồ sơ", [("Huế", 1)], fmt=vn, links=["/a"])).get("role") == "group"


def test_bar_chart_never_links_to_a_javascript_url() -> None:
    root = parse(bar_chart("Hồ sơ", [("Huế", 1)], fmt=vn, links=["javascript:alert(1)"]))
    assert list(root.iter(NS + "a")) == []


def test_stacked_bar_chart_wraps_linked_rows_in_links() -> None:
    root = parse(
        stacked_bar_chart(
            "Nhiệm vụ", [("Thu gom", [1, 2]), ("Phát", [3, 1])], SERIES[:2], fmt=vn, links=[None, "/p"]
        )
    )
    assert [a.get("href") for a in root.iter(NS + "a")] == ["/p"]


def test_bar_chart_draws_the_target_line_with_its_label_when_given() -> None:
    root = parse(bar_chart("Hồ sơ", [("Huế", 1)], fmt=vn, target=1500, target_label="Chỉ tiêu"))
    (target,) = classed(root, "g", "chart-target")
    assert target.find(NS + "line") is not None
    assert [shown_text(t) for t in target.iter(NS + "text")] == ["Chỉ tiêu 1.500"]


def test_bar_chart_draws_no_target_line_without_a_target() -> None:
    assert classed(parse(bar_chart("Hồ sơ", [("Huế", 1)], fmt=vn)), "g", "chart-target") == []


def test_line_chart_draws_a_horizontal_target_line_named_in_the_legend() -> None:
    root = parse(
        line_chart("Theo ngày", ["T1", "T2"], [("Hồ sơ", [1, 2])], fmt=vn, target=2, target_label="Chỉ tiêu")
    )
    (line,) = [el for g in classed(root, "g", "chart-target") for el in g.iter(NS + "line")]
    assert line.get("y1") == line.get("y2")
    assert "Chỉ tiêu 2" in [shown_text(t) for t in root.iter(NS + "text")]


def test_line_chart_draws_no_target_line_without_a_target() -> None:
    root = parse(line_chart("Theo ngày", ["T1", "T2"], [("Hồ sơ", [1, 2])], fmt=vn))
    assert classed(root, "g", "chart-target") == []


@pytest.mark.parametrize("kind", EMPTY)
def test_empty_input_renders_the_empty_text(kind: str) -> None:
    root = parse(EMPTY[kind]())
    assert [shown_text(t) for t in root.iter(NS + "text")] == ["Chưa có dữ liệu"]


def test_line_chart_with_only_missing_values_renders_the_empty_text() -> None:
    root = parse(line_chart("Theo ngày", ["T1", "T2"], [("Hồ sơ", [None, None])], fmt=vn))
    assert [shown_text(t) for t in root.iter(NS + "text")] == ["—"]


def test_line_chart_with_one_point_marks_that_point() -> None:
    root = parse(line_chart("Theo tuần", ["Tuần 47"], [("Hồ sơ", [5])], fmt=vn))
    assert len(classed(root, "circle", "chart-point")) == 1
    assert "5" in [shown_text(t) for t in classed(root, "text", "chart-value")]


def test_line_chart_breaks_the_line_where_a_value_is_missing() -> None:
    root = parse(line_chart("Theo ngày", list("ABCDE"), [("Hồ sơ", [1, 2, None, 4, 5])], fmt=vn))
    assert len(classed(root, "path", "chart-line")) == 2
    assert len(classed(root, "circle", "chart-point")) == 4


def test_line_chart_thins_out_many_axis_labels_but_keeps_the_latest() -> None:
    days = [f"{d:02d}/11" for d in range(1, 31)]
    root = parse(line_chart("Theo ngày", days, [("Hồ sơ", list(range(30)))], fmt=vn))
    shown = [shown_text(t) for t in classed(root, "text", "chart-axis-label") if shown_text(t) in days]
    assert 2 <= len(shown) <= 12
    assert shown[-1] == "30/11"


def test_long_labels_are_truncated_but_kept_whole_in_a_tooltip() -> None:
    name = "Bưu điện Trung tâm Sài Gòn — Quận 1, Thành phố Hồ Chí Minh"
    (label,) = classed(parse(bar_chart("Hồ sơ", [(name, 1)], fmt=vn)), "text", "chart-label")
    assert shown_text(label).endswith("…") and len(shown_text(label)) <= 28
    assert label.findtext(NS + "title") == name


@pytest.mark.parametrize(
    ("value", "target", "higher_is_better", "state"),
    [
        (96.0, 95.0, True, "chart-ok"),
        (95.0, 95.0, True, "chart-ok"),
        (93.1, 95.0, True, "chart-miss"),
        (12.0, 15.0, False, "chart-ok"),
        (18.0, 15.0, False, "chart-miss"),
    ],
)
def test_progress_is_ok_or_miss_depending_on_which_way_is_better(
    value: float, target: float, higher_is_better: bool, state: str
) -> None:
    root = parse(progress_against_target("Chỉ số", value, target, fmt=vn, higher_is_better=higher_is_better))
    assert state in (root.get("class") or "").split()


def test_progress_writes_out_both_the_value_and_the_target() -> None:
    pct: Callable[[float], str] = lambda v: f"{v:.1f} %".replace(".", ",")  # noqa: E731
    root = parse(progress_against_target("Hài lòng", 93.1, 95, fmt=pct, target_label="Chỉ tiêu"))
    assert {"93,1 %", "Chỉ tiêu 95,0 %"} <= {shown_text(t) for t in root.iter(NS + "text")}


@pytest.mark.parametrize("kind", SAMPLES)
def test_the_number_formatter_writes_every_value_label(kind: str) -> None:
    calls: list[float] = []

    def fmt(value: float) -> str:
        calls.append(value)
        return f"«{vn(value)}»"

    charts = {
        "bar": lambda: bar_chart("Hồ sơ", [("Huế", 1234), ("Vinh", -5)], fmt=fmt, target=1000),
        "stacked": lambda: stacked_bar_chart("Nhiệm vụ", [("Thu gom", [400, 100])], SERIES[:2], fmt=fmt),
        "line": lambda: line_chart("Theo ngày", ["T1", "T2"], [("Hồ sơ", [1200, 1300])], fmt=fmt),
        "progress": lambda: progress_against_target("Hài lòng", 93, 95, fmt=fmt),
    }
    root = parse(charts[kind]())
    values = [shown_text(t) for t in root.iter(NS + "text") if "chart-value" in (t.get("class") or "")]
    assert values
    assert all(text.startswith("«") and text.endswith("»") for text in values)


def test_negative_values_draw_no_bar_but_show_their_real_value() -> None:
    root = parse(bar_chart("Hồ sơ", [("Huế", -5)], fmt=vn))
    (bar,) = classed(root, "rect", "chart-bar")
    assert float(bar.get("width", "")) == 0
    assert [shown_text(t) for t in classed(root, "text", "chart-value")] == ["-5"]


def test_all_zero_values_render_empty_bars_without_failing() -> None:
    root = parse(stacked_bar_chart("Nhiệm vụ", [("Thu gom", [0, 0])], SERIES[:2], fmt=vn))
    assert [shown_text(t) for t in classed(root, "text", "chart-total")] == ["0"]


@pytest.mark.parametrize("odd", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_show_the_empty_text_instead_of_a_number(odd: float) -> None:
    root = parse(bar_chart("Hồ sơ", [("Huế", odd), ("Vinh", 3)], fmt=vn, target=odd, max_value=odd))
    assert [shown_text(t) for t in classed(root, "text", "chart-value")] == ["—", "3"]


def test_line_chart_survives_nan_values_and_a_zero_maximum() -> None:
    root = parse(line_chart("Theo ngày", ["T1", "T2"], [("Hồ sơ", [math.nan, 0])], fmt=vn, y_max=0))
    assert len(classed(root, "circle", "chart-point")) == 1


def test_bar_chart_grows_taller_with_more_items() -> None:
    def height(count: int) -> float:
        box = parse(bar_chart("Hồ sơ", [(f"Bưu cục {i}", i) for i in range(count)], fmt=vn)).get(
            "viewBox", ""
        )
        return float(box.split()[3])

    assert height(60) > height(6) * 5


def test_stacked_series_have_their_own_class_and_a_pattern_for_black_and_white_print() -> None:
    root = parse(stacked_bar_chart("Nhiệm vụ", [("Thu gom", [4, 1, 2, 1])], SERIES, fmt=vn))
    legend = classed(root, "g", "chart-legend-item")
    assert [(g.get("class") or "").split()[-1] for g in legend] == [f"chart-series-{i}" for i in range(4)]
    patterns = {p.get("fill") for p in classed(root, "rect", "chart-pattern")}
    assert len(patterns) == 3  # the first series is solid, the others each hatched their own way


def test_two_different_charts_on_one_page_do_not_share_pattern_ids() -> None:
    first = parse(stacked_bar_chart("A", [("x", [1, 2])], SERIES[:2], fmt=vn))
    second = parse(stacked_bar_chart("B", [("x", [1, 2])], SERIES[:2], fmt=vn))
    ids = [{p.get("id") for p in root.iter(NS + "pattern")} for root in (first, second)]
    assert ids[0].isdisjoint(ids[1])


def _end_labels(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(t.get("x") or 0), float(t.get("y") or 0)) for t in classed(root, "text", "chart-value")]


def test_line_chart_end_labels_of_lines_ending_at_the_same_point_do_not_overlap() -> None:
    root = parse(line_chart("Tỷ lệ", ["T1", "T2"], [("A", [50, 100]), ("B", [80, 100])], fmt=vn, y_max=100))
    (x1, y1), (x2, y2) = _end_labels(root)
    assert x1 == x2
    assert abs(y1 - y2) >= 13


def _tick_y(root: ET.Element, text: str) -> float:
    (tick,) = [t for t in classed(root, "text", "chart-axis-label") if shown_text(t) == text]
    return float(tick.get("y") or 0)


def test_line_chart_end_labels_far_apart_stay_just_above_their_points() -> None:
    root = parse(line_chart("Tỷ lệ", ["T1", "T2"], [("A", [50, 100]), ("B", [80, 50])], fmt=vn, y_max=100))
    (_x1, y1), (_x2, y2) = _end_labels(root)
    assert (y1, y2) == (_tick_y(root, "100") - 12, _tick_y(root, "50") - 12)


def test_line_chart_end_labels_crowded_at_the_bottom_move_up_not_onto_the_axis() -> None:
    lines = [("A", [50, 0]), ("B", [80, 0]), ("C", [20, 0])]
    root = parse(line_chart("Tỷ lệ", ["T1", "T2"], lines, fmt=vn, y_max=100))
    ys = sorted(y for _x, y in _end_labels(root))
    assert max(ys) <= _tick_y(root, "0")
    assert all(b - a >= 13 for a, b in itertools.pairwise(ys))


def test_line_chart_with_one_series_labels_every_point() -> None:
    root = parse(line_chart("Hồ sơ", ["T1", "T2", "T3"], [("Hồ sơ", [1, 2, 3])], fmt=vn))
    assert [shown_text(t) for t in classed(root, "text", "chart-value")] == ["1", "2", "3"]

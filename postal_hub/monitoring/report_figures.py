"""The quarterly report's lines: each indicator this quarter and the last, and the target it answers to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from postal_hub.monitoring import targets
from postal_hub.monitoring.query import TaskTotals, Totals

COUNT, PERCENT, MINUTES, PER_YEAR = "count", "percent", "minutes", "per_year"
TaskRows = dict[tuple[Any, ...], TaskTotals]  # (contract id, task type) -> totals


@dataclass(frozen=True)
class Compared:
    """One indicator this quarter and the previous; `at_most` when the target is a ceiling."""

    key: str
    label: Any
    this: float | None
    previous: float | None
    kind: str = COUNT
    target: float | None = None
    at_most: bool = False
    note: Any = ""

    @property
    def change(self) -> float | None:
        if self.this is None or self.previous is None:
            return None
        return self.this - self.previous

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.this is None:
            return None
        return self.this <= self.target if self.at_most else self.this >= self.target


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    figures: list[Compared]


@dataclass(frozen=True)
class TaskLine:
    """SLA compliance of one task type or one contract, this quarter and the previous."""

    key: str
    label: Any
    this: TaskTotals
    previous: TaskTotals

    @property
    def change(self) -> float | None:
        now, before = self.this.compliance, self.previous.compliance
        return None if now is None or before is None else now - before


@dataclass(frozen=True)
class Indicator:
    """A dossier indicator: a summed measure (COUNT), a share of two (PERCENT) or a mean (MINUTES)."""

    key: str
    label: Any
    kind: str = COUNT
    part: str = ""  # the numerator, or the summed seconds; the key itself for a count
    whole: str = ""
    target: float | None = None
    at_most: bool = False
    note: Any = ""

    def value(self, totals: Totals) -> float | None:
        if self.kind == PERCENT:
            return totals.rate(self.part, self.whole)
        if self.kind == MINUTES:
            mean = totals.mean(self.part, self.whole)
            return None if mean is None else mean / 60
        return totals[self.part or self.key]

    def compared(self, this: Totals, before: Totals) -> Compared:
        return Compared(
            self.key,
            self.label,
            self.value(this),
            self.value(before),
            self.kind,
            self.target,
            self.at_most,
            self.note,
        )


def _pct(
    key: str, label: Any, part: str, whole: str, target: float | None = None, note: Any = ""
) -> Indicator:
    return Indicator(key, label, PERCENT, part, whole, target, note=note)


# The dossier sections of the summary, in the order the seeds list the targets (DOMAIN.md "Targets").
DOSSIER_SECTIONS: tuple[tuple[str, Any, tuple[Indicator, ...]], ...] = (
    (
        "results",
        _l("Dossiers and results"),
        (
            Indicator("dossiers", _l("Dossiers taken in")),
            Indicator("closed", _l("Results delivered or returned")),
            Indicator("on_time", _l("Delivered by the appointment")),
            Indicator("late", _l("Delivered after the appointment")),
            Indicator("open", _l("Still open")),
            Indicator("overdue", _l("Open past the appointment")),
            _pct("on_time_rate", _l("On-time rate"), "on_time", "closed", targets.ON_TIME),
        ),
    ),
    (
        "unit_clock",
        _l("The unit's statutory clock"),
        (
            Indicator("unit_done", _l("Results ready (processing finished)")),
            Indicator("unit_overdue", _l("Processing past the statutory time")),
            _pct(
                "unit_on_time_rate",
                _l("Results ready within the statutory time"),
                "unit_on_time",
                "unit_done",
                targets.ON_TIME,
            ),
        ),
    ),
    (
        "counter",
        _l("Waiting and handling at the counter"),
        (
            Indicator(
                "wait_minutes",
                _l("Average wait (minutes)"),
                MINUTES,
                "wait_seconds",
                "wait_timed",
                targets.WAIT_MINUTES,
                at_most=True,
                note=_l("%(n)d minutes in 2022", n=targets.WAIT_MINUTES_2022),
            ),
            _pct(
                "wait_ok", _l("Waited at most %(n)d minutes", n=targets.WAIT_MINUTES), "wait_ok", "wait_timed"
            ),
            _pct(
                "wait_ok_30",
                _l("Waited at most %(n)d minutes", n=targets.WAIT_MINUTES_2022),
                "wait_ok_30",
                "wait_timed",
            ),
            Indicator(
                "handle_minutes",
                _l("Average handling (minutes)"),
                MINUTES,
                "handle_seconds",
                "handle_timed",
                targets.HANDLE_MINUTES,
                at_most=True,
            ),
            _pct(
                "handle_ok",
                _l("Handled within %(n)d minutes", n=targets.HANDLE_MINUTES),
                "handle_ok",
                "handle_timed",
            ),
        ),
    ),
    (
        "digital",
        _l("Digitization and reuse"),
        (
            _pct(
                "digitization_rate", _l("Dossiers digitized"), "digitized", "dossiers", targets.DIGITIZATION
            ),
            _pct(
                "reuse_rate",
                _l("Citizens not asked again for documents"),
                "reused",
                "dossiers",
                targets.REUSE,
                _l("%(n)d %% in 2022", n=targets.REUSE_2022),
            ),
        ),
    ),
    (
        "satisfaction",
        _l("Satisfaction"),
        (
            _pct(
                "postal_satisfaction",
                _l("Satisfied with the post"),
                "postal_satisfied",
                "postal_rated",
                targets.SATISFACTION,
            ),
            Indicator("postal_rated", _l("Ratings of the post")),
            _pct(
                "unit_satisfaction",
                _l("Satisfied with the unit"),
                "unit_satisfied",
                "unit_rated",
                targets.SATISFACTION,
            ),
            Indicator("unit_rated", _l("Ratings of the unit")),
        ),
    ),
)


def summary(
    this: Totals,
    before: Totals,
    officers: int,
    productivity: tuple[float | None, float | None],
    this_tasks: TaskRows,
    before_tasks: TaskRows,
) -> list[Section]:
    sections = [
        Section(key, title, [i.compared(this, before) for i in indicators])
        for key, title, indicators in DOSSIER_SECTIONS
    ]
    variants = targets.PRODUCTIVITY_VARIANTS
    note = _l(
        "one province's plan: %(province)s provincial, %(rural)s rural, %(remote)s remote",
        province=format_decimal(variants["province"], "#,##0"),
        rural=format_decimal(variants["rural"], "#,##0"),
        remote=format_decimal(variants["remote"], "#,##0"),
    )
    per_year = _l("Dossiers per officer per year")
    sections.append(
        Section(
            "productivity",
            _l("Productivity"),
            [
                Compared("officers", _l("One-stop officers (today)"), officers, officers),
                Compared("productivity", per_year, *productivity, PER_YEAR, targets.PRODUCTIVITY, note=note),
            ],
        )
    )
    now, then = fold(this_tasks.values()), fold(before_tasks.values())
    sections.append(
        Section(
            "tasks",
            _l("Contracted tasks"),
            [
                Compared("tasks", _l("Tasks created"), now["tasks"], then["tasks"]),
                Compared("tasks_late", _l("Tasks done late"), now["tasks_late"], then["tasks_late"]),
                Compared(
                    "tasks_overdue",
                    _l("Tasks open past their time"),
                    now["tasks_overdue"],
                    then["tasks_overdue"],
                ),
                Compared(
                    "task_compliance",
                    _l("Tasks done within their SLA"),
                    now.compliance,
                    then.compliance,
                    PERCENT,
                    targets.ON_TIME,
                ),
            ],
        )
    )
    return sections


def fold(rows: Iterable[TaskTotals]) -> TaskTotals:
    total = TaskTotals()
    for row in rows:
        total.add(row)
    return total

"""How the report's numbers read, in the reader's language: for the printable page and the CLI's text."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from postal_hub.core.clock import to_local
from postal_hub.monitoring.report import Compared, QuarterReport
from postal_hub.monitoring.report_figures import MINUTES, PERCENT

NBSP = "\u00a0"
DASH = "—"
# The figures the command prints after writing the file.
HEADLINE = (
    "dossiers",
    "on_time_rate",
    "unit_on_time_rate",
    "task_compliance",
    "digitization_rate",
    "reuse_rate",
    "postal_satisfaction",
    "unit_satisfaction",
    "productivity",
)


def _number(value: float, kind: str) -> str:
    return str(format_decimal(value, "#,##0.0" if kind in (PERCENT, MINUTES) else "#,##0"))


def value(number: float | None, kind: str, whole: bool = False) -> str:
    """`whole`: without decimals (the targets are round numbers)."""
    if number is None:
        return DASH
    text = str(format_decimal(number, "#,##0")) if whole else _number(number, kind)
    if kind == PERCENT:
        return f"{text}{NBSP}%"
    if kind == MINUTES:
        return _("%(value)s min", value=text)
    return text


def change(number: float | None, kind: str) -> str:
    """+2.5 pp, −3, +1.2 min; a percentage changes by percentage points."""
    if number is None:
        return DASH
    rounded = round(number, 1 if kind in (PERCENT, MINUTES) else 0)
    if rounded == 0:
        return "0"
    text = ("+" if rounded > 0 else "−") + _number(abs(rounded), kind)
    if kind == PERCENT:
        return _("%(value)s pp", value=text)
    if kind == MINUTES:
        return _("%(value)s min", value=text)
    return text


def target(figure: Compared) -> str:
    if figure.target is None:
        return ""
    return f"{'≤' if figure.at_most else '≥'} {value(figure.target, figure.kind, whole=True)}"


def verdict(figure: Compared) -> str:
    met = figure.meets_target
    if met is None:
        return ""
    return _("Met") if met else _("Not met")


def title(report: QuarterReport) -> str:
    return _(
        "Quarterly report %(quarter)s: %(unit)s (%(code)s)",
        quarter=report.quarter.code,
        unit=report.unit.name,
        code=report.unit.code,
    )


def period(report: QuarterReport) -> str:
    text = _(
        "%(start)s to %(end)s, compared with %(previous)s (%(previous_start)s to %(previous_end)s)",
        start=f"{report.quarter.start:%d/%m/%Y}",
        end=f"{report.through:%d/%m/%Y}",
        previous=report.previous_quarter.code,
        previous_start=f"{report.previous_quarter.start:%d/%m/%Y}",
        previous_end=f"{report.previous_quarter.end:%d/%m/%Y}",
    )
    if report.in_progress:
        text += " · " + _("the quarter is not over: figures to date")
    return text


def data_as_of(report: QuarterReport) -> str:
    if report.data_as_of is None:
        return _("never refreshed")
    return f"{to_local(report.data_as_of):%d/%m/%Y %H:%M}"


def headline_lines(report: QuarterReport) -> list[str]:
    lines = []
    for key in HEADLINE:
        figure = report.figure(key)
        line = f"  {figure.label}: {value(figure.this, figure.kind)}"
        line += f" ({report.previous_quarter.code}: {value(figure.previous, figure.kind)}"
        if figure.target is not None:
            line += "; " + _("target %(target)s", target=target(figure))
        lines.append(line + ")")
    return lines


def as_text(report: QuarterReport) -> str:
    """The whole report as plain text (the command's --format txt)."""
    lines = [title(report)]
    if report.contract is not None:
        lines.append(
            _("Contract: %(number)s", number=report.contract.number) + f" · {report.contract.operator_name}"
        )
    lines += [
        period(report),
        _("Generated at: %(at)s", at=f"{to_local(report.generated_at):%d/%m/%Y %H:%M}"),
        _("Data as of: %(at)s", at=data_as_of(report)),
    ]
    columns = (report.quarter.code, report.previous_quarter.code, _("Change"), _("Target"))

    def table(heading: str, figures: list[Compared], with_target: bool = True) -> None:
        lines.extend(["", heading, "  " + " | ".join(columns if with_target else columns[:3])])
        for f in figures:
            cells = [value(f.this, f.kind), value(f.previous, f.kind), change(f.change, f.kind)]
            if with_target and f.target is not None:
                cells.append(target(f) + (f" ({verdict(f)})" if verdict(f) else ""))
            lines.append(f"  {f.label}: " + " | ".join(cells))

    for section in report.summary:
        table(str(section.title), section.figures)
    table(_("Dossiers by channel"), report.channels, with_target=False)
    table(_("Dossiers by procedure group"), report.groups, with_target=False)
    table(_("Late results by leg"), report.legs, with_target=False)
    for heading, task_lines in (
        (_("Task SLA by type"), report.task_types),
        (_("Task SLA by contract"), report.contracts),
    ):
        lines.extend(["", heading])
        for line in task_lines:
            lines.append(
                f"  {line.label}: "
                + _(
                    "tasks: %(tasks)d, done on time: %(on_time)d, done late: %(late)d, overdue: %(overdue)d",
                    tasks=line.this["tasks"],
                    on_time=line.this["tasks_on_time"],
                    late=line.this["tasks_late"],
                    overdue=line.this["tasks_overdue"],
                )
                + "; "
                + _("compliance %(value)s", value=value(line.this.compliance, PERCENT))
                + f" ({report.previous_quarter.code}: {value(line.previous.compliance, PERCENT)})"
            )
    return "\n".join(lines) + "\n"

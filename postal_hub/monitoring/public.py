"""The transparency page's reads: per-province aggregates for anyone, with small numbers held back.

Only volumes and rates leave this module. A rate resting on fewer than MIN_BASE dossiers or ratings is
withheld, so that no figure can point to one citizen; the bases of the on-time and satisfaction rates
(how many closed, how many rated) are never returned, so a withheld one cannot be worked back from the
country's rate. Everything is summed from the daily summary table, never from dossiers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.places.models import Province
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.monitoring.query import Filters, Scope, Totals, summed
from postal_hub.monitoring.refresh import last_refreshed
from postal_hub.monitoring.summing import next_month

MIN_BASE = 5
DEFAULT_PERIOD = "last_12_months"
PERIODS = ("last_12_months", "this_quarter", "last_quarter", "this_year")


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive; today for the periods that run to date

    @property
    def months(self) -> list[date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = next_month(month)
        return months


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def period_for(key: str | None, today: date) -> Period:
    """The named period around today; anything unknown is the default: the last 12 full months and the
    current month to date."""
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if key == "this_quarter":
        return Period(key, quarter, today)
    if key == "last_quarter":
        return Period(key, _months_back(quarter, 3), quarter - timedelta(days=1))
    if key == "this_year":
        return Period(key, date(today.year, 1, 1), today)
    return Period(DEFAULT_PERIOD, _months_back(today.replace(day=1), 12), today)


@dataclass(frozen=True)
class Rate:
    """A percentage, or None: nothing to count (`suppressed` False) or too few to show (True)."""

    value: float | None
    suppressed: bool = False


def rate(part: int, whole: int) -> Rate:
    if whole <= 0:
        return Rate(None)
    if whole < MIN_BASE:
        return Rate(None, suppressed=True)
    return Rate(100.0 * part / whole)


@dataclass(frozen=True)
class Figures:
    dossiers: int
    on_time: Rate  # of the dossiers closed (result delivered or returned), those within the appointment
    postal_satisfaction: Rate
    unit_satisfaction: Rate
    digitization: Rate

    @classmethod
    def of(cls, totals: Totals) -> Figures:
        return cls(
            dossiers=totals["dossiers"],
            on_time=rate(totals["on_time"], totals["closed"]),
            postal_satisfaction=rate(totals["postal_satisfied"], totals["postal_rated"]),
            unit_satisfaction=rate(totals["unit_satisfied"], totals["unit_rated"]),
            digitization=rate(totals["digitized"], totals["dossiers"]),
        )

    @property
    def rates(self) -> tuple[Rate, ...]:
        return (self.on_time, self.postal_satisfaction, self.unit_satisfaction, self.digitization)


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class Overview:
    period: Period
    provinces: list[ProvinceRow]  # every province, by name
    national: Figures
    as_of: datetime | None


@dataclass(frozen=True)
class Breakdown:
    label: str
    figures: Figures


@dataclass(frozen=True)
class ProvinceDetail:
    code: str
    name: str
    period: Period
    figures: Figures
    months: list[tuple[date, Figures]]  # every month of the period, oldest first
    groups: list[Breakdown]  # per procedure group, by name; "" for dossiers of no group
    as_of: datetime | None


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_DIVISIONS = ("tỉnh ", "thành phố ")


def name_key(name: str) -> tuple[tuple[int, ...], str]:
    """Vietnamese alphabetical order (a ă â b c d đ ...; a word before a longer one; tones only break
    ties), ignoring a leading "Tỉnh"/"Thành phố" so that Hà Nội is among the H's, where one looks."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    for prefix in _DIVISIONS:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    bare = unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if c not in _TONES)
    )
    letters = tuple(-1 if c == " " else _ALPHABET.find(c) if c in _ALPHABET else 100 + ord(c) for c in bare)
    return letters, text


def _provinces(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(sa.select(Province.code, Province.name)).all()
    return sorted(((code, name) for code, name in rows), key=lambda row: name_key(row[1]))


def overview(session: Session, period: Period) -> Overview:
    """Every province's figures for the period, and the country's (which also counts any dossier taken
    in under a province code no longer in the list)."""
    filters = Filters(period.start, period.end)
    national = Totals()
    by_code: dict[str, Totals] = {}
    for (code,), totals in summed(session, Scope(), filters, group_by=("province_code",)):
        by_code[str(code)] = totals
        national.add(totals)
    rows = [
        ProvinceRow(code, name, Figures.of(by_code.get(code, Totals()))) for code, name in _provinces(session)
    ]
    return Overview(period, rows, Figures.of(national), last_refreshed(session))


def province_name(session: Session, code: str) -> str | None:
    return session.scalar(sa.select(Province.name).where(Province.code == code))


def province_detail(session: Session, code: str, period: Period) -> ProvinceDetail | None:
    """One province: its figures for the period, month by month, and per procedure group."""
    name = province_name(session, code)
    if name is None:
        return None
    filters = Filters(period.start, period.end, province_code=code)
    whole = Totals()
    per_month: dict[date, Totals] = {}
    for (month,), totals in summed(session, Scope(), filters, time_grain="month"):
        per_month[month] = totals
        whole.add(totals)
    months = [(m, Figures.of(per_month.get(m, Totals()))) for m in period.months]
    per_group = summed(session, Scope(), filters, group_by=("group_id",))
    ids = [int(group_id) for (group_id,), _ in per_group if group_id]
    stmt = sa.select(ProcedureGroup.id, ProcedureGroup.name).where(ProcedureGroup.id.in_(ids))
    names: dict[int, str] = {group_id: name for group_id, name in session.execute(stmt)}
    merged: dict[str, Totals] = {}
    for (group_id,), totals in per_group:  # a group since deleted joins the dossiers of no group
        merged.setdefault(names.get(int(group_id), "") if group_id else "", Totals()).add(totals)
    groups = [
        Breakdown(label, Figures.of(totals))
        for label, totals in sorted(merged.items(), key=lambda item: (item[0] == "", name_key(item[0])))
    ]
    return ProvinceDetail(code, name, period, Figures.of(whole), months, groups, last_refreshed(session))

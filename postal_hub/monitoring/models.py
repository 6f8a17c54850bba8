"""One fact row per dossier and the summary tables rolled up from them, all sharing one set of measures.

Every measure is a count or a sum, stored per dossier on the fact row (a fact is the finest summary):
any summary is then SUM(column) over the rows that match a filter, whichever table answers. Dimension
ids are plain integers without foreign keys: these tables are rebuilt from the dossiers, never the
source of truth, and `group_id` 0 means "no procedure group".
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from postal_hub.db import Base, UTCDateTime

MEASURES: tuple[str, ...] = (
    "dossiers",
    "digitized",
    "reused",  # dossiers where at least one document was reused, not asked for again
    "components",
    "components_reused",
    "wait_timed",
    "wait_seconds",
    "wait_ok",  # waited at most 15 minutes (the 2025 target)
    "wait_ok_30",  # at most 30 minutes (the 2022 target)
    "handle_timed",
    "handle_seconds",
    "handle_ok",  # accepted within 30 minutes of being served
    "closed",
    "on_time",
    "late",
    "open",
    "overdue",
    # A late (or overdue) result, attributed to each leg whose own clock ran out.
    "late_pickup",
    "late_carriage",
    "late_unit",
    "late_delivery",
    "late_unattributed",
    # The unit's statutory clock, from receipt to result ready.
    "unit_done",
    "unit_on_time",
    "unit_overdue",
    "postal_rated",
    "postal_satisfied",
    "unit_rated",
    "unit_satisfied",
)

# What a dashboard's series charts (volume, on time, both satisfactions): a series sums only these.
SERIES_MEASURES: tuple[str, ...] = (
    "dossiers",
    "closed",
    "on_time",
    "postal_rated",
    "postal_satisfied",
    "unit_rated",
    "unit_satisfied",
)

# Carried in a few indexes (PostgreSQL INCLUDE) with the dimensions, so that what reads many rows of
# a wide table is answered from the index alone: the facts' day and unit-day indexes (the odd days of
# a national ranking, and a unit viewer's series and office ranking, under a group or channel filter,
# for which no summary table would be small enough to keep) and the ranking indexes of the office and
# unit months (national rankings under a group or channel filter). It holds the series measures and
# what both rankings judge (tests keep it so).
COVERED_MEASURES: tuple[str, ...] = (
    *SERIES_MEASURES,
    "digitized",
    "wait_timed",
    "wait_ok",
    "unit_done",
    "unit_on_time",
)

# The dimensions a filter names besides the row's own keys, carried beside the covered measures.
FILTERED = ("group_id", "channel", "province_code", "operator_id")


def _ranking_index(table: str, key: str) -> sa.Index:
    """A month table's covering index for national rankings under a group or channel filter."""
    return sa.Index(
        f"ix_{table}_ranking",
        "month",
        "channel",
        "group_id",
        postgresql_include=[key, "province_code", "operator_id", *COVERED_MEASURES],
    )


TASK_MEASURES: tuple[str, ...] = (
    "tasks",
    "tasks_done",
    "tasks_on_time",
    "tasks_late",
    "tasks_open",
    "tasks_overdue",
)


class _Measures:
    dossiers: Mapped[int] = mapped_column(sa.Integer, default=0)
    digitized: Mapped[int] = mapped_column(sa.Integer, default=0)
    reused: Mapped[int] = mapped_column(sa.Integer, default=0)
    components: Mapped[int] = mapped_column(sa.Integer, default=0)
    components_reused: Mapped[int] = mapped_column(sa.Integer, default=0)
    wait_timed: Mapped[int] = mapped_column(sa.Integer, default=0)
    wait_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    wait_ok: Mapped[int] = mapped_column(sa.Integer, default=0)
    wait_ok_30: Mapped[int] = mapped_column(sa.Integer, default=0)
    handle_timed: Mapped[int] = mapped_column(sa.Integer, default=0)
    handle_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    handle_ok: Mapped[int] = mapped_column(sa.Integer, default=0)
    closed: Mapped[int] = mapped_column(sa.Integer, default=0)
    on_time: Mapped[int] = mapped_column(sa.Integer, default=0)
    late: Mapped[int] = mapped_column(sa.Integer, default=0)
    open: Mapped[int] = mapped_column(sa.Integer, default=0)
    overdue: Mapped[int] = mapped_column(sa.Integer, default=0)
    late_pickup: Mapped[int] = mapped_column(sa.Integer, default=0)
    late_carriage: Mapped[int] = mapped_column(sa.Integer, default=0)
    late_unit: Mapped[int] = mapped_column(sa.Integer, default=0)
    late_delivery: Mapped[int] = mapped_column(sa.Integer, default=0)
    late_unattributed: Mapped[int] = mapped_column(sa.Integer, default=0)
    unit_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    unit_on_time: Mapped[int] = mapped_column(sa.Integer, default=0)
    unit_overdue: Mapped[int] = mapped_column(sa.Integer, default=0)
    postal_rated: Mapped[int] = mapped_column(sa.Integer, default=0)
    postal_satisfied: Mapped[int] = mapped_column(sa.Integer, default=0)
    unit_rated: Mapped[int] = mapped_column(sa.Integer, default=0)
    unit_satisfied: Mapped[int] = mapped_column(sa.Integer, default=0)


class _TaskMeasures:
    tasks: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_on_time: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_late: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_open: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_overdue: Mapped[int] = mapped_column(sa.Integer, default=0)


class DossierFact(_Measures, Base):
    """A dossier as the dashboards count it, rewritten whenever something happens to it."""

    __tablename__ = "dossier_facts"
    __table_args__ = (
        # Covering (see COVERED_MEASURES): the odd days of a national ranking under a group or channel.
        sa.Index(
            "ix_dossier_facts_day",
            "day",
            postgresql_include=["office_id", "unit_id", *FILTERED, *COVERED_MEASURES],
        ),
        # With the office, a unit's served offices are read from the index alone (staffing); with the
        # other dimensions and the covered measures, so are its series and rankings (see above).
        sa.Index(
            "ix_dossier_facts_unit_day",
            "unit_id",
            "day",
            "office_id",
            postgresql_include=[*FILTERED, *COVERED_MEASURES],
        ),
        sa.Index("ix_dossier_facts_office_day", "office_id", "day"),
        sa.Index("ix_dossier_facts_next_due_at", "next_due_at"),
    )

    dossier_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(sa.String(40))
    day: Mapped[date] = mapped_column(sa.Date)  # the local day it was accepted
    month: Mapped[date] = mapped_column(sa.Date)  # the first of that month
    province_code: Mapped[str] = mapped_column(sa.String(8))  # where the post took it in
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
    procedure_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(20))
    appointment_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The leg clocks, kept so the list behind a number can say which leg was late and by how much.
    pickup_state: Mapped[str] = mapped_column(sa.String(10), default="")
    carriage_state: Mapped[str] = mapped_column(sa.String(10), default="")
    unit_state: Mapped[str] = mapped_column(sa.String(10), default="")
    delivery_state: Mapped[str] = mapped_column(sa.String(10), default="")
    unit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest deadline still running: when it passes, the fact must be rewritten (it turns overdue).
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DailyStats(_Measures, Base):
    """Per local day, province, operator, procedure group and channel: the national and provincial views."""

    __tablename__ = "stats_daily"
    __table_args__ = (sa.Index("ix_stats_daily_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(10))


class OfficeMonthStats(_Measures, Base):
    """Per month and post office: rankings of offices and the views of one operator's offices."""

    __tablename__ = "stats_office_month"
    __table_args__ = (
        sa.Index("ix_stats_office_month_month", "month", "office_id"),
        _ranking_index("stats_office_month", "office_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(10))


class UnitMonthStats(_Measures, Base):
    """Per month and one-stop unit: rankings of units, the supervisors' views and the quarterly report."""

    __tablename__ = "stats_unit_month"
    __table_args__ = (
        sa.Index("ix_stats_unit_month_month", "month", "unit_id"),
        _ranking_index("stats_unit_month", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(10))


class OfficeMonthTotals(_Measures, Base):
    """Per month and post office, every group and channel together: national rankings of 13,000
    offices read one row per office and month instead of one per group and channel."""

    __tablename__ = "stats_office_month_totals"
    __table_args__ = (sa.Index("ix_stats_office_month_totals_month", "month", "office_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)


class UnitMonthTotals(_Measures, Base):
    """Per month and one-stop unit, every group and channel together (rankings, supervisors' totals)."""

    __tablename__ = "stats_unit_month_totals"
    __table_args__ = (sa.Index("ix_stats_unit_month_totals_month", "month", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)


class TaskMonthTotals(_TaskMeasures, Base):
    """Tasks per month they were opened, contract, type, unit, operator, province and procedure group
    (every office together): summed from `TaskDayTotals`, so a month less its edge days subtracts days
    of the same snapshot."""

    __tablename__ = "stats_task_month_totals"
    __table_args__ = (sa.Index("ix_stats_task_month_totals_month", "month", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    contract_id: Mapped[int] = mapped_column(sa.Integer)
    task_type: Mapped[str] = mapped_column(sa.String(30))
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


class RefreshState(Base):
    """How far the summaries have read, and the clock of the last round.

    Ids are handed out when a row is written but become visible when its transaction commits, so a
    round may see id 120 before a slower transaction commits id 118. Each round therefore reads from
    where the round before it started (`last_*`) up to the newest id (`seen_*` afterwards): every
    event is read by two consecutive rounds, and rewriting a fact twice changes nothing."""

    __tablename__ = "stats_refresh_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_rating_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_task_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    seen_event_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    seen_rating_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    seen_task_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(Base):
    """One occurrence of an alert rule on one subject: open until the condition clears, notified once."""

    __tablename__ = "monitoring_alerts"
    __table_args__ = (
        sa.UniqueConstraint("rule", "subject_key", "occurrence"),
        sa.Index("ix_monitoring_alerts_open", "resolved_at", "rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(30))
    subject_key: Mapped[str] = mapped_column(sa.String(60))  # e.g. "contract:12", "dossier:HS-..."
    occurrence: Mapped[str] = mapped_column(sa.String(30))  # e.g. the ISO week, or the day it began
    unit_id: Mapped[int | None] = mapped_column(sa.Integer)
    operator_id: Mapped[int | None] = mapped_column(sa.Integer)
    office_id: Mapped[int | None] = mapped_column(sa.Integer)
    value: Mapped[float | None] = mapped_column(sa.Float)
    threshold: Mapped[float | None] = mapped_column(sa.Float)
    details: Mapped[str] = mapped_column(sa.String(500), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

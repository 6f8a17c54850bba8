"""The roll-ups that keep national views small: each is the same measures summed over fewer dimensions
or a coarser time than the tables in `models`, so a national quarter reads a few thousand rows.

Day tables answer runs of days and daily series; month tables answer whole months. A run of days that
is not whole months is read as its months plus (or minus) the few days at its edges (see `spans`), so
every family of dimensions has both grains where its day table stays small enough to keep. Like the
other summaries these are rebuilt from the facts and tasks, never the source of truth.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from postal_hub.db import Base
from postal_hub.monitoring.models import _Measures, _TaskMeasures


class MonthStats(_Measures, Base):
    """Per month, province, operator, procedure group and channel: DailyStats folded into months."""

    __tablename__ = "stats_month"
    __table_args__ = (sa.Index("ix_stats_month_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
    channel: Mapped[str] = mapped_column(sa.String(10))


class OfficeDayTotals(_Measures, Base):
    """Per local day and post office, every group and channel together: office rankings over runs of
    days, and one office's daily series."""

    __tablename__ = "stats_office_day"
    __table_args__ = (
        sa.Index("ix_stats_office_day_day", "day", "office_id"),
        sa.Index("ix_stats_office_day_office", "office_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)


class UnitDayTotals(_Measures, Base):
    """Per local day and one-stop unit, every group and channel together: unit rankings over runs of
    days, and the daily series of a unit or a supervisor's units."""

    __tablename__ = "stats_unit_day"
    __table_args__ = (
        sa.Index("ix_stats_unit_day_day", "day", "unit_id"),
        sa.Index("ix_stats_unit_day_unit", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)


class OfficeUnitMonth(_Measures, Base):
    """Per month, office and unit: which offices serve a unit, and how well (a unit's office ranking)."""

    __tablename__ = "stats_office_unit_month"
    __table_args__ = (
        sa.Index("ix_stats_office_unit_month_unit", "unit_id", "month"),
        sa.Index("ix_stats_office_unit_month_office", "office_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    operator_id: Mapped[int] = mapped_column(sa.Integer)


# --- Tasks -----------------------------------------------------------------------------------------


class TaskDayTotals(_TaskMeasures, Base):
    """Tasks per local day they were created, contract, type, unit and procedure group (every office
    together): the base every other task table is summed from."""

    __tablename__ = "stats_task_day"
    __table_args__ = (
        sa.Index("ix_stats_task_day_day", "day", "unit_id"),
        sa.Index("ix_stats_task_day_unit", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    contract_id: Mapped[int] = mapped_column(sa.Integer)
    task_type: Mapped[str] = mapped_column(sa.String(30))
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


class TaskTypeDay(_TaskMeasures, Base):
    """Tasks per local day, type, procedure group, province and operator: compliance by type for
    national and provincial views, without one row per contract."""

    __tablename__ = "stats_task_type_day"
    __table_args__ = (sa.Index("ix_stats_task_type_day_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    task_type: Mapped[str] = mapped_column(sa.String(30))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


class TaskTypeMonth(_TaskMeasures, Base):
    __tablename__ = "stats_task_type_month"
    __table_args__ = (sa.Index("ix_stats_task_type_month_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    task_type: Mapped[str] = mapped_column(sa.String(30))
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


class TaskContractDay(_TaskMeasures, Base):
    """Tasks per local day, contract and procedure group, every type together: compliance by contract."""

    __tablename__ = "stats_task_contract_day"
    __table_args__ = (
        sa.Index("ix_stats_task_contract_day_day", "day"),
        sa.Index("ix_stats_task_contract_day_unit", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    contract_id: Mapped[int] = mapped_column(sa.Integer)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


class TaskContractMonth(_TaskMeasures, Base):
    __tablename__ = "stats_task_contract_month"
    __table_args__ = (
        sa.Index("ix_stats_task_contract_month_month", "month"),
        sa.Index("ix_stats_task_contract_month_unit", "unit_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    contract_id: Mapped[int] = mapped_column(sa.Integer)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    operator_id: Mapped[int] = mapped_column(sa.Integer)
    province_code: Mapped[str] = mapped_column(sa.String(8))
    group_id: Mapped[int] = mapped_column(sa.Integer)


# Every roll-up, for full rebuilds and the tests that compare them.
ROLLUPS = (
    MonthStats,
    OfficeDayTotals,
    UnitDayTotals,
    OfficeUnitMonth,
    TaskDayTotals,
    TaskTypeDay,
    TaskTypeMonth,
    TaskContractDay,
    TaskContractMonth,
)

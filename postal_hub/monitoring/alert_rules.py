"""The alert rules: each one SQL query naming the subjects whose condition holds right now.

A rule never loads the rows it judges: it groups and filters in SQL and returns one small finding per
subject in trouble (a contract, a dossier, an office, a unit). What to do with the findings, open,
keep, resolve and notify, is alerts.py's business.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import to_local
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.delivery.status import SATISFIED_LEVELS, RatingSubject
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.intake.status import DossierStatus
from postal_hub.monitoring.summing import local_midnight_utc

CONTRACT_SLA = "contract_sla"
STALLED = "stalled"
BACKLOG = "backlog"
SATISFACTION = "satisfaction"
RULES = (CONTRACT_SLA, STALLED, BACKLOG, SATISFACTION)

# Where the post holds the dossier (or its result): a stop there is the post's to explain.
IN_POSTS_HANDS = (
    DossierStatus.ACCEPTED,
    DossierStatus.DIGITIZED,
    DossierStatus.DISPATCHED,
    DossierStatus.REJECTED,
    DossierStatus.RESULT_READY,
    DossierStatus.RESULT_COLLECTED,
    DossierStatus.OUT_FOR_DELIVERY,
    DossierStatus.RETURNING,
)
NOT_DISPATCHED = (DossierStatus.ACCEPTED, DossierStatus.DIGITIZED)


@dataclass(frozen=True)
class AlertSettings:
    """The thresholds (app config MONITORING_*), passed in so the rules never read settings."""

    sla_percent: float = 90.0
    sla_min_tasks: int = 5
    stall_hours: float = 48.0
    backlog_size: int = 20
    backlog_hours: float = 24.0
    satisfaction_target: float = 95.0
    satisfaction_min_ratings: int = 10
    satisfaction_days: int = 30
    # New alerts opened per rule and round: a first round at national scale opens the rest later.
    per_round: int = 500
    digest_items: int = 10  # subjects listed in one notification; the rest are counted

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AlertSettings:
        return cls(
            sla_percent=float(config.get("MONITORING_SLA_ALERT_PERCENT", cls.sla_percent)),
            sla_min_tasks=int(config.get("MONITORING_SLA_ALERT_MIN_TASKS", cls.sla_min_tasks)),
            stall_hours=float(config.get("MONITORING_STALL_HOURS", cls.stall_hours)),
            backlog_size=int(config.get("MONITORING_BACKLOG_SIZE", cls.backlog_size)),
            backlog_hours=float(config.get("MONITORING_BACKLOG_HOURS", cls.backlog_hours)),
            satisfaction_target=float(config.get("MONITORING_SATISFACTION_TARGET", cls.satisfaction_target)),
            satisfaction_min_ratings=int(
                config.get("MONITORING_SATISFACTION_MIN_RATINGS", cls.satisfaction_min_ratings)
            ),
            satisfaction_days=int(config.get("MONITORING_SATISFACTION_DAYS", cls.satisfaction_days)),
            per_round=int(config.get("MONITORING_ALERTS_PER_ROUND", cls.per_round)),
        )


@dataclass(frozen=True)
class Finding:
    """One subject whose condition holds now, with the figure that broke the threshold."""

    subject_key: str
    occurrence: str
    value: float
    threshold: float
    details: dict[str, Any]
    unit_id: int | None = None
    operator_id: int | None = None
    office_id: int | None = None

    @property
    def details_text(self) -> str:
        return json.dumps(self.details, ensure_ascii=False, separators=(",", ":"))[:500]


def iso_week(now: datetime) -> str:
    year, week, _day = to_local(now).isocalendar()
    return f"{year}-W{week:02d}"


def _count(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def contract_sla(session: Session, now: datetime, s: AlertSettings) -> list[Finding]:
    """Tasks created this local ISO week, per contract: on time / (done + overdue) below the threshold,
    once at least `sla_min_tasks` of them can be judged (done, or past due and still open)."""
    today = to_local(now).date()
    week_start = local_midnight_utc(today - timedelta(days=today.weekday()))
    done = Task.status == TaskStatus.DONE.value
    running = Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value])
    on_time = _count(sa.and_(done, Task.sla_met.is_not(False)))
    judged = _count(done) + _count(sa.and_(running, Task.due_at < now))
    rows = session.execute(
        sa.select(Contract.id, Contract.unit_id, Contract.operator_id, on_time, judged)
        .select_from(Task)
        .join(Contract, Contract.id == Task.contract_id)
        .where(Task.created_at >= week_start, Task.created_at <= now)
        .group_by(Contract.id, Contract.unit_id, Contract.operator_id)
        .having(judged >= max(s.sla_min_tasks, 1), on_time * 100 < judged * s.sla_percent)
        .order_by(Contract.id)
    )
    week = iso_week(now)
    return [
        Finding(
            f"contract:{contract_id}",
            week,
            round(100 * good / total, 1),
            s.sla_percent,
            {"good": int(good), "of": int(total), "week": week},
            unit_id=unit_id,
            operator_id=operator_id,
        )
        for contract_id, unit_id, operator_id, good, total in rows
    ]


def stalled(session: Session, now: datetime, s: AlertSettings) -> list[Finding]:
    """Dossiers in the post's hands whose last timeline event is older than `stall_hours`. The last event
    is found by one grouped pass over the events of dossiers in those statuses only."""
    cutoff = now - timedelta(hours=s.stall_hours)
    in_hands = [status.value for status in IN_POSTS_HANDS]
    last = (
        sa.select(
            DossierEvent.dossier_id.label("dossier_id"),
            sa.func.max(DossierEvent.at).label("last_at"),
            sa.func.max(DossierEvent.id).label("last_id"),
        )
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(Dossier.status.in_(in_hands))
        .group_by(DossierEvent.dossier_id)
        .having(sa.func.max(DossierEvent.at) <= cutoff)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            Dossier.code,
            Dossier.status,
            Dossier.unit_id,
            Dossier.operator_id,
            Dossier.office_id,
            last.c.last_at,
            last.c.last_id,
        )
        .join(last, last.c.dossier_id == Dossier.id)
        .where(Dossier.status.in_(in_hands))
        .order_by(last.c.last_at, Dossier.id)
    )
    findings = []
    for code, status, unit_id, operator_id, office_id, since, last_id in rows:
        findings.append(
            Finding(
                f"dossier:{code}",
                str(last_id),
                round((now - since).total_seconds() / 3600, 1),
                s.stall_hours,
                {"code": code, "status": status, "since": since.isoformat()},
                unit_id=unit_id,
                operator_id=operator_id,
                office_id=office_id,
            )
        )
    return findings


def backlog(session: Session, now: datetime, s: AlertSettings) -> list[Finding]:
    """Offices holding at least `backlog_size` dossiers accepted (or digitized) more than
    `backlog_hours` ago and not yet dispatched."""
    waiting = sa.func.count(Dossier.id)
    rows = session.execute(
        sa.select(Dossier.office_id, Dossier.operator_id, waiting)
        .where(
            Dossier.status.in_([status.value for status in NOT_DISPATCHED]),
            Dossier.accepted_at <= now - timedelta(hours=s.backlog_hours),
        )
        .group_by(Dossier.office_id, Dossier.operator_id)
        .having(waiting >= max(s.backlog_size, 1))
        .order_by(Dossier.office_id)
    )
    day = to_local(now).date().isoformat()
    return [
        Finding(
            f"office:{office_id}",
            day,
            float(count),
            float(s.backlog_size),
            {"count": int(count), "hours": s.backlog_hours},
            operator_id=operator_id,
            office_id=office_id,
        )
        for office_id, operator_id, count in rows
    ]


def satisfaction(session: Session, now: datetime, s: AlertSettings) -> list[Finding]:
    """Postal satisfaction per office and the unit's per unit, over the ratings given in the last
    `satisfaction_days`: satisfied / rated below the target, with at least the minimum of ratings."""
    window = (
        SatisfactionRating.rated_at > now - timedelta(days=s.satisfaction_days),
        SatisfactionRating.rated_at <= now,
    )
    rated = sa.func.count(SatisfactionRating.id)
    satisfied = _count(SatisfactionRating.level.in_([level.value for level in SATISFIED_LEVELS]))
    below = (rated >= max(s.satisfaction_min_ratings, 1), satisfied * 100 < rated * s.satisfaction_target)
    week = iso_week(now)

    def finding(key: str, good: int, total: int, **ids: int | None) -> Finding:
        return Finding(
            key,
            week,
            round(100 * good / total, 1),
            s.satisfaction_target,
            {"good": int(good), "of": int(total), "days": s.satisfaction_days},
            **ids,
        )

    postal = session.execute(
        sa.select(SatisfactionRating.office_id, SatisfactionRating.operator_id, satisfied, rated)
        .where(SatisfactionRating.subject == RatingSubject.POSTAL.value, *window)
        .group_by(SatisfactionRating.office_id, SatisfactionRating.operator_id)
        .having(*below)
        .order_by(SatisfactionRating.office_id)
    )
    found = [
        finding(f"office:{office}:postal", good, total, office_id=office, operator_id=operator)
        for office, operator, good, total in postal
    ]
    unit = session.execute(
        sa.select(SatisfactionRating.unit_id, satisfied, rated)
        .where(SatisfactionRating.subject == RatingSubject.UNIT.value, *window)
        .group_by(SatisfactionRating.unit_id)
        .having(*below)
        .order_by(SatisfactionRating.unit_id)
    )
    found += [finding(f"unit:{u}:unit", good, total, unit_id=u) for u, good, total in unit]
    return found


@dataclass(frozen=True)
class Rule:
    name: str
    find: Callable[[Session, datetime, AlertSettings], list[Finding]]
    # True: a different occurrence for the same subject is a new alert (another week, another stop).
    # False: the occurrence only records when it opened; the alert stays open while the condition holds.
    occurrence_is_identity: bool


RULE_TABLE = (
    Rule(CONTRACT_SLA, contract_sla, True),
    Rule(STALLED, stalled, True),
    Rule(BACKLOG, backlog, False),
    Rule(SATISFACTION, satisfaction, False),
)

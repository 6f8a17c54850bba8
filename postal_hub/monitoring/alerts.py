"""Alerts, evaluated each worker round: one open alert per rule and subject while its condition holds.

Once per occurrence: when a rule's condition starts to hold for a subject with no open alert, one row
is inserted and the responsible people are told once; while it holds nothing more happens; when it
clears the alert is resolved. A later recurrence is a new occurrence (another week, another stop,
another day) and is told again; the same occurrence coming back (a rate wobbling around its threshold
within one week) reopens its alert without telling anyone a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from postal_hub.core.notifications import Notifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.pagination import Page, paginate
from postal_hub.monitoring.alert_notices import Names, headline, names_for, notify_opened, subject_id
from postal_hub.monitoring.alert_rules import RULE_TABLE, AlertSettings, Finding, Rule
from postal_hub.monitoring.models import Alert
from postal_hub.monitoring.query import Scope

CHUNK = 500
RECENT_DAYS = 30  # resolved alerts listed on the alerts page
STATES = ("open", "resolved")


def evaluate(session: Session, now: datetime, notifier: Notifier, settings: AlertSettings) -> dict[str, int]:
    """Every rule once: resolve what cleared, open what began, then notify the new ones."""
    opened: list[Alert] = []
    resolved = 0
    for rule in RULE_TABLE:
        made, ended = _reconcile(session, rule, rule.find(session, now, settings), now, settings.per_round)
        opened += made
        resolved += ended
    sent = notify_opened(session, notifier, opened, now, settings)
    return {"alerts_opened": len(opened), "alerts_resolved": resolved, "alert_notifications": sent}


def _reconcile(
    session: Session, rule: Rule, findings: list[Finding], now: datetime, per_round: int
) -> tuple[list[Alert], int]:
    current = {f.subject_key: f for f in findings}
    still_open: set[str] = set()
    ended: list[int] = []
    for alert_id, key, occurrence in session.execute(
        sa.select(Alert.id, Alert.subject_key, Alert.occurrence)
        .where(Alert.rule == rule.name, Alert.resolved_at.is_(None))
        .order_by(Alert.id)
    ):
        found = current.get(key)
        other = found is not None and rule.occurrence_is_identity and found.occurrence != occurrence
        if found is None or other or key in still_open:
            ended.append(alert_id)
        else:
            still_open.add(key)
    _set_resolved(session, ended, now)
    fresh = [f for f in current.values() if f.subject_key not in still_open][: max(per_round, 0)]
    back = _reopen(session, rule.name, fresh)
    return _insert(session, rule.name, [f for f in fresh if f.subject_key not in back], now), len(ended)


def _set_resolved(session: Session, ids: list[int], now: datetime) -> None:
    for start in range(0, len(ids), CHUNK):
        session.execute(
            sa.update(Alert).where(Alert.id.in_(ids[start : start + CHUNK])).values(resolved_at=now)
        )


def _reopen(session: Session, rule: str, findings: list[Finding]) -> set[str]:
    """The same occurrence again (resolved earlier, true again): open once more, already told."""
    wanted = {(f.subject_key, f.occurrence) for f in findings}
    keys = sorted({f.subject_key for f in findings})
    ids: list[int] = []
    back: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        for alert_id, key, occurrence in session.execute(
            sa.select(Alert.id, Alert.subject_key, Alert.occurrence).where(
                Alert.rule == rule,
                Alert.subject_key.in_(keys[start : start + CHUNK]),
                Alert.resolved_at.is_not(None),
            )
        ):
            if (key, occurrence) in wanted:
                ids.append(alert_id)
                back.add(key)
    for start in range(0, len(ids), CHUNK):
        session.execute(
            sa.update(Alert).where(Alert.id.in_(ids[start : start + CHUNK])).values(resolved_at=None)
        )
    return back


def _build(rule: str, f: Finding, now: datetime) -> Alert:
    return Alert(
        rule=rule,
        subject_key=f.subject_key,
        occurrence=f.occurrence,
        unit_id=f.unit_id,
        operator_id=f.operator_id,
        office_id=f.office_id,
        value=f.value,
        threshold=f.threshold,
        details=f.details_text,
        opened_at=now,
    )


def _insert(session: Session, rule: str, findings: list[Finding], now: datetime) -> list[Alert]:
    """Insert the new alerts; a row another worker inserted first (the unique key) is theirs to tell."""
    if not findings:
        return []
    try:
        with session.begin_nested():
            made = [_build(rule, f, now) for f in findings]
            session.add_all(made)
            session.flush()
        return made
    except IntegrityError:
        pass  # somebody else got some of them: try one by one
    made = []
    for f in findings:
        alert = _build(rule, f, now)
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:
            continue
        made.append(alert)
    return made


# --- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    """An alert as a page shows it: what the subject is called, and where it stands."""

    alert: Alert
    kind: str  # "contract", "dossier", "office" or "unit"
    ref: str  # the contract's or office's or unit's id, the dossier's code
    name: str
    context: str  # the dossier's office, the contract's unit; "" otherwise

    @property
    def is_open(self) -> bool:
        return self.alert.resolved_at is None


def scoped(stmt: Any, scope: Scope) -> Any:
    """Alerts a viewer may see: their operator's, in their province (the office's, or else the unit's),
    or their units' (with their agency's contracts, which cover them too)."""
    if scope.nothing:
        return stmt.where(sa.false())
    if scope.operator_id is not None:
        stmt = stmt.where(Alert.operator_id == scope.operator_id)
    if scope.province_code is not None:
        office_here = sa.exists().where(
            PostOffice.id == Alert.office_id, PostOffice.province_code == scope.province_code
        )
        unit_here = sa.exists().where(
            Organization.id == Alert.unit_id, Organization.province_code == scope.province_code
        )
        stmt = stmt.where(
            sa.or_(
                sa.and_(Alert.office_id.is_not(None), office_here),
                sa.and_(Alert.office_id.is_(None), unit_here),
            )
        )
    if scope.unit_ids is not None:
        agencies = sa.select(Organization.parent_id).where(
            Organization.id.in_(scope.unit_ids), Organization.parent_id.is_not(None)
        )
        stmt = stmt.where(sa.or_(Alert.unit_id.in_(scope.unit_ids), Alert.unit_id.in_(agencies)))
    return stmt


def rows_for(session: Session, alerts: Iterable[Alert]) -> list[AlertRow]:
    alerts = list(alerts)
    names = names_for(session, alerts)
    return [_row(alert, names) for alert in alerts]


def _row(alert: Alert, names: Names) -> AlertRow:
    kind = alert.subject_key.split(":", 1)[0]
    if kind == "dossier":
        code = alert.subject_key.removeprefix("dossier:")
        return AlertRow(alert, kind, code, code, names.office(alert.office_id))
    number = subject_id(alert)
    if kind == "contract":
        unit_id = names.contracts.get(number or 0, ("", alert.unit_id))[1]
        return AlertRow(alert, kind, str(number), names.contract(alert), names.org(unit_id))
    if kind == "office":
        return AlertRow(alert, kind, str(number), names.office(number), "")
    return AlertRow(alert, "unit", str(number), names.org(number), "")


def open_alerts(session: Session, scope: Scope, limit: int = 20) -> list[AlertRow]:
    """The open alerts a viewer may see, newest first (for the dashboard)."""
    return rows_for(session, _newest_open(session, scope, limit))


def _newest_open(session: Session, scope: Scope, limit: int) -> list[Alert]:
    stmt = scoped(sa.select(Alert).where(Alert.resolved_at.is_(None)), scope)
    return list(session.scalars(stmt.order_by(Alert.opened_at.desc(), Alert.id.desc()).limit(limit)))


def alerts_page(
    session: Session,
    scope: Scope,
    now: datetime,
    rule: str | None,
    state: str | None,
    page: int,
    per_page: int,
) -> Page[AlertRow]:
    """Open alerts first, then those resolved in the last RECENT_DAYS, newest first within each."""
    stmt = scoped(sa.select(Alert), scope)
    if rule is not None:
        stmt = stmt.where(Alert.rule == rule)
    recent = Alert.resolved_at >= now - timedelta(days=RECENT_DAYS)
    if state == "open":
        stmt = stmt.where(Alert.resolved_at.is_(None))
    elif state == "resolved":
        stmt = stmt.where(recent)
    else:
        stmt = stmt.where(sa.or_(Alert.resolved_at.is_(None), recent))
    stmt = stmt.order_by(
        sa.case((Alert.resolved_at.is_(None), 0), else_=1), Alert.opened_at.desc(), Alert.id.desc()
    )
    found = paginate(session, stmt, page, per_page)
    return Page(rows_for(session, found.items), found.page, found.per_page, found.total)


def open_count(session: Session, scope: Scope) -> int:
    stmt = scoped(sa.select(sa.func.count(Alert.id)).where(Alert.resolved_at.is_(None)), scope)
    return int(session.scalar(stmt) or 0)


def alert_lines(
    session: Session, scope: Scope, limit: int = 20, link: Callable[[AlertRow], str | None] | None = None
) -> list[dict[str, Any]]:
    """The dashboard's list: each open alert as one sentence in the viewer's language, and a link (by
    default to the alerts page for its rule; the view may pass its own, e.g. to the subject's page)."""
    alerts = _newest_open(session, scope, limit)
    names = names_for(session, alerts)
    return [
        {
            "text": headline(alert, names),
            "link": link(row) if link else f"/monitoring/alerts?rule={alert.rule}",
            "rule": alert.rule,
            "opened_at": alert.opened_at,
        }
        for alert, row in ((a, _row(a, names)) for a in alerts)
    ]

"""Who answers for an alert, and the one message per person and rule that tells them of new ones.

The post's side: the managers of the office concerned; failing those, the operator's managers in that
province (the provincial post); failing those, its head office (managers without an office). For a
contract the province is the unit's. The unit's side: its officers and supervisors, and the
supervisors of its agency.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.models import Contract
from postal_hub.core.clock import to_local
from postal_hub.core.notifications import Notifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.intake.status import DOSSIER_STATUS_LABELS, DossierStatus
from postal_hub.monitoring.alert_rules import BACKLOG, CONTRACT_SLA, SATISFACTION, STALLED, AlertSettings
from postal_hub.monitoring.models import Alert

RULE_LABELS = {
    CONTRACT_SLA: _l("Contract SLA compliance this week"),
    STALLED: _l("Dossier with no movement"),
    BACKLOG: _l("Backlog of undispatched dossiers"),
    SATISFACTION: _l("Satisfaction below target"),
}


def post_side(alert: Alert) -> bool:
    return alert.operator_id is not None and (alert.office_id is not None or alert.rule == CONTRACT_SLA)


def unit_side(alert: Alert) -> bool:
    return alert.unit_id is not None and (
        alert.rule == CONTRACT_SLA or (alert.rule == SATISFACTION and alert.office_id is None)
    )


def details(alert: Alert) -> dict[str, Any]:
    try:
        found = json.loads(alert.details or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


@dataclass
class Names:
    """What a message or a page calls each subject: contract numbers, office and unit names."""

    contracts: dict[int, tuple[str, int]]  # id -> (number, unit id)
    offices: dict[int, tuple[str, str]]  # id -> (name, province code)
    orgs: dict[int, tuple[str, str | None, int | None]]  # id -> (name, province code, parent id)

    def contract(self, alert: Alert) -> str:
        return self.contracts.get(subject_id(alert) or 0, (f"#{subject_id(alert)}", 0))[0]

    def office(self, office_id: int | None) -> str:
        return self.offices.get(office_id or 0, (f"#{office_id}", ""))[0]

    def org(self, org_id: int | None) -> str:
        return self.orgs.get(org_id or 0, (f"#{org_id}", None, None))[0]


def subject_id(alert: Alert) -> int | None:
    """The number in "contract:12", "office:5:postal", "unit:7:unit"; None for a dossier's code."""
    parts = alert.subject_key.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[0] != "dossier" and parts[1].isdigit() else None


def names_for(session: Session, alerts: Iterable[Alert]) -> Names:
    alerts = list(alerts)
    contract_ids = {subject_id(a) for a in alerts if a.rule == CONTRACT_SLA} - {None}
    contracts = {
        cid: (number, unit_id)
        for cid, number, unit_id in session.execute(
            sa.select(Contract.id, Contract.number, Contract.unit_id).where(Contract.id.in_(contract_ids))
        )
    }
    office_ids = {a.office_id for a in alerts if a.office_id is not None}
    offices = {
        oid: (name, province)
        for oid, name, province in session.execute(
            sa.select(PostOffice.id, PostOffice.name, PostOffice.province_code).where(
                PostOffice.id.in_(office_ids)
            )
        )
    }
    org_ids = {a.unit_id for a in alerts if a.unit_id is not None} | {u for _n, u in contracts.values()}
    orgs = {
        oid: (name, province, parent)
        for oid, name, province, parent in session.execute(
            sa.select(
                Organization.id, Organization.name, Organization.province_code, Organization.parent_id
            ).where(Organization.id.in_(org_ids))
        )
    }
    return Names(contracts, offices, orgs)


def responsible(session: Session, alerts: list[Alert], names: Names) -> dict[int, list[User]]:
    """Each alert's recipients, found with two queries for the whole batch."""
    operators = {a.operator_id for a in alerts if post_side(a)}
    managers = session.execute(
        sa.select(User, PostOffice.province_code)
        .outerjoin(PostOffice, PostOffice.id == User.post_office_id)
        .where(
            User.active.is_(True),
            User.role == Role.POSTAL_MANAGER.value,
            User.organization_id.in_(operators),
        )
        .order_by(User.id)
    )
    by_operator: dict[int, list[tuple[User, str | None]]] = defaultdict(list)
    for user, province in managers:
        by_operator[user.organization_id or 0].append((user, province))
    units = {a.unit_id for a in alerts if unit_side(a)}
    parents = {names.orgs[u][2] for u in units if u in names.orgs} - {None}
    unit_people = list(
        session.scalars(
            sa.select(User)
            .where(
                User.active.is_(True),
                sa.or_(
                    sa.and_(
                        User.role.in_([Role.UNIT_OFFICER.value, Role.AGENCY_SUPERVISOR.value]),
                        User.organization_id.in_(units),
                    ),
                    sa.and_(User.role == Role.AGENCY_SUPERVISOR.value, User.organization_id.in_(parents)),
                ),
            )
            .order_by(User.id)
        )
    )
    found: dict[int, list[User]] = {}
    for alert in alerts:
        people: list[User] = []
        if post_side(alert):
            people += _managers(alert, by_operator.get(alert.operator_id or 0, []), names)
        if unit_side(alert):
            parent = names.orgs.get(alert.unit_id or 0, ("", None, None))[2]
            people += [
                u
                for u in unit_people
                if u.organization_id == alert.unit_id
                or (u.organization_id == parent and u.role == Role.AGENCY_SUPERVISOR.value)
            ]
        found[alert.id] = people
    return found


def _managers(alert: Alert, managers: list[tuple[User, str | None]], names: Names) -> list[User]:
    if alert.office_id is not None:
        at_office = [u for u, _p in managers if u.post_office_id == alert.office_id]
        if at_office:
            return at_office
        province = names.offices.get(alert.office_id, ("", None))[1]
    else:
        unit_id = names.contracts.get(subject_id(alert) or 0, ("", alert.unit_id))[1]
        province = names.orgs.get(unit_id or 0, ("", None, None))[1]
    in_province = [u for u, p in managers if p is not None and p == province]
    return in_province or [u for u, _p in managers if u.post_office_id is None]


def figure(value: float | None) -> str:
    """85.7 -> '85,7' in Vietnamese, '85.7' in English (the language in force)."""
    return "—" if value is None else str(format_decimal(value, format="#,##0.#"))


def headline(alert: Alert, names: Names) -> str:
    """One line naming the subject and its figure against the threshold, in the language in force."""
    info = details(alert)
    value, limit = figure(alert.value), figure(alert.threshold)
    if alert.rule == CONTRACT_SLA:
        return gettext(
            "Contract %(number)s: %(value)s%% of this week's tasks on time (%(good)d of %(of)d), "
            "below %(limit)s%%",
            number=names.contract(alert),
            value=value,
            good=info.get("good", 0),
            of=info.get("of", 0),
            limit=limit,
        )
    if alert.rule == STALLED:
        status = str(info.get("status", ""))
        try:
            label = str(DOSSIER_STATUS_LABELS[DossierStatus(status)])
        except ValueError:
            label = status
        return gettext(
            "Dossier %(code)s (%(status)s, %(office)s): no movement for %(value)s hours "
            "(limit %(limit)s hours)",
            code=info.get("code", alert.subject_key.removeprefix("dossier:")),
            status=label,
            office=names.office(alert.office_id),
            value=value,
            limit=limit,
        )
    if alert.rule == BACKLOG:
        return gettext(
            "%(office)s: %(value)s dossiers accepted more than %(hours)s hours ago and not dispatched "
            "(alert at %(limit)s)",
            office=names.office(alert.office_id),
            value=value,
            hours=figure(info.get("hours")),
            limit=limit,
        )
    if alert.office_id is not None:
        return gettext(
            "%(office)s: %(value)s%% satisfied with the postal service over %(days)d days "
            "(%(good)d of %(of)d ratings), target %(limit)s%%",
            office=names.office(alert.office_id),
            value=value,
            days=info.get("days", 30),
            good=info.get("good", 0),
            of=info.get("of", 0),
            limit=limit,
        )
    return gettext(
        "%(unit)s: %(value)s%% satisfied with the unit's handling over %(days)d days "
        "(%(good)d of %(of)d ratings), target %(limit)s%%",
        unit=names.org(alert.unit_id),
        value=value,
        days=info.get("days", 30),
        good=info.get("good", 0),
        of=info.get("of", 0),
        limit=limit,
    )


def _message(rule: str, alerts: list[Alert], names: Names, settings: AlertSettings) -> tuple[str, str]:
    if len(alerts) == 1:
        alert = alerts[0]
        opened = to_local(alert.opened_at).strftime("%d/%m/%Y %H:%M")
        body = gettext(
            "%(rule)s, noticed %(at)s. You are told once; the alerts page shows when it clears.",
            rule=str(RULE_LABELS[rule]),
            at=opened,
        )
        return headline(alert, names), body
    subject = ngettext(
        "%(num)d new alert: %(rule)s", "%(num)d new alerts: %(rule)s", len(alerts), rule=RULE_LABELS[rule]
    )
    shown = alerts[: settings.digest_items]
    lines = [f"- {headline(a, names)}" for a in shown]
    if len(alerts) > len(shown):
        more = len(alerts) - len(shown)
        lines.append(ngettext("… and %(num)d more.", "… and %(num)d more.", more))
    return subject, "\n".join(lines)


def notify_opened(
    session: Session, notifier: Notifier, alerts: list[Alert], now: datetime, settings: AlertSettings
) -> int:
    """One notification per person and rule for this round's new alerts, in the person's language
    (Vietnamese unless they chose otherwise); every alert is then marked notified, told or not."""
    if not alerts:
        return 0
    names = names_for(session, alerts)
    recipients = responsible(session, alerts, names)
    people: dict[int, User] = {}
    grouped: dict[int, dict[str, list[Alert]]] = defaultdict(lambda: defaultdict(list))
    for alert in alerts:
        for user in recipients[alert.id]:
            people[user.id] = user
            if alert not in grouped[user.id][alert.rule]:
                grouped[user.id][alert.rule].append(alert)
    sent = 0
    for user_id, by_rule in grouped.items():
        user = people[user_id]
        with force_locale(user.locale or "vi"):
            for rule, items in by_rule.items():
                subject, body = _message(rule, items, names, settings)
                notifier.notify(session, user, subject, body, f"/monitoring/alerts?rule={rule}", now)
                sent += 1
    for alert in alerts:
        alert.notified_at = now
    session.flush()
    return sent

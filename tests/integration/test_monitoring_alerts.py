"""Alerts: each rule opens one alert per occurrence and tells the responsible people once, resolves when
its condition clears, and opens (and tells) again when it recurs; thresholds and minimum volumes hold;
the dashboard's list shows a viewer only the alerts in their scope."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from postal_hub import create_app, jobs
from postal_hub.core.notifications import InboxNotifier, Notification
from postal_hub.core.orgs.models import Organization
from postal_hub.core.places.services import sync_places
from postal_hub.core.users.models import Role, User
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.monitoring.access import scope_for
from postal_hub.monitoring.alert_rules import AlertSettings
from postal_hub.monitoring.alerts import alert_lines, evaluate, open_alerts
from postal_hub.monitoring.models import Alert
from postal_hub.monitoring.query import Scope
from tests import factories
from tests import factories_monitoring as fm
from tests.conftest import ENGINE, TEST_CONFIG
from tests.factories_monitoring import MONDAY, Journey, Leg

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
TUESDAY = MONDAY + DAY  # 09:00 in Hanoi, week 2026-W45
SETTINGS = AlertSettings()


@dataclass
class Sent:
    username: str
    subject: str
    body: str
    link: str


class Recorder:
    """A notifier that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    def notify(self, session: Session, user: User, subject: str, body: str, link: str, at: datetime) -> None:
        self.sent.append(Sent(user.username, subject, body, link))

    def to(self, user: User, rule: str = "") -> list[Sent]:
        return [s for s in self.sent if s.username == user.username and s.link.endswith(rule)]

    def people(self) -> set[str]:
        return {s.username for s in self.sent}


@pytest.fixture
def w(session: Session) -> dict[str, Any]:
    """fm.world (a unit in Hà Nội, an office of its operator in TP HCM), with the people around them."""
    made = fm.world(session)
    op, office = made["operator"], made["office"]
    hanoi = factories.post_office(session, op, province_code="01")
    unit = made["unit"]
    agency = session.get(Organization, unit.parent_id)
    made.update(
        office_manager=factories.user(
            session, Role.POSTAL_MANAGER, organization=op, post_office_id=office.id
        ),
        hanoi_manager=factories.user(session, Role.POSTAL_MANAGER, organization=op, post_office_id=hanoi.id),
        head_manager=factories.user(session, Role.POSTAL_MANAGER, organization=op),
        officer=factories.user(session, Role.UNIT_OFFICER, organization=unit),
        supervisor=factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency),
        stranger=factories.user(session, Role.POSTAL_MANAGER),
        hanoi=hanoi,
    )
    return made


def alerts(session: Session, rule: str) -> list[Alert]:
    return list(session.scalars(sa.select(Alert).where(Alert.rule == rule).order_by(Alert.id)))


def run(
    session: Session, now: datetime, notifier: Recorder, settings: AlertSettings = SETTINGS
) -> dict[str, int]:
    return evaluate(session, now, notifier, settings)


# --- contract SLA ----------------------------------------------------------------------------------------


def week_of_tasks(
    session: Session, w: dict[str, Any], on_time: int, late: int, overdue: int = 0, at: datetime = MONDAY
) -> Dossier:
    """Tasks created at `at` with an 8-hour SLA: done in 1 hour, done in 10 hours, or still open."""
    legs = (
        [Leg("carriage", at, at + HOUR) for _ in range(on_time)]
        + [Leg("carriage", at, at + 10 * HOUR) for _ in range(late)]
        + [Leg("carriage", at) for _ in range(overdue)]
    )
    return fm.past_dossier(session, w, Journey(accepted_at=at, legs=legs))


def test_a_contract_below_its_sla_this_week_is_alerted_once_over_two_rounds(
    session: Session, w: dict[str, Any]
) -> None:
    week_of_tasks(session, w, on_time=8, late=2)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    run(session, TUESDAY + HOUR, notifier)
    [alert] = alerts(session, "contract_sla")
    assert (alert.subject_key, alert.occurrence) == (f"contract:{w['contract'].id}", "2026-W45")
    assert (alert.value, alert.threshold) == (80.0, 90.0)
    assert alert.notified_at == TUESDAY and alert.resolved_at is None
    assert len(notifier.to(w["hanoi_manager"])) == 1


def test_the_contract_alert_goes_to_the_operators_managers_of_the_units_province_and_the_unit_side(
    session: Session, w: dict[str, Any]
) -> None:
    week_of_tasks(session, w, on_time=8, late=2)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    assert notifier.people() == {w[k].username for k in ("hanoi_manager", "officer", "supervisor")}


def test_the_contract_alert_is_in_vietnamese_and_names_the_contract_and_the_figures(
    session: Session, w: dict[str, Any]
) -> None:
    week_of_tasks(session, w, on_time=8, late=2)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    [message] = notifier.to(w["officer"])
    assert w["contract"].number in message.subject
    assert "80%" in message.subject and "90%" in message.subject and "8" in message.subject
    assert message.link == "/monitoring/alerts?rule=contract_sla"


def test_a_person_who_chose_english_is_told_in_english(session: Session, w: dict[str, Any]) -> None:
    w["officer"].locale = "en"
    week_of_tasks(session, w, on_time=8, late=2)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    [message] = notifier.to(w["officer"])
    assert "of this week's tasks on time" in message.subject


def test_overdue_open_tasks_count_against_the_contract(session: Session, w: dict[str, Any]) -> None:
    week_of_tasks(session, w, on_time=4, late=0, overdue=2)
    run(session, TUESDAY, Recorder())
    [alert] = alerts(session, "contract_sla")
    assert alert.value == pytest.approx(66.7)


def test_a_contract_exactly_at_its_threshold_is_not_alerted(session: Session, w: dict[str, Any]) -> None:
    week_of_tasks(session, w, on_time=9, late=1)
    run(session, TUESDAY, Recorder())
    assert alerts(session, "contract_sla") == []


def test_a_contract_with_fewer_judged_tasks_than_the_minimum_is_not_alerted(
    session: Session, w: dict[str, Any]
) -> None:
    week_of_tasks(session, w, on_time=2, late=2)
    run(session, TUESDAY, Recorder())
    assert alerts(session, "contract_sla") == []


def test_last_weeks_tasks_do_not_count_this_week(session: Session, w: dict[str, Any]) -> None:
    week_of_tasks(session, w, on_time=0, late=10, at=MONDAY - 3 * DAY)
    run(session, TUESDAY, Recorder())
    assert alerts(session, "contract_sla") == []


def test_the_thresholds_come_from_the_settings(session: Session, w: dict[str, Any]) -> None:
    week_of_tasks(session, w, on_time=9, late=1)
    run(session, TUESDAY, Recorder(), replace(SETTINGS, sla_percent=95))
    assert [a.threshold for a in alerts(session, "contract_sla")] == [95.0]


def test_the_contract_alert_resolves_when_compliance_is_back_at_the_threshold(
    session: Session, w: dict[str, Any]
) -> None:
    week_of_tasks(session, w, on_time=8, late=2)
    run(session, TUESDAY, Recorder())
    week_of_tasks(session, w, on_time=10, late=0, at=TUESDAY)
    run(session, TUESDAY + 2 * HOUR, Recorder())
    [alert] = alerts(session, "contract_sla")
    assert alert.resolved_at == TUESDAY + 2 * HOUR


def test_the_same_week_dipping_again_reopens_its_alert_without_telling_anyone_twice(
    session: Session, w: dict[str, Any]
) -> None:
    notifier = Recorder()
    week_of_tasks(session, w, on_time=8, late=2)
    run(session, TUESDAY, notifier)
    week_of_tasks(session, w, on_time=10, late=0, at=TUESDAY)
    run(session, TUESDAY + 2 * HOUR, notifier)
    week_of_tasks(session, w, on_time=0, late=5, at=TUESDAY + 2 * HOUR)
    run(session, TUESDAY + 3 * HOUR, notifier)
    [alert] = alerts(session, "contract_sla")
    assert alert.resolved_at is None
    assert len(notifier.to(w["officer"])) == 1


def test_a_contract_below_again_next_week_is_a_new_occurrence_told_again(
    session: Session, w: dict[str, Any]
) -> None:
    notifier = Recorder()
    week_of_tasks(session, w, on_time=8, late=2)
    run(session, TUESDAY, notifier)
    week_of_tasks(session, w, on_time=5, late=5, at=MONDAY + 7 * DAY)
    run(session, TUESDAY + 7 * DAY, notifier)
    first, second = alerts(session, "contract_sla")
    assert (first.occurrence, second.occurrence) == ("2026-W45", "2026-W46")
    assert first.resolved_at == TUESDAY + 7 * DAY and second.resolved_at is None
    assert len(notifier.to(w["officer"])) == 2


# --- stalled dossiers ------------------------------------------------------------------------------------


def dispatched(session: Session, w: dict[str, Any], at: datetime, **kwargs: Any) -> Dossier:
    """A dossier accepted, then dispatched at `at`, with nothing since."""
    return fm.past_dossier(
        session,
        w,
        Journey(accepted_at=at - HOUR, status="dispatched", events=[("dispatched", at)]),
        **kwargs,
    )


def move(session: Session, dossier: Dossier, code: str, status: str, at: datetime) -> DossierEvent:
    event = DossierEvent(dossier_id=dossier.id, code=code, at=at, place="Bưu cục")
    session.add(event)
    session.execute(sa.update(Dossier).where(Dossier.id == dossier.id).values(status=status))
    session.flush()
    return event


def last_event_id(session: Session, dossier: Dossier) -> int:
    last = sa.select(sa.func.max(DossierEvent.id)).where(DossierEvent.dossier_id == dossier.id)
    return int(session.scalar(last) or 0)


def test_a_dossier_without_movement_for_48_hours_is_alerted_once_to_its_offices_managers(
    session: Session, w: dict[str, Any]
) -> None:
    dossier = dispatched(session, w, MONDAY)
    notifier = Recorder()
    run(session, MONDAY + 49 * HOUR, notifier)
    run(session, MONDAY + 50 * HOUR, notifier)
    [alert] = alerts(session, "stalled")
    assert (alert.subject_key, alert.occurrence) == (
        f"dossier:{dossier.code}",
        str(last_event_id(session, dossier)),
    )
    assert alert.office_id == w["office"].id and alert.unit_id == w["unit"].id
    assert notifier.people() == {w["office_manager"].username}
    [message] = notifier.sent
    assert dossier.code in message.subject and "48" in message.subject


def test_a_dossier_moved_47_hours_ago_is_not_stalled(session: Session, w: dict[str, Any]) -> None:
    dispatched(session, w, MONDAY)
    run(session, MONDAY + 47 * HOUR, Recorder())
    assert alerts(session, "stalled") == []


def test_a_dossier_at_the_unit_or_delivered_is_not_the_posts_to_move(
    session: Session, w: dict[str, Any]
) -> None:
    for status in ("received", "delivered", "returned"):
        fm.past_dossier(session, w, Journey(accepted_at=MONDAY - 10 * DAY, status=status))
    run(session, MONDAY, Recorder())
    assert alerts(session, "stalled") == []


def test_without_managers_at_the_office_the_provincial_post_is_told_then_the_head_office(
    session: Session, w: dict[str, Any]
) -> None:
    w["office_manager"].active = False
    saigon = factories.post_office(session, w["operator"], province_code="79")
    provincial = factories.user(
        session, Role.POSTAL_MANAGER, organization=w["operator"], post_office_id=saigon.id
    )
    dispatched(session, w, MONDAY)
    notifier = Recorder()
    run(session, MONDAY + 49 * HOUR, notifier)
    assert notifier.people() == {provincial.username}


def test_the_stall_alert_resolves_when_the_dossier_moves(session: Session, w: dict[str, Any]) -> None:
    dossier = dispatched(session, w, MONDAY)
    run(session, MONDAY + 49 * HOUR, Recorder())
    move(session, dossier, "received", "received", MONDAY + 50 * HOUR)
    run(session, MONDAY + 51 * HOUR, Recorder())
    [alert] = alerts(session, "stalled")
    assert alert.resolved_at == MONDAY + 51 * HOUR


def test_a_dossier_that_moves_and_stalls_again_is_a_new_occurrence_told_again(
    session: Session, w: dict[str, Any]
) -> None:
    notifier = Recorder()
    dossier = fm.past_dossier(session, w, Journey(accepted_at=MONDAY))
    run(session, MONDAY + 49 * HOUR, notifier)
    event = move(session, dossier, "digitized", "digitized", MONDAY + 50 * HOUR)
    run(session, MONDAY + 51 * HOUR, notifier)
    run(session, MONDAY + 99 * HOUR, notifier)
    first, second = alerts(session, "stalled")
    assert first.resolved_at == MONDAY + 51 * HOUR
    assert second.occurrence == str(event.id) and second.resolved_at is None
    assert len(notifier.to(w["office_manager"])) == 2


def test_many_stalled_dossiers_make_one_digest_per_manager(session: Session, w: dict[str, Any]) -> None:
    codes = [dispatched(session, w, MONDAY).code for _ in range(3)]
    notifier = Recorder()
    run(session, MONDAY + 49 * HOUR, notifier, replace(SETTINGS, digest_items=2))
    [message] = notifier.to(w["office_manager"])
    assert "3" in message.subject
    assert codes[0] in message.body and codes[1] in message.body and codes[2] not in message.body
    assert "1" in message.body.splitlines()[-1]


def test_a_round_opens_at_most_its_share_of_new_alerts_and_the_next_round_the_rest(
    session: Session, w: dict[str, Any]
) -> None:
    for _ in range(3):
        dispatched(session, w, MONDAY)
    few = replace(SETTINGS, per_round=2)
    assert run(session, MONDAY + 49 * HOUR, Recorder(), few)["alerts_opened"] == 2
    assert run(session, MONDAY + 50 * HOUR, Recorder(), few)["alerts_opened"] == 1
    assert len(alerts(session, "stalled")) == 3


# --- backlog ---------------------------------------------------------------------------------------------


def waiting(session: Session, w: dict[str, Any], count: int, accepted_at: datetime) -> list[Dossier]:
    return [fm.past_dossier(session, w, Journey(accepted_at=accepted_at)) for _ in range(count)]


def test_an_office_with_20_dossiers_undispatched_for_a_day_is_alerted_once(
    session: Session, w: dict[str, Any]
) -> None:
    waiting(session, w, 20, MONDAY)
    notifier = Recorder()
    run(session, MONDAY + 25 * HOUR, notifier)
    run(session, MONDAY + 26 * HOUR, notifier)
    [alert] = alerts(session, "backlog")
    assert (alert.subject_key, alert.occurrence, alert.value) == (
        f"office:{w['office'].id}",
        "2026-11-03",
        20,
    )
    assert notifier.people() == {w["office_manager"].username}
    assert w["office"].name in notifier.sent[0].subject


def test_nineteen_waiting_or_dossiers_accepted_today_are_no_backlog(
    session: Session, w: dict[str, Any]
) -> None:
    waiting(session, w, 19, MONDAY)
    waiting(session, w, 5, MONDAY + 20 * HOUR)
    run(session, MONDAY + 25 * HOUR, Recorder())
    assert alerts(session, "backlog") == []


def test_the_backlog_alert_resolves_when_dispatching_brings_it_under_the_size(
    session: Session, w: dict[str, Any]
) -> None:
    three = waiting(session, w, 3, MONDAY)
    small = replace(SETTINGS, backlog_size=3)
    run(session, MONDAY + 25 * HOUR, Recorder(), small)
    move(session, three[0], "dispatched", "dispatched", MONDAY + 26 * HOUR)
    run(session, MONDAY + 27 * HOUR, Recorder(), small)
    [alert] = alerts(session, "backlog")
    assert alert.resolved_at == MONDAY + 27 * HOUR


def test_a_backlog_again_the_next_day_is_a_new_occurrence_told_again(
    session: Session, w: dict[str, Any]
) -> None:
    small = replace(SETTINGS, backlog_size=3)
    notifier = Recorder()
    three = waiting(session, w, 3, MONDAY)
    run(session, MONDAY + 25 * HOUR, notifier, small)
    move(session, three[0], "dispatched", "dispatched", MONDAY + 26 * HOUR)
    run(session, MONDAY + 27 * HOUR, notifier, small)
    waiting(session, w, 1, MONDAY + 2 * HOUR)
    run(session, MONDAY + 49 * HOUR, notifier, small)
    first, second = alerts(session, "backlog")
    assert (first.occurrence, second.occurrence) == ("2026-11-03", "2026-11-04")
    assert len(notifier.to(w["office_manager"], "backlog")) == 2


# --- satisfaction ----------------------------------------------------------------------------------------


def rated(
    session: Session, w: dict[str, Any], satisfied: int, not_satisfied: int, subject: str, now: datetime
) -> None:
    """Ratings given a day before `now` (the factory rates 12 days after acceptance)."""
    accepted = now - 13 * DAY
    for level in ["satisfied"] * satisfied + ["not_satisfied"] * not_satisfied:
        fm.past_dossier(
            session, w, Journey(accepted_at=accepted, status="delivered", ratings={subject: level})
        )


def test_an_office_below_the_postal_satisfaction_target_is_alerted_once(
    session: Session, w: dict[str, Any]
) -> None:
    rated(session, w, 9, 1, "postal", TUESDAY)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    run(session, TUESDAY + HOUR, notifier)
    [alert] = alerts(session, "satisfaction")
    assert (alert.subject_key, alert.occurrence, alert.value) == (
        f"office:{w['office'].id}:postal",
        "2026-W45",
        90.0,
    )
    assert notifier.people() == {w["office_manager"].username}


def test_a_unit_below_the_unit_satisfaction_target_is_told_to_the_unit_side(
    session: Session, w: dict[str, Any]
) -> None:
    rated(session, w, 9, 1, "unit", TUESDAY)
    notifier = Recorder()
    run(session, TUESDAY, notifier)
    [alert] = alerts(session, "satisfaction")
    assert alert.subject_key == f"unit:{w['unit'].id}:unit" and alert.operator_id is None
    assert notifier.people() == {w["officer"].username, w["supervisor"].username}


def test_fewer_ratings_than_the_minimum_raise_no_satisfaction_alert(
    session: Session, w: dict[str, Any]
) -> None:
    rated(session, w, 5, 4, "postal", TUESDAY)
    run(session, TUESDAY, Recorder())
    assert alerts(session, "satisfaction") == []


def test_satisfaction_at_the_target_raises_no_alert(session: Session, w: dict[str, Any]) -> None:
    rated(session, w, 19, 1, "postal", TUESDAY)
    run(session, TUESDAY, Recorder())
    assert alerts(session, "satisfaction") == []


def test_the_satisfaction_alert_resolves_when_the_poor_ratings_leave_the_30_days(
    session: Session, w: dict[str, Any]
) -> None:
    rated(session, w, 9, 1, "postal", TUESDAY)
    run(session, TUESDAY, Recorder())
    run(session, TUESDAY + 30 * DAY, Recorder())
    [alert] = alerts(session, "satisfaction")
    assert alert.resolved_at == TUESDAY + 30 * DAY


def test_satisfaction_falling_again_weeks_later_is_a_new_occurrence_told_again(
    session: Session, w: dict[str, Any]
) -> None:
    notifier = Recorder()
    rated(session, w, 9, 1, "postal", TUESDAY)
    run(session, TUESDAY, notifier)
    run(session, TUESDAY + 30 * DAY, notifier)
    rated(session, w, 9, 1, "postal", TUESDAY + 35 * DAY)
    run(session, TUESDAY + 35 * DAY, notifier)
    first, second = alerts(session, "satisfaction")
    assert (first.occurrence, second.occurrence) == ("2026-W45", "2026-W50")
    assert len(notifier.to(w["office_manager"])) == 2


# --- the worker round and who sees what ------------------------------------------------------------------


def test_the_worker_round_evaluates_the_alerts_with_the_configured_thresholds(
    session: Session, w: dict[str, Any]
) -> None:
    current_app.config["MONITORING_STALL_HOURS"] = 24  # the test session's own app
    dispatched(session, w, MONDAY)
    summary = jobs.dashboards(session, MONDAY + 25 * HOUR, InboxNotifier())
    assert summary["alerts_opened"] == 1 and summary["alert_notifications"] == 1
    assert [a.threshold for a in alerts(session, "stalled")] == [24.0]
    inbox = session.scalars(sa.select(Notification).where(Notification.user_id == w["office_manager"].id))
    assert len(inbox.all()) == 1


@pytest.fixture
def spread(session: Session, w: dict[str, Any]) -> dict[str, Any]:
    """One alert of each kind: the contract's, a stalled dossier, the office's backlog, the unit's
    satisfaction; and another operator's stalled dossier elsewhere."""
    week_of_tasks(session, w, on_time=0, late=5, at=MONDAY)
    stuck = dispatched(session, w, MONDAY - 3 * DAY)
    waiting(session, w, 20, TUESDAY - 30 * HOUR)  # waiting a day, not yet stalled
    rated(session, w, 0, 10, "unit", TUESDAY)
    other = fm.second_world(session, w)
    elsewhere = dispatched(session, other, MONDAY - 3 * DAY)
    run(session, TUESDAY, Recorder())
    return {"stuck": stuck, "elsewhere": elsewhere, "other": other}


def keys(rows: list[Any]) -> set[str]:
    return {r.alert.subject_key for r in rows}


def test_an_administrator_sees_every_open_alert(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    rows = open_alerts(session, Scope(), limit=100)
    assert {f"dossier:{spread['stuck'].code}", f"dossier:{spread['elsewhere'].code}"} <= keys(rows)
    assert {r.alert.rule for r in rows} == {"contract_sla", "stalled", "backlog", "satisfaction"}


def test_a_head_office_manager_sees_their_operators_alerts_only(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    rows = open_alerts(session, scope_for(session, w["head_manager"]), limit=100)
    assert f"dossier:{spread['stuck'].code}" in keys(rows)
    assert f"dossier:{spread['elsewhere'].code}" not in keys(rows)
    assert f"unit:{w['unit'].id}:unit" not in keys(rows)  # the unit's own satisfaction is the unit's


def test_a_manager_of_another_operator_sees_none_of_them(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    rows = open_alerts(session, scope_for(session, w["stranger"]))
    assert rows == []


def test_a_provincial_manager_sees_the_alerts_of_their_province(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    saigon = {r.alert.rule for r in open_alerts(session, scope_for(session, w["office_manager"]))}
    hanoi = {r.alert.rule for r in open_alerts(session, scope_for(session, w["hanoi_manager"]))}
    assert saigon == {"stalled", "backlog"}  # the office is in TP HCM
    assert hanoi == {"contract_sla"}  # the contract's unit is in Hà Nội


def test_the_unit_side_sees_its_contract_its_dossiers_and_its_satisfaction(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    for person in ("officer", "supervisor"):
        rows = open_alerts(session, scope_for(session, w[person]), limit=100)
        assert {r.alert.rule for r in rows} == {"contract_sla", "stalled", "satisfaction"}
        assert f"dossier:{spread['elsewhere'].code}" not in keys(rows)


def test_open_alerts_are_newest_first_and_limited(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    later = dispatched(session, w, TUESDAY - 3 * DAY)
    run(session, TUESDAY + HOUR, Recorder())
    rows = open_alerts(session, Scope(), limit=2)
    assert len(rows) == 2 and rows[0].alert.subject_key == f"dossier:{later.code}"


def test_resolved_alerts_leave_the_dashboards_list(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    move(session, spread["stuck"], "received", "received", TUESDAY + HOUR)
    run(session, TUESDAY + 2 * HOUR, Recorder())
    assert f"dossier:{spread['stuck'].code}" not in keys(open_alerts(session, Scope()))


def test_the_dashboards_lines_say_each_alert_in_a_sentence(
    session: Session, w: dict[str, Any], spread: dict[str, Any]
) -> None:
    lines = alert_lines(session, scope_for(session, w["officer"]))
    assert any(w["contract"].number in line["text"] for line in lines)
    assert all(line["link"].startswith("/monitoring/alerts?rule=") for line in lines)


RACERS = 4


@pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_workers_racing_open_the_alert_once_and_tell_once(own_schema: str) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": RACERS + 2})
    with app.app_context():
        sync_places(db.session)
        w = fm.world(db.session)
        manager = factories.user(
            db.session, Role.POSTAL_MANAGER, organization=w["operator"], post_office_id=w["office"].id
        )
        dispatched(db.session, w, MONDAY)
        db.session.commit()
    barrier = threading.Barrier(RACERS, timeout=30)
    notifiers = [Recorder() for _ in range(RACERS)]
    failures: list[BaseException] = []

    def race(notifier: Recorder) -> None:
        try:
            with app.app_context():
                barrier.wait()
                evaluate(db.session, MONDAY + 49 * HOUR, notifier, SETTINGS)
                db.session.commit()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=race, args=(n,)) for n in notifiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.app_context():
        opened = len(alerts(db.session, "stalled"))
    app.extensions["postal_hub_db"]["engine"].dispose()
    assert failures == []
    assert opened == 1
    assert sum(len(n.to(manager)) for n in notifiers) == 1

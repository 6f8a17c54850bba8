"""Expiry reminders: once per certificate per threshold, to the holder and their office's managers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub import jobs
from postal_hub.core.notifications import InboxNotifier, Notification
from postal_hub.core.users.models import Role, User
from postal_hub.training.models import Certificate, CertificateReminder
from postal_hub.training.reminders import remind_expiring
from tests import factories
from tests.factories_training import expiring_in, procedure_group

TODAY = date(2026, 11, 20)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi


def _days_before(certificate: Certificate, days: int) -> datetime:
    return _at(certificate.expires_on - timedelta(days=days))


@pytest.fixture
def office_world(session: Session) -> dict[str, Any]:
    op = factories.operator(session)
    office = factories.post_office(session, op)
    elsewhere = factories.post_office(session, op)
    clerk = factories.user(session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
    managers = [
        factories.user(session, Role.POSTAL_MANAGER, organization=op, post_office_id=office.id)
        for _ in range(2)
    ]
    other_manager = factories.user(session, Role.POSTAL_MANAGER, organization=op, post_office_id=elsewhere.id)
    return {
        "op": op,
        "office": office,
        "clerk": clerk,
        "managers": managers,
        "other_manager": other_manager,
        "group": procedure_group(session, "RM"),
    }


def _inbox(session: Session, user: User | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(Notification)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return int(session.scalar(stmt) or 0)


def _thresholds(session: Session, certificate: Certificate) -> set[int]:
    return set(
        session.scalars(
            sa.select(CertificateReminder.threshold_days).where(
                CertificateReminder.certificate_id == certificate.id
            )
        )
    )


def _cert(session: Session, w: dict[str, Any], days: int, **overrides: Any) -> Certificate:
    """Each certificate for a group of its own: a later one for the same group would be a renewal."""
    return expiring_in(session, w["clerk"], [procedure_group(session)], TODAY, days, **overrides)


def test_nothing_is_sent_forty_days_before_expiry(session: Session, office_world: dict[str, Any]) -> None:
    _cert(session, office_world, 40)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 0
    assert _inbox(session) == 0


def test_twenty_days_before_the_holder_and_each_manager_of_the_office_are_reminded_once(
    session: Session, office_world: dict[str, Any]
) -> None:
    cert = _cert(session, office_world, 20)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 1
    w = office_world
    assert _inbox(session, w["clerk"]) == 1
    assert [_inbox(session, m) for m in w["managers"]] == [1, 1]
    assert _inbox(session, w["other_manager"]) == 0
    assert _thresholds(session, cert) == {30}


def test_a_second_run_the_same_day_sends_nothing_new(session: Session, office_world: dict[str, Any]) -> None:
    _cert(session, office_world, 20)
    remind_expiring(session, InboxNotifier(), _at(TODAY))
    before = _inbox(session)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY) + timedelta(hours=1)) == 0
    assert _inbox(session) == before


def test_the_seven_day_reminder_follows_the_thirty_day_one(
    session: Session, office_world: dict[str, Any]
) -> None:
    cert = _cert(session, office_world, 20)
    notifier = InboxNotifier()
    assert remind_expiring(session, notifier, _days_before(cert, 20)) == 1
    assert remind_expiring(session, notifier, _days_before(cert, 10)) == 0
    assert remind_expiring(session, notifier, _days_before(cert, 5)) == 1
    assert remind_expiring(session, notifier, _days_before(cert, 4)) == 0
    assert _inbox(session, office_world["clerk"]) == 2
    assert _thresholds(session, cert) == {30, 7}


def test_a_certificate_first_seen_five_days_out_gets_one_message_and_both_thresholds_are_marked(
    session: Session, office_world: dict[str, Any]
) -> None:
    cert = _cert(session, office_world, 5)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 1
    assert _inbox(session, office_world["clerk"]) == 1
    assert _thresholds(session, cert) == {30, 7}
    assert remind_expiring(session, InboxNotifier(), _at(TODAY + timedelta(days=2))) == 0


@pytest.mark.parametrize(("days", "revoked"), [(10, True), (-1, False)], ids=["revoked", "expired yesterday"])
def test_a_revoked_or_expired_certificate_gets_no_reminder(
    session: Session, office_world: dict[str, Any], days: int, revoked: bool
) -> None:
    _cert(session, office_world, days, revoked=revoked)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 0
    assert _inbox(session) == 0


def test_the_message_names_the_certificate_and_its_day_and_links_to_it(
    session: Session, office_world: dict[str, Any]
) -> None:
    cert = _cert(session, office_world, 20)
    remind_expiring(session, InboxNotifier(), _at(TODAY))
    note = session.scalar(sa.select(Notification).where(Notification.user_id == office_world["clerk"].id))
    assert note is not None
    assert cert.number in note.subject and cert.expires_on.strftime("%d/%m/%Y") in note.subject
    assert note.link == f"/training/certificates/{cert.id}"


def test_staff_without_office_managers_have_the_operators_head_office_managers_told(
    session: Session, office_world: dict[str, Any]
) -> None:
    op = office_world["op"]
    lonely = factories.post_office(session, op)
    clerk = factories.user(session, Role.POSTAL_CLERK, organization=op, post_office_id=lonely.id)
    head = factories.user(session, Role.POSTAL_MANAGER, organization=op)
    expiring_in(session, clerk, [office_world["group"]], TODAY, 20)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 1
    assert (_inbox(session, clerk), _inbox(session, head)) == (1, 1)
    assert [_inbox(session, m) for m in office_world["managers"]] == [0, 0]


def test_the_worker_round_sends_the_reminders_and_reports_them(
    session: Session, office_world: dict[str, Any]
) -> None:
    _cert(session, office_world, 20)
    summary = jobs.run(session, _at(TODAY), InboxNotifier())
    assert summary["certificate_reminders"] == 1
    assert _inbox(session, office_world["clerk"]) == 1


def test_the_remind_expiring_command_prints_the_count_and_a_second_run_sends_nothing(
    app: Flask, session: Session, office_world: dict[str, Any]
) -> None:
    _cert(session, office_world, 20)
    _cert(session, office_world, 3)
    _cert(session, office_world, 60)
    session.commit()
    with app.app_context():  # as the postal-hub command (FlaskGroup) provides
        first = app.test_cli_runner().invoke(args=["remind-expiring"])
        second = app.test_cli_runner().invoke(args=["remind-expiring"])
    assert first.exit_code == 0 and "Certificates reminded: 2." in first.output
    assert second.exit_code == 0 and "Certificates reminded: 0." in second.output
    assert _inbox(session, office_world["clerk"]) == 2


def test_a_holder_who_already_renewed_is_not_reminded(session: Session, office_world: dict[str, Any]) -> None:
    group = procedure_group(session)
    expiring_in(session, office_world["clerk"], [group], TODAY, 20)
    expiring_in(session, office_world["clerk"], [group], TODAY, 700)
    assert remind_expiring(session, InboxNotifier(), _at(TODAY)) == 0
    assert _inbox(session, office_world["clerk"]) == 0

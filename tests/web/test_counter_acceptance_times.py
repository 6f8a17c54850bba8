"""The acceptance screen times the visit: a signed start of service and the queue ticket's time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.intake.forms import read_counter_start
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import AuthActions, count
from tests.fakes import FixedClock

START_TOKEN = re.compile(r'name="counter_start" type="hidden" value="([^"]*)"')


@pytest.fixture
def world(session: Session, auth: AuthActions) -> dict[str, Any]:
    world = factories.intake_setup(session)
    session.commit()
    auth.sign_in(world["clerk"].username)
    return world


def _open_screen(client: FlaskClient, world: dict[str, Any]) -> str:
    """Opens the acceptance screen and returns its start-of-service token."""
    page = client.get(f"/desk/accept?procedure={world['procedure'].code}").get_data(as_text=True)
    found = START_TOKEN.search(page)
    assert found is not None
    return found.group(1)


def _form(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "procedure_code": world["procedure"].code,
        "submission_token": "tok-timed-1",
        "applicant_name": "Nguyễn Văn An",
        "citizen_id": "001090012345",
        "phone": "0912 345 678",
        "province_code": "01",
        "commune_code": "00097",
        "street": "12 Phúc Xá",
        "present": ["TP1", "TP2"],
        "result_delivery": "home",
        "payment_method": "cash",
    }
    data.update(overrides)
    return data


def test_the_acceptance_screen_carries_a_signed_start_of_service(
    app: Flask, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    token = _open_screen(client, world)
    assert read_counter_start(app.config["SECRET_KEY"], token, clock.now()) == clock.now()


def test_a_counter_acceptance_keeps_the_ticket_time_and_the_start_of_service(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    opened = clock.now()  # 09:00 in Hanoi
    token = _open_screen(client, world)
    clock.advance(minutes=14)
    response = client.post("/desk/accept", data=_form(world, counter_start=token, counter_queued_at="08:40"))
    assert response.status_code == 302
    dossier = session.query(Dossier).one()
    assert dossier.counter_started_at == opened
    assert dossier.counter_queued_at == opened - timedelta(minutes=20)
    assert dossier.accepted_at - dossier.counter_started_at == timedelta(minutes=14)


def test_a_forged_start_of_service_is_accepted_with_the_start_unknown(
    session: Session, client: FlaskClient, world: dict[str, Any]
) -> None:
    response = client.post("/desk/accept", data=_form(world, counter_start="forged.token.value"))
    assert response.status_code == 302
    assert session.query(Dossier).one().counter_started_at is None


def test_a_form_sent_back_for_a_typo_keeps_its_original_start_of_service(
    client: FlaskClient, world: dict[str, Any], clock: FixedClock
) -> None:
    token = _open_screen(client, world)
    clock.advance(minutes=5)
    page = client.post("/desk/accept", data=_form(world, counter_start=token, phone="abc")).get_data(
        as_text=True
    )
    assert 'id="phone-err"' in page
    assert START_TOKEN.findall(page) == [token]


@pytest.mark.parametrize(
    ("typed", "minutes_later"),
    [("8.7", 0), ("09:30", 0), ("08:30", 12 * 60), ("09:05", 10)],
    ids=["unreadable", "later-than-now", "over-twelve-hours-ago", "after-service-started"],
)
def test_an_impossible_queue_ticket_time_is_marked_on_its_field_and_nothing_is_saved(
    app: Flask,
    session: Session,
    client: FlaskClient,
    world: dict[str, Any],
    clock: FixedClock,
    typed: str,
    minutes_later: int,
) -> None:
    # The clerk's session outlives the wait (idle sessions are otherwise signed out after two hours).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=13)
    token = _open_screen(client, world)  # at 09:00 in Hanoi
    clock.advance(minutes=minutes_later)
    page = client.post("/desk/accept", data=_form(world, counter_start=token, counter_queued_at=typed))
    assert 'id="counter_queued_at-err"' in page.get_data(as_text=True)
    assert count(session, Dossier) == 0

"""The forms that take a phone number or a citizen ID send it by POST and answer with an address that
does not carry it (the GET sweep in test_security_sweep.py checks every link and every form)."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.delivery import tokens
from tests import factories
from tests.conftest import TEST_CONFIG
from tests.factories_delivery import delivery_at_office, delivery_world
from tests.fakes import FixedClock

AUTHORISED_ID = "001085067890"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_finding_a_lost_pickup_link_answers_with_an_address_without_the_phone(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.pickup_setup(session)
    pickup = factories.booked_pickup(session, world, clock.now())
    session.commit()
    answer = client.post(
        "/pickup/find", data={"reference": pickup.reference, "phone": pickup.applicant_phone}
    )
    assert answer.status_code == 302
    assert _digits(pickup.applicant_phone)[-9:] not in _digits(answer.headers["Location"])


def test_recording_an_authorised_person_answers_with_an_address_without_the_citizen_id(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, delivery_world(session), clock.now())
    session.commit()
    code = delivery.dossier.code
    token = tokens.manage_token(str(TEST_CONFIG["SECRET_KEY"]), code, delivery.manage_salt)
    assert client.get(f"/results/{code}", query_string={"token": token}).status_code == 302
    answer = client.post(
        f"/results/{code}/authorise", data={"name": "Trần Thị Bình", "citizen_id": AUTHORISED_ID}
    )
    assert answer.status_code == 302
    assert AUTHORISED_ID not in _digits(answer.headers["Location"])
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert AUTHORISED_ID not in page


def test_a_refused_citizen_id_is_not_echoed_into_an_address(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    delivery = delivery_at_office(session, delivery_world(session), clock.now())
    session.commit()
    code = delivery.dossier.code
    token = tokens.manage_token(str(TEST_CONFIG["SECRET_KEY"]), code, delivery.manage_salt)
    client.get(f"/results/{code}", query_string={"token": token})
    answer: Any = client.post(f"/results/{code}/authorise", data={"name": "Bình", "citizen_id": "0010850678"})
    assert "Location" not in answer.headers or "0010850678" not in _digits(answer.headers["Location"])

"""Public tracking reads a dossier with its whole timeline in one statement (bench/throughput.py)."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.intake.lifecycle import record_event
from tests import factories
from tests.fakes import FixedClock


def test_tracking_shows_every_event_of_the_dossier_in_the_order_they_happened(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    for hours, code in enumerate(("digitized", "dispatched", "arrived", "received"), start=1):
        record_event(session, dossier, code, clock.now() + timedelta(hours=hours), "Bưu cục", None)
    session.commit()
    events = client.get(f"/api/v1/track/{dossier.code}").get_json()["events"]
    assert [e["code"] for e in events] == ["accepted", "digitized", "dispatched", "arrived", "received"]


def test_tracking_one_dossier_never_shows_another_dossiers_events(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    first = factories.accepted_dossier(session, world, clock.now())
    second = factories.accepted_dossier(session, world, clock.now())
    record_event(session, second, "digitized", clock.now() + timedelta(hours=1), "Bưu cục", None)
    session.commit()
    events = client.get(f"/api/v1/track/{first.item_number}").get_json()["events"]
    assert [e["code"] for e in events] == ["accepted"]


def test_the_tracking_page_shows_the_same_timeline_by_item_number(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    record_event(session, dossier, "digitized", clock.now() + timedelta(hours=1), "Bưu cục", None)
    session.commit()
    page = client.get(f"/track/{dossier.item_number}")
    assert page.status_code == 200
    assert dossier.code in page.get_data(as_text=True)
    assert "Hồ sơ đã được số hóa" in page.get_data(as_text=True)


def test_tracking_json_sets_no_cookie(session: Session, client: FlaskClient, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    response = client.get(f"/api/v1/track/{dossier.code}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers

"""Public tracking reads a dossier with its whole timeline in one statement (bench/throughput.py)."""

from __future__ import annotations

from datetime import timedelta, timezone

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.intake.lifecycle import record_event
from postal_hub.intake.models import DossierEvent
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


def test_a_code_that_is_also_another_dossiers_item_number_finds_the_first_dossier(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    first = factories.accepted_dossier(session, world, clock.now())
    second = factories.accepted_dossier(session, world, clock.now())
    second.code = first.item_number
    session.commit()
    assert client.get(f"/api/v1/track/{first.item_number}").get_json()["dossier_code"] == first.code


def test_a_dossier_without_a_timeline_is_tracked_with_no_events(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    session.execute(sa.delete(DossierEvent).where(DossierEvent.dossier_id == dossier.id))
    session.commit()
    body = client.get(f"/api/v1/track/{dossier.code}").get_json()
    assert body["dossier_code"] == dossier.code and body["events"] == []


def test_tracking_describes_events_in_the_language_the_visitor_chose(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    vietnamese = client.get(f"/api/v1/track/{dossier.code}").get_json()["events"][0]["description"]
    with client.session_transaction() as visitor:
        visitor["lang"] = "en"
    english = client.get(f"/api/v1/track/{dossier.code}").get_json()["events"][0]["description"]
    assert (vietnamese, english) == (
        "Tiếp nhận hồ sơ tại bưu cục",
        "Posting / acceptance at the post office",
    )


def test_tracking_gives_every_time_in_vietnam_time_with_its_offset(
    session: Session, client: FlaskClient, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = factories.accepted_dossier(session, world, clock.now())
    session.commit()
    body = client.get(f"/api/v1/track/{dossier.code}").get_json()
    local = dossier.accepted_at.astimezone(timezone(timedelta(hours=7))).isoformat()
    assert (body["accepted_at"], body["events"][0]["at"]) == (local, local)
    assert body["due_at"].endswith("+07:00")

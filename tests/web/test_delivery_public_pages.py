"""The citizen's page for their result (no account, the link's token) and the staff's ratings page."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.delivery import tokens
from postal_hub.delivery.models import Delivery, SatisfactionRating
from postal_hub.delivery.ratings import RatingInput, rate
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.pickup.models import PickupSlot
from postal_hub.pickup.schedule import Window
from postal_hub.pickup.seats import ensure_slot
from tests.conftest import TEST_CONFIG, AuthActions, count
from tests.factories import applicant, next_window, user
from tests.factories_delivery import delivered_result, delivery_at_office, delivery_world

OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội: another unit's commune
MONDAY_10 = next_window(10)  # Monday 23/11/2026 10:00, a window of the office's schedule
RATING = {"postal_level": "very_satisfied", "unit_level": "satisfied"}


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _token(delivery: Delivery) -> str:
    return tokens.manage_token(str(TEST_CONFIG["SECRET_KEY"]), delivery.dossier.code, delivery.manage_salt)


def _url(delivery: Delivery, action: str = "") -> str:
    return f"/results/{delivery.dossier.code}" + (f"/{action}" if action else "")


def _open(client: FlaskClient, delivery: Delivery) -> str:
    """Follow the text message's link; the page is then open in this browser's session."""
    answer = client.get(_url(delivery), query_string={"token": _token(delivery)})
    assert answer.status_code == 302
    return client.get(answer.headers["Location"]).get_data(as_text=True)


def _booked(session: Session, start: Any, office_id: int) -> int:
    found = session.scalar(
        sa.select(PickupSlot.booked).where(PickupSlot.office_id == office_id, PickupSlot.start_at == start)
    )
    return int(found or 0)


# --- the link ---------------------------------------------------------------------------------------


def test_the_link_opens_the_page_and_drops_the_token_from_the_address(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    answer = client.get(_url(delivery), query_string={"token": _token(delivery)})
    assert answer.status_code == 302 and "token" not in answer.headers["Location"]
    assert delivery.dossier.code in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_wrong_token_is_not_found(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert client.get(_url(delivery), query_string={"token": "wrong"}).status_code == 404


def test_the_page_without_a_token_is_not_found(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert client.get(_url(delivery)).status_code == 404


def test_one_results_token_does_not_open_another_dossier(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    mine = delivery_at_office(session, world, clock.now())
    other = delivery_at_office(session, world, clock.now())
    _open(client, mine)
    assert client.get(_url(other), query_string={"token": _token(mine)}).status_code == 404
    assert client.get(_url(other)).status_code == 404


def test_an_unknown_dossier_code_is_not_found(client: FlaskClient) -> None:
    assert client.get("/results/000.00.00.H00-261120-0001", query_string={"token": "x"}).status_code == 404


def test_the_page_shows_the_window_the_office_and_a_masked_name(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    page = _open(client, delivery)
    assert "21/11/2026" in page  # the first window with a seat: Saturday morning
    assert world["office"].name in page and world["procedure"].name in page
    assert "Nguyễn V. A." in page


def test_the_page_shows_no_citizen_id_phone_or_address(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    page = _open(client, delivery)
    for secret in ("001090012345", "912345678", "912 345 678", "Nguyễn Văn An", "Phúc Xá"):
        assert secret not in page


# --- a new window -----------------------------------------------------------------------------------


def test_the_page_offers_the_free_windows_of_a_day(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    page = client.get(_url(delivery), query_string={"date": "2026-11-23"}).get_data(as_text=True)
    assert MONDAY_10.isoformat() in page


def test_choosing_a_new_window_moves_the_seat(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    old_start, office_id = delivery.window_start, world["office"].id
    _open(client, delivery)
    answer = client.post(
        _url(delivery, "window"), data={"date": "2026-11-23", "slot_start": MONDAY_10.isoformat()}
    )
    assert answer.status_code == 302
    session.refresh(delivery)
    assert delivery.window_start == MONDAY_10
    assert _booked(session, old_start, office_id) == 0 and _booked(session, MONDAY_10, office_id) == 1


def test_a_full_window_is_refused_and_the_seat_stays(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    old_start = delivery.window_start
    end = next_window(12)
    slot_id = ensure_slot(session, world["office"].id, Window(MONDAY_10, end), 4)
    session.execute(sa.update(PickupSlot).where(PickupSlot.id == slot_id).values(booked=PickupSlot.capacity))
    _open(client, delivery)
    answer = client.post(
        _url(delivery, "window"), data={"date": "2026-11-23", "slot_start": MONDAY_10.isoformat()}
    )
    assert answer.status_code == 409
    session.refresh(delivery)
    assert delivery.window_start == old_start
    assert _booked(session, old_start, world["office"].id) == 1


def test_a_time_that_is_not_a_window_marks_the_window_field(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    answer = client.post(
        _url(delivery, "window"), data={"date": "2026-11-23", "slot_start": next_window(7).isoformat()}
    )
    assert answer.status_code == 422 and 'id="slot_start-err"' in answer.get_data(as_text=True)


# --- collection at the office, an authorised person -------------------------------------------------


def test_the_citizen_switches_to_collection_at_the_office(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    assert client.post(_url(delivery, "collect")).status_code == 302
    session.refresh(delivery)
    assert delivery.method == "post_office" and delivery.slot_id is None


def test_the_page_of_a_result_to_collect_shows_the_opening_hours_and_no_window_choice(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    page = _open(client, delivery)
    assert "07:30–17:00" in page and world["office"].address in page
    assert _url(delivery, "window") not in page


def test_switching_a_result_already_out_for_delivery_is_a_conflict(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    from postal_hub.delivery.events import set_status

    delivery = delivery_at_office(session, world, clock.now())
    set_status(
        session,
        delivery,
        DeliveryStatus.ASSIGNED,
        clock.now(),
        None,
        "assigned",
        postman_id=world["postman"].id,
    )
    set_status(session, delivery, DeliveryStatus.OUT, clock.now(), None, "out")
    _open(client, delivery)
    assert client.post(_url(delivery, "collect")).status_code == 409
    session.refresh(delivery)
    assert delivery.method == "home"


def test_the_citizen_records_an_authorised_person(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    answer = client.post(
        _url(delivery, "authorise"), data={"name": "Trần Thị Bình", "citizen_id": "001085067890"}
    )
    assert answer.status_code == 302
    session.refresh(delivery)
    assert delivery.authorised_citizen_id == "001085067890"
    page = client.get(_url(delivery)).get_data(as_text=True)
    assert "Trần T. B." in page and "001085067890" not in page


def test_a_bad_citizen_id_for_the_authorised_person_marks_that_field(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    answer = client.post(_url(delivery, "authorise"), data={"name": "Trần Thị Bình", "citizen_id": "12345"})
    assert answer.status_code == 422 and 'id="citizen_id-err"' in answer.get_data(as_text=True)
    session.refresh(delivery)
    assert delivery.authorised_citizen_id == ""


# --- the rating -------------------------------------------------------------------------------------


def test_the_rating_form_is_not_offered_before_delivery(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert _url(delivery, "rating") not in _open(client, delivery)


def test_the_rating_form_is_offered_once_delivered(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    page = _open(client, delivery)
    assert _url(delivery, "rating") in page and _url(delivery, "window") not in page


def test_the_citizen_rates_the_post_and_the_unit(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    _open(client, delivery)
    assert client.post(_url(delivery, "rating"), data=RATING).status_code == 302
    levels = {r.subject: r.level for r in session.scalars(sa.select(SatisfactionRating))}
    assert levels == {"postal": "very_satisfied", "unit": "satisfied"}
    assert _url(delivery, "rating") not in client.get(_url(delivery)).get_data(as_text=True)


def test_a_second_rating_is_a_conflict_and_adds_nothing(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    _open(client, delivery)
    client.post(_url(delivery, "rating"), data=RATING)
    again = client.post(
        _url(delivery, "rating"), data={"postal_level": "satisfied", "unit_level": "satisfied"}
    )
    assert again.status_code == 409
    assert count(session, SatisfactionRating) == 2


def test_not_satisfied_without_a_reason_marks_the_reasons(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    _open(client, delivery)
    answer = client.post(
        _url(delivery, "rating"), data={"postal_level": "not_satisfied", "unit_level": "satisfied"}
    )
    assert answer.status_code == 422 and 'id="postal_reasons-err"' in answer.get_data(as_text=True)
    assert count(session, SatisfactionRating) == 0


def test_not_satisfied_with_reasons_is_recorded(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivered_result(session, world, clock.now())
    _open(client, delivery)
    data = {**RATING, "unit_level": "not_satisfied", "unit_reasons": ["late", "extra_requests"]}
    assert client.post(_url(delivery, "rating"), data=data).status_code == 302
    unit = session.scalar(sa.select(SatisfactionRating).where(SatisfactionRating.subject == "unit"))
    assert unit is not None and unit.reasons == "late,extra_requests"


def test_rating_before_delivery_is_refused(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    _open(client, delivery)
    assert client.post(_url(delivery, "rating"), data=RATING).status_code == 409
    assert count(session, SatisfactionRating) == 0


# --- the staff's ratings page -------------------------------------------------------------------------


def _rated(
    session: Session, world: dict[str, Any], now: Any, level: str = "satisfied", **kw: Any
) -> Delivery:
    delivery = delivered_result(session, world, now, **kw)
    rate(session, delivery.dossier, RatingInput(level), RatingInput(level), now)
    return delivery


def _other_world(session: Session) -> dict[str, Any]:
    return delivery_world(session, unit_commune=OTHER_COMMUNE)


def test_a_unit_officer_sees_their_units_ratings_and_rate(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _rated(session, world, clock.now())
    auth.sign_in(world["officer"].username)
    answer = client.get("/ratings")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and delivery.dossier.code in page
    assert 'data-rate="1.0000"' in page


def test_another_units_officer_does_not_see_the_ratings(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    mine = _rated(session, world, clock.now(), "satisfied")
    other = _other_world(session)
    theirs = _rated(
        session, other, clock.now(), "very_satisfied", applicant=applicant(commune_code=OTHER_COMMUNE)
    )
    auth.sign_in(other["officer"].username)
    page = client.get("/ratings").get_data(as_text=True)
    assert theirs.dossier.code in page and mine.dossier.code not in page
    assert 'data-level="satisfied" data-count="1"' not in page


def test_a_postal_manager_sees_their_operators_ratings_only(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    mine = _rated(session, world, clock.now())
    other = _other_world(session)
    theirs = _rated(session, other, clock.now(), applicant=applicant(commune_code=OTHER_COMMUNE))
    auth.sign_in(world["manager"].username)
    page = client.get("/ratings").get_data(as_text=True)
    assert mine.dossier.code in page and theirs.dossier.code not in page


def test_an_administrator_sees_every_units_ratings(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    mine = _rated(session, world, clock.now())
    other = _other_world(session)
    theirs = _rated(session, other, clock.now(), applicant=applicant(commune_code=OTHER_COMMUNE))
    auth.sign_in(user(session, Role.SYSTEM_ADMIN).username)
    page = client.get("/ratings").get_data(as_text=True)
    assert mine.dossier.code in page and theirs.dossier.code in page


def test_a_postman_may_not_open_the_ratings_page(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["postman"].username)
    assert client.get("/ratings").status_code == 403


def test_a_bad_month_on_the_ratings_page_marks_the_month(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["officer"].username)
    answer = client.get("/ratings", query_string={"month": "2026-13"})
    assert answer.status_code == 422 and 'id="f-month-err"' in answer.get_data(as_text=True)


def test_a_token_with_odd_characters_is_not_found(
    session: Session, client: FlaskClient, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    assert client.get(_url(delivery), query_string={"token": "ðœ€" * 43}).status_code == 404

"""The handover screens: the postman's door page, the office's counter, the unit's counter."""

from __future__ import annotations

import base64
import io
import random
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.notifications import Notification
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.intake.status import DossierStatus
from tests.conftest import AuthActions, count
from tests.factories_delivery import (
    APPLICANT_ID_TAIL,
    delivery_at_office,
    delivery_world,
    out_for_delivery,
    ready_result,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"strokes"
SIGNATURE_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
JPEG = b"\xff\xd8\xff\xe0" + b"a photo"


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


def _door(delivery: Delivery) -> str:
    return f"/deliveries/{delivery.dossier.code}/door"


def _collect(delivery: Delivery) -> str:
    return f"/deliveries/{delivery.dossier.code}/collect"


def _deliver(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "step": "deliver",
        "recipient": "applicant",
        "id_method": "citizen_id",
        "id_digits": APPLICANT_ID_TAIL,
        "signature": SIGNATURE_URL,
    }
    values.update(overrides)
    return values


def _out(session: Session, world: dict[str, Any], clock: Any, auth: AuthActions, **kw: Any) -> Delivery:
    delivery = out_for_delivery(session, world, clock.now(), **kw)
    session.commit()
    auth.sign_in(world["postman"].username)
    return delivery


def _reload(session: Session, delivery: Delivery) -> Delivery:
    session.expire_all()
    found = session.get(Delivery, delivery.id)
    assert found is not None
    return found


# ---- the door ---------------------------------------------------------------------------------


def test_the_door_page_offers_the_postman_the_handover_and_the_failure_forms(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    page = client.get(_door(delivery)).get_data(as_text=True)
    assert 'value="deliver"' in page and 'value="fail"' in page
    assert "js-signature-canvas" in page and 'name="photo"' in page and 'class="js-lat"' in page
    assert "js/signature.js" in page


def test_the_door_page_never_shows_the_expected_id_digits(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    page = client.get(_door(delivery)).get_data(as_text=True)
    without_phone = page.replace("912345678", "").replace("912 345 678", "")  # 0912345678 ends alike
    assert delivery.dossier.applicant_citizen_id not in page and APPLICANT_ID_TAIL not in without_phone


def test_another_postman_cannot_open_the_door_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    session.commit()
    auth.sign_in(world["second_postman"].username)
    assert client.get(_door(delivery)).status_code == 404
    assert client.post(_door(delivery), data=_deliver()).status_code == 404
    assert _reload(session, delivery).status == "out"


def test_a_clerk_does_not_use_the_door_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = out_for_delivery(session, world, clock.now())
    session.commit()
    auth.sign_in(world["clerk"].username)
    assert client.get(_door(delivery)).status_code == 403


def test_the_door_hands_the_result_over_with_a_drawn_signature(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    response = client.post(_door(delivery), data=_deliver(lat="21.0300", lon="105.8500"))
    assert response.status_code == 302 and response.headers["Location"].endswith(_door(delivery))
    delivery = _reload(session, delivery)
    assert delivery.status == "delivered" and delivery.dossier.status == DossierStatus.DELIVERED.value
    assert delivery.attempts_made[0].signature_sha256 is not None and delivery.attempts_made[0].lat == 21.03


def test_a_photo_taken_at_the_door_is_proof_enough(
    app: Flask, session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    data = _deliver(signature="", photo=(io.BytesIO(JPEG), "image.jpg"))
    response = client.post(_door(delivery), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    attempt = _reload(session, delivery).attempts_made[0]
    assert attempt.photo_sha256 is not None and app.extensions["file_store"].get(attempt.photo_sha256) == JPEG


def test_the_delivered_page_shows_the_outcome_without_the_forms(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    client.post(_door(delivery), data=_deliver())
    page = client.get(_door(delivery)).get_data(as_text=True)
    assert 'value="deliver"' not in page and "door-attempts" in page


def test_wrong_id_digits_at_the_door_stay_on_record(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    response = client.post(_door(delivery), data=_deliver(id_digits="0000"))
    assert response.status_code == 200 and 'id="id_digits-err"' in response.get_data(as_text=True)
    delivery = _reload(session, delivery)
    assert delivery.id_failures == 1 and delivery.status == "out"


def test_the_third_wrong_try_blocks_the_result_and_sends_the_postman_back_to_his_route(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    for _ in range(2):
        client.post(_door(delivery), data=_deliver(id_digits="0000"))
    response = client.post(_door(delivery), data=_deliver(id_digits="0000"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/pickups/my-route")
    assert _reload(session, delivery).status == "blocked"
    assert session.scalar(sa.select(Notification).where(Notification.user_id == world["manager"].id))


def test_proof_missing_at_the_door_is_shown_by_the_signature_and_nothing_is_saved(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    response = client.post(_door(delivery), data=_deliver(signature=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert"' in page.split('name="signature"')[1][:400]
    assert count(session, DeliveryAttempt) == 0 and _reload(session, delivery).status == "out"


def test_a_fee_typed_with_thousands_dots_is_understood(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth, amount_due=50_000)
    client.post(_door(delivery), data=_deliver(amount_collected="50.000", payment_method="cash"))
    attempt = _reload(session, delivery).attempts_made[0]
    assert (attempt.amount_collected, attempt.payment_method) == (50_000, "cash")


def test_a_failed_attempt_at_the_door_sends_the_postman_back_to_his_route(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    response = client.post(_door(delivery), data={"step": "fail", "reason": "nobody_home", "note": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pickups/my-route")
    delivery = _reload(session, delivery)
    assert (delivery.status, delivery.attempts) == ("at_office", 1)


def test_a_failed_attempt_for_another_reason_without_a_note_is_shown_by_the_note(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    response = client.post(_door(delivery), data={"step": "fail", "reason": "other", "note": ""})
    assert response.status_code == 200 and 'id="note-err"' in response.get_data(as_text=True)
    assert _reload(session, delivery).status == "out"


@pytest.mark.parametrize("step", [None, "", "accept", "both"])
def test_a_door_post_without_a_known_step_is_a_bad_request(
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: Any,
    step: str | None,
) -> None:
    delivery = _out(session, world, clock, auth)
    data = _deliver(step=step) if step is not None else {k: v for k, v in _deliver().items() if k != "step"}
    assert client.post(_door(delivery), data=data).status_code == 400


JUNK = ["", "abc", "-1", "9" * 25, "<script>alert(1)</script>", "0", "1.5", "nan", "ø" * 600, "00004", " "]
DOOR_FIELDS = [
    "recipient",
    "recipient_name",
    "relation",
    "id_method",
    "id_digits",
    "code",
    "signature",
    "amount_collected",
    "payment_method",
    "lat",
    "lon",
    "reason",
    "note",
    "outcome",
]


def test_no_handover_form_answers_with_a_server_error_whatever_is_posted(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth, amount_due=20_000)
    rng = random.Random(7)
    attempts = [dict.fromkeys(DOOR_FIELDS, value) for value in JUNK]
    attempts += [{f: rng.choice(JUNK) for f in rng.sample(DOOR_FIELDS, 7)} for _ in range(15)]
    failures = []
    for data in attempts:
        for step in ("deliver", "fail"):
            status = client.post(_door(delivery), data={**data, "step": step}).status_code
            if status >= 500:
                failures.append((step, {k: v[:12] for k, v in data.items()}))
    assert failures == [] and _reload(session, delivery).status == "out"


@pytest.mark.parametrize(
    "upload",
    [
        {"photo": (io.BytesIO(b"GIF89a not allowed"), "a.gif")},
        {"photo": (io.BytesIO(b""), "empty.jpg")},
        {"photo": (io.BytesIO(JPEG + b"0" * (5 * 1024 * 1024)), "huge.jpg")},
        {"signature": "data:image/png;base64,!!!not-base64"},
        {"signature": "data:image/svg+xml;base64,PHN2Zz4="},
        {"recipient": "authorised", "relation": "vợ", "authorisation": (io.BytesIO(b"%PDF-1.4"), "u.pdf")},
    ],
)
def test_bad_proof_uploads_are_refused_with_a_page_not_an_error(
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: Any,
    upload: dict[str, Any],
) -> None:
    delivery = _out(session, world, clock, auth)
    data = {**_deliver(signature=""), **upload}
    response = client.post(_door(delivery), data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert count(session, DeliveryAttempt) == 0


def test_a_request_over_the_size_limit_is_refused_cleanly(
    app: Flask, session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    delivery = _out(session, world, clock, auth)
    data = _deliver(photo=(io.BytesIO(JPEG + b"0" * (2 * 1024 * 1024)), "big.jpg"))
    response = client.post(_door(delivery), data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and _reload(session, delivery).status == "out"


# ---- the post office's counter ----------------------------------------------------------------


def test_the_counter_hands_a_result_for_collection_over_by_citizen_id(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    session.commit()
    auth.sign_in(world["clerk"].username)
    assert 'name="lat"' not in client.get(_collect(delivery)).get_data(as_text=True)
    data = {k: v for k, v in _deliver().items() if k != "step"}
    response = client.post(_collect(delivery), data=data)
    assert response.status_code == 302
    delivery = _reload(session, delivery)
    assert delivery.status == "delivered" and delivery.attempts_made[0].at_counter


def test_a_postman_does_not_use_the_counter_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    session.commit()
    auth.sign_in(world["postman"].username)
    assert client.get(_collect(delivery)).status_code == 403


def test_a_clerk_of_another_office_cannot_open_the_counter_page(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    from postal_hub.core.users.models import Role
    from tests.factories import post_office, user

    other = post_office(session, world["operator"])
    clerk = user(session, Role.POSTAL_CLERK, organization=world["operator"], post_office_id=other.id)
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    session.commit()
    auth.sign_in(clerk.username)
    assert client.get(_collect(delivery)).status_code == 404


def _blocked(
    session: Session, world: dict[str, Any], clock: Any, client: FlaskClient, auth: AuthActions
) -> Delivery:
    delivery = delivery_at_office(session, world, clock.now(), result_delivery="post_office")
    session.commit()
    auth.sign_in(world["clerk"].username)
    data = {k: v for k, v in _deliver(id_digits="0000").items() if k != "step"}
    for _ in range(3):
        client.post(_collect(delivery), data=data)
    auth.sign_out()
    assert _reload(session, delivery).status == "blocked"
    return delivery


def test_the_counter_page_offers_the_manager_the_release_of_a_blocked_result(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked(session, world, clock, client, auth)
    auth.sign_in(world["manager"].username)
    page = client.get(_collect(delivery)).get_data(as_text=True)
    assert f"/deliveries/{delivery.dossier.code}/release" in page and 'name="id_digits"' not in page


@pytest.mark.parametrize(("outcome", "status"), [("at_office", "at_office"), ("to_return", "to_return")])
def test_the_manager_releases_a_blocked_result_or_sends_it_back(
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: Any,
    outcome: str,
    status: str,
) -> None:
    delivery = _blocked(session, world, clock, client, auth)
    auth.sign_in(world["manager"].username)
    response = client.post(f"/deliveries/{delivery.dossier.code}/release", data={"outcome": outcome})
    assert response.status_code == 302 and _reload(session, delivery).status == status


def test_a_release_without_a_choice_changes_nothing(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked(session, world, clock, client, auth)
    auth.sign_in(world["manager"].username)
    response = client.post(f"/deliveries/{delivery.dossier.code}/release", data={"outcome": "maybe"})
    assert response.status_code == 302 and _reload(session, delivery).status == "blocked"


def test_a_clerk_cannot_release_a_blocked_result(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _blocked(session, world, clock, client, auth)
    auth.sign_in(world["clerk"].username)
    response = client.post(f"/deliveries/{delivery.dossier.code}/release", data={"outcome": "at_office"})
    assert response.status_code == 403 and _reload(session, delivery).status == "blocked"


def test_the_office_sees_the_signature_of_a_handover(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    client.post(_door(delivery), data=_deliver())
    auth.sign_out()
    auth.sign_in(world["manager"].username)
    response = client.get(f"/deliveries/{delivery.dossier.code}/proof/1/signature")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data == PNG
    assert client.get(f"/deliveries/{delivery.dossier.code}/proof/1/password").status_code == 404
    assert client.get(f"/deliveries/{delivery.dossier.code}/proof/9/signature").status_code == 404


# ---- the unit's counter -----------------------------------------------------------------------


def test_the_dossier_page_links_the_unit_officer_to_the_counter_handover(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    session.commit()
    auth.sign_in(world["officer"].username)
    page = client.get(f"/desk/dossiers/{dossier.code}").get_data(as_text=True)
    assert f"/deliveries/{dossier.code}/unit-counter" in page


def test_the_unit_counter_page_hands_the_result_over(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    session.commit()
    auth.sign_in(world["officer"].username)
    url = f"/deliveries/{dossier.code}/unit-counter"
    assert 'name="id_digits"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"id_digits": APPLICANT_ID_TAIL, "recipient_name": ""})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(type(dossier), dossier.id).status == DossierStatus.DELIVERED.value  # type: ignore[union-attr]


def test_wrong_digits_at_the_unit_counter_are_shown_by_the_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    session.commit()
    auth.sign_in(world["officer"].username)
    response = client.post(f"/deliveries/{dossier.code}/unit-counter", data={"id_digits": "0000"})
    assert response.status_code == 200 and 'id="id_digits-err"' in response.get_data(as_text=True)


def test_a_postal_clerk_cannot_use_the_unit_counter(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    session.commit()
    auth.sign_in(world["clerk"].username)
    assert client.get(f"/deliveries/{dossier.code}/unit-counter").status_code == 403


def test_no_counter_form_answers_with_a_server_error_whatever_is_posted(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    at_office = delivery_at_office(session, world, clock.now(), result_delivery="post_office", amount_due=1)
    dossier, _ = ready_result(session, world, clock.now(), result_delivery="counter")
    session.commit()
    rng = random.Random(11)
    attempts = [dict.fromkeys(DOOR_FIELDS, value) for value in JUNK]
    attempts += [{f: rng.choice(JUNK) for f in rng.sample(DOOR_FIELDS, 7)} for _ in range(10)]
    pages = [
        (world["clerk"], _collect(at_office)),
        (world["manager"], f"/deliveries/{at_office.dossier.code}/release"),
        (world["officer"], f"/deliveries/{dossier.code}/unit-counter"),
    ]
    failures = []
    for user, url in pages:
        auth.sign_in(user.username)
        for data in attempts:
            status = client.post(url, data=data).status_code
            if status >= 500:
                failures.append((url, {k: v[:12] for k, v in data.items()}))
        auth.sign_out()
    assert failures == [] and _reload(session, at_office).status == "at_office"


def test_the_manager_sees_a_handover_far_from_the_address_flagged(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: Any
) -> None:
    delivery = _out(session, world, clock, auth)
    assert delivery.lat is not None and delivery.lon is not None
    client.post(_door(delivery), data=_deliver(lat=str(delivery.lat + 0.03), lon=str(delivery.lon)))
    auth.sign_out()
    auth.sign_in(world["manager"].username)
    page = client.get(_collect(delivery)).get_data(as_text=True)
    assert 'class="row--near"' in page and "flag--overdue" in page

"""Flows 4 and 5: the postman hands a result over at the door, on his phone, after checking the
recipient's ID card; the citizen then tracks the dossier and rates the service.

The demo puts two home deliveries on the demo postman's run of the day it is loaded (see
postal_hub/demo/deliveries.py); each test hands over its own."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from postal_hub.demo.deliveries import RESULTS
from tests.e2e.browser.harness import DESKTOP, PHONE, SEED_SECRET, LiveServer, Session
from tests.e2e.browser.steps import expect_flash

AT_THE_DOOR = {"latitude": 21.0362, "longitude": 105.8497}


def _citizen_id(name: str) -> str:
    return next(row[1] for row in RESULTS if row[0] == name)


def _postman_at_the_door(open_session: Callable[..., Session], applicant: str) -> tuple[Session, str]:
    """The postman, on his phone, starts the day's run if nobody has yet and opens the stop's door screen."""
    s = open_session(**PHONE, geolocation=AT_THE_DOOR, permissions=["geolocation"])
    s.sign_in("postman")
    s.go("/pickups/my-route")
    if s.page.locator("form.run-start").count():
        with s.page.expect_navigation():
            s.page.click("form.run-start button")
        expect_flash(s)
    stop = s.page.locator("li.route-stop", has_text=applicant)
    expect(stop).to_have_count(1)
    code = stop.get_attribute("data-dossier") or ""
    with s.page.expect_navigation():
        stop.locator("a[href$='/door']").click()
    assert s.page.url.endswith(f"/deliveries/{code}/door")
    expect(s.page.locator("form.door-handover")).to_be_visible()
    return s, code


def _sign_on_the_screen(s: Session) -> None:
    """A finger drawn across the pad: touch events, as a phone's screen sends them."""
    pad = s.page.locator(".js-signature-canvas")
    expect(pad).to_be_visible()
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    touch = s.context.new_cdp_session(s.page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 12):
        point = {"x": x + step * 18, "y": y + (12 if step % 2 else -12)}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touch.detach()
    expect(s.page.locator(".js-signature-data")).to_have_value(re.compile("^data:image/png;base64,"))


def _hand_over(s: Session, digits: str) -> None:
    s.page.check("input[name=recipient][value=applicant]")
    s.page.check("input[name=id_method][value=citizen_id]")
    s.page.fill("#id_digits", digits)
    with s.page.expect_navigation():
        s.page.click("form.door-handover button[type=submit]")


def test_a_postman_hands_a_result_over_at_the_door_after_checking_the_id_card(
    open_session: Callable[..., Session],
) -> None:
    applicant = "Lưu Thị Quyên"
    s, code = _postman_at_the_door(open_session, applicant)
    s.assert_fits_the_screen()
    s.assert_sound_markup()
    s.shot("test_a_postman_hands_a_result_over_at_the_door_after_checking_the_id_card-form")
    # Regression: a choice whose label wraps squeezed its radio button to half the size of the others.
    widths = {
        round((r.bounding_box() or {"width": 0})["width"])
        for r in s.page.locator(".door-checklist input").all()
    }
    assert len(widths) == 1, widths
    right = _citizen_id(applicant)[-4:]
    wrong = "0000" if right != "0000" else "1111"

    s.watch.expect_status(rf"^/deliveries/{code}/door$", 422)  # the wrong card, refused
    _sign_on_the_screen(s)
    _hand_over(s, wrong)
    expect(s.page.locator(".flash--error").first).to_be_visible()
    expect(s.page.locator("h1 .status--out")).to_be_visible()  # nothing was handed over

    _sign_on_the_screen(s)
    _hand_over(s, right)
    expect_flash(s)
    assert applicant in s.page.locator("div.flash--success").inner_text()
    expect(s.page.locator("h1 .status--delivered")).to_be_visible()
    assert s.page.locator("form.door-handover").count() == 0
    s.assert_fits_the_screen()


def test_a_citizen_tracks_the_dossier_and_rates_the_service_once_the_result_is_home(
    open_session: Callable[..., Session], live_server: LiveServer
) -> None:
    applicant = "Đoàn Minh Phát"  # 30,000 đồng to pay on delivery
    postman, code = _postman_at_the_door(open_session, applicant)
    _sign_on_the_screen(postman)
    postman.page.fill("#amount_collected", "30.000")
    postman.page.select_option("#payment_method", "cash")
    _hand_over(postman, _citizen_id(applicant)[-4:])
    expect(postman.page.locator("h1 .status--delivered")).to_be_visible()

    citizen = open_session(**PHONE)
    citizen.go("/track")
    citizen.page.fill("#code", code)
    with citizen.page.expect_navigation():
        citizen.page.click("main form button")
    assert citizen.page.url.endswith(f"/track/{code}")
    expect(citizen.page.locator(".big-status .status--delivered")).to_be_visible()
    assert code in citizen.main_text()
    assert "Đoàn M. P." in citizen.main_text() and applicant not in citizen.main_text()  # masked
    citizen.assert_fits_the_screen()  # regression: the codes stuck out of a two-column list
    citizen.shot("test_a_citizen_tracks_the_dossier_and_rates_the_service_once_the_result_is_home-track")

    citizen.page.goto(_link_in_the_text_message(live_server, code))
    assert citizen.page.url.endswith(f"/results/{code}")  # the token left the address bar
    rating = citizen.page.locator("#rating form")
    expect(rating).to_be_visible()
    citizen.assert_sound_markup()
    rating.locator("input[name=postal_level]").first.check()
    rating.locator("input[name=unit_level]").nth(1).check()
    rating.locator("textarea[name=postal_comment]").fill("Bưu tá đến đúng giờ, rất nhiệt tình.")
    with citizen.page.expect_navigation():
        rating.locator("button").click()
    expect_flash(citizen)
    expect(citizen.page.locator("#rating form")).to_have_count(0)  # rated once, and only once
    expect(citizen.page.locator("#rating .flash--success")).to_be_visible()
    citizen.assert_fits_the_screen()

    officer = open_session(**DESKTOP)  # the rating reaches the unit's ratings page
    officer.sign_in("officer")
    officer.go("/ratings")
    expect(officer.page.locator("main", has_text=code)).to_be_visible()


def _link_in_the_text_message(server: LiveServer, code: str) -> str:
    """The private link the citizen's phone received (the messages carry it symbolically until sent)."""
    import sqlalchemy as sa

    from postal_hub.delivery.links import manage_url
    from postal_hub.delivery.models import Delivery
    from postal_hub.extensions import db
    from postal_hub.intake.models import Dossier

    with server.app.app_context():
        delivery = db.session.scalar(sa.select(Delivery).join(Dossier).where(Dossier.code == code))
        assert delivery is not None
        return manage_url(server.url, SEED_SECRET, delivery)

"""Flow 1: a citizen books a home pickup on a phone, without an account, then manages the booking."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.browser.harness import PHONE, Session
from tests.e2e.browser.steps import HANOI, HOAN_KIEM, LAND_PROCEDURE, choose_place, expect_flash

REFERENCE = re.compile(r"HP[A-Z0-9]{8}")
HANG_BAC = {"latitude": 21.0343, "longitude": 105.8530}


def _fill_what_and_where(s: Session) -> None:
    s.go(f"/pickup?procedure={LAND_PROCEDURE}")
    s.assert_styled()
    choose_place(s, HANOI, HOAN_KIEM)
    s.page.fill("#street", "15 Hàng Bạc")


def _show_windows_from_tomorrow(s: Session) -> None:
    """Windows of the first day from tomorrow that has any: a window today could start within the
    change cut-off (PICKUP_CHANGE_CUTOFF_HOURS), and then the booking could not be moved at all."""
    days = [o.get_attribute("value") for o in s.page.locator("#date option").all()]
    assert days[:1] == [""], days  # "the first day with room", then today, then the days after
    for day in days[2:]:
        s.page.select_option("#date", day)
        with s.page.expect_navigation():
            s.page.click("button[name=action][value=find]")
        if s.page.locator("input[name=slot_start]").count():
            break
    expect(s.page.locator("input[name=slot_start]").first).to_be_visible()


def _show_a_day_with_another_window(s: Session) -> None:
    """The manage page's day list, tried in turn until a day offers a window (Sundays may have none)."""
    days = [o.get_attribute("value") for o in s.page.locator("#day option").all()]
    for day in days:
        if s.page.locator("input[name=slot_start]").count():
            return
        s.page.select_option("#day", day)
        with s.page.expect_navigation():
            s.page.click("form.inline-form button")
    assert s.page.locator("input[name=slot_start]").count(), "no day offers another window"


def test_a_citizen_books_a_home_pickup_on_a_phone_and_then_moves_and_cancels_it(
    open_session: Callable[..., Session],
) -> None:
    s = open_session(**PHONE)
    _fill_what_and_where(s)
    _show_windows_from_tomorrow(s)
    s.assert_fits_the_screen()
    s.assert_sound_markup()
    booked_window = s.page.locator("input[name=slot_start]").first
    booked_start = booked_window.get_attribute("value")
    booked_window.check()
    s.page.fill("#applicant_name", "Trịnh Thị Mai")
    s.page.fill("#phone", "0912 345 601")
    s.page.fill("#citizen_id", "001190012601")
    s.page.check("#consent")
    with s.page.expect_navigation():
        s.page.click("button[name=action][value=book]")

    assert "/pickup/manage/" in s.page.url, s.main_text()
    expect_flash(s)
    reference = s.page.locator("code.big-code").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    assert s.page.url.endswith(f"/pickup/manage/{reference}")  # the private link's token is not in the bar
    link = s.page.input_value("#manage-link")
    assert f"/pickup/manage/{reference}?token=" in link
    assert "Bưu điện Trung tâm Hà Nội" in s.main_text()
    s.assert_fits_the_screen()
    s.page.click(".js-print")
    assert s.page.evaluate("window.__printed") == 1

    window_before = s.page.locator(".facts strong").first.inner_text()
    _show_a_day_with_another_window(s)
    offered = [c.get_attribute("value") for c in s.page.locator("input[name=slot_start]").all()]
    assert booked_start not in offered  # moving to the window it already has would change nothing
    s.page.locator("input[name=slot_start]").first.check()
    with s.page.expect_navigation():
        s.page.click("form[action$='/reschedule'] button")
    expect_flash(s)
    assert s.page.locator(".facts strong").first.inner_text() != window_before

    s.page.once("dialog", lambda dialog: dialog.accept())
    with s.page.expect_navigation():
        s.page.click("form[action$='/cancel'] button")
    expect_flash(s)
    expect(s.page.locator(".big-status .status--cancelled")).to_be_visible()
    assert s.page.locator("form[action$='/cancel']").count() == 0
    s.assert_fits_the_screen()


def test_the_phones_own_position_is_what_the_pickup_quote_uses(open_session: Callable[..., Session]) -> None:
    """Regression: "Use my location" filled a second copy of the hidden lat/lon fields, and the form sent
    the first, empty copy, so the quote stayed at the commune's centre."""
    s = open_session(**PHONE, geolocation=HANG_BAC, permissions=["geolocation"])
    _fill_what_and_where(s)
    button = s.page.inner_text(".js-locate").strip()
    assert s.page.locator("p.hint", has_text=button).count() == 0  # no quote yet
    s.page.click(".js-locate")
    expect(s.page.locator(".js-locate-status")).not_to_be_empty()
    assert s.page.locator("input[name=lat]").count() == 1
    _show_windows_from_tomorrow(s)
    assert s.page.input_value("input[name=lat]") == "21.034300"
    # The notice that the distance is only approximate names the button that makes it exact.
    button = s.page.inner_text(".js-locate").strip()
    assert s.page.locator("p.hint", has_text=button).count() == 0, s.main_text()

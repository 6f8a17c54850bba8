"""Flows 2 and 3: a clerk accepts a dossier at the counter, scans it and prints the receipt; a dossier
accepted so goes on a manifest to the one-stop unit, whose officer confirms the envelopes and closes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.browser.harness import DESKTOP, Session
from tests.e2e.browser.steps import accept_at_the_counter, expect_flash, scan_file

HANOI_CENTRE = "000.00.01.H26"


def test_a_clerk_accepts_a_dossier_at_the_counter_scans_it_and_prints_the_receipt(
    open_session: Callable[..., Session], tmp_path: Path
) -> None:
    s = open_session(**DESKTOP)
    s.sign_in("clerk")
    s.go("/desk")
    s.assert_styled()
    code = accept_at_the_counter(s, "Hoàng Thị Thu", "001190022602", "0912345602")

    expect_flash(s)
    assert code in s.page.locator("main").inner_text()
    item = s.page.locator(".receipt__codes .code").nth(1).inner_text().strip()
    barcode = s.page.locator(".barcode-box svg")
    qr = s.page.locator(".qr-box svg")
    expect(barcode).to_be_visible()
    expect(qr).to_be_visible()
    assert barcode.bounding_box()["width"] > 100 and qr.bounding_box()["width"] > 50  # type: ignore[index]
    assert barcode.locator("rect, path").count() > 10 and qr.locator("rect, path").count() > 0
    assert f"/track/{code}" in s.main_text()  # the address the QR code leads to, printed beside it
    s.page.click(".js-print")
    assert s.page.evaluate("window.__printed") == 1
    s.page.emulate_media(media="print")
    expect(s.page.locator(".receipt-tools")).to_be_hidden()
    expect(s.page.locator("article.receipt")).to_be_visible()
    s.shot("test_a_clerk_accepts_a_dossier_at_the_counter_scans_it_and_prints_the_receipt-print")
    s.page.emulate_media(media="screen")
    with s.page.expect_navigation():
        s.page.click("a[href$='paper=80mm']")
    expect(s.page.locator("article.receipt--80mm")).to_be_visible()
    assert item in s.main_text()

    with s.page.expect_navigation():
        s.page.click(f".receipt-tools a[href='/desk/dossiers/{code}']")
    s.assert_sound_markup()
    first_component = s.page.locator("select[name=component] option").first.get_attribute("value")
    s.page.select_option("select[name=component]", first_component)
    s.page.set_input_files("input[type=file][name=file]", scan_file(tmp_path))
    with s.page.expect_navigation():
        s.page.click("form[action$='/scans'] button[type=submit]")
    expect_flash(s)
    expect(s.page.locator("#digitization a", has_text="to-khai.png")).to_be_visible()
    s.assert_fits_the_screen()


def test_the_unit_officer_confirms_the_envelopes_of_a_manifest_and_closes_it(
    open_session: Callable[..., Session],
) -> None:
    clerk = open_session(**DESKTOP)
    clerk.sign_in("clerk")
    code = accept_at_the_counter(clerk, "Đặng Văn Sơn", "001085032603", "0912345603")
    clerk.go("/manifests")
    # Regression: the column of manifest numbers was headed "contract number" in Vietnamese.
    assert clerk.page.inner_text("thead th >> nth=0") == clerk.page.inner_text("label[for=q]")
    with clerk.page.expect_navigation():
        clerk.page.click("a[href='/manifests/new']")
    with clerk.page.expect_navigation():
        clerk.page.locator("tr", has_text=HANOI_CENTRE).locator("a.btn").click()
    for box in clerk.page.locator("input[name=dossier]").all():  # only this dossier goes in the bag
        box.set_checked(box.get_attribute("value") == code)
    clerk.page.fill(f"input[name='seal-{code}']", "HN-E2E-2603")
    clerk.page.fill("#note", "Chuyến sáng")
    with clerk.page.expect_navigation():
        clerk.page.click("form button[type=submit].btn--primary")
    expect_flash(clerk)
    number = clerk.page.locator("h1").inner_text().split()[0]
    assert number.startswith("BK-"), number
    clerk.page.once("dialog", lambda dialog: dialog.accept())
    with clerk.page.expect_navigation():
        clerk.page.click("form[action$='/dispatch'] button")
    expect(clerk.page.locator("h1 .status--dispatched")).to_be_visible()

    officer = open_session(**DESKTOP)
    officer.sign_in("officer")
    officer.go(f"/manifests/{number}")
    officer.assert_sound_markup()
    lines = officer.page.locator("form.line-answer")
    assert lines.count() == 1
    assert code in officer.page.locator("table").inner_text()
    lines.first.locator("input[name=decision][value=received]").check()
    with officer.page.expect_navigation():
        lines.first.locator("button[type=submit]").click()
    expect_flash(officer)
    expect(officer.page.locator("tbody .status--received")).to_have_count(1)
    officer.page.once("dialog", lambda dialog: dialog.accept())
    with officer.page.expect_navigation():
        officer.page.click("form[action$='/close'] button")
    expect_flash(officer)
    expect(officer.page.locator("h1 .status--closed")).to_be_visible()

    with officer.page.expect_navigation():
        officer.page.click(f"tbody a[href='/desk/dossiers/{code}']")
    expect(officer.page.locator("h1 .status--received")).to_be_visible()
    with officer.page.expect_navigation():  # regression: led to the counter, a 403 for an officer
        officer.page.click(".crumbs a")
    assert officer.page.url.endswith("/manifests")
    clerk.go(f"/manifests/{number}")  # the sending side sees the unit's answer
    expect(clerk.page.locator("h1 .status--closed")).to_be_visible()

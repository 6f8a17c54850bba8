"""What people do on the screens, step by step, shared by the flows (each test still makes its own data)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.browser.harness import Session

# The Hà Nội service centre decides this land procedure; the nationwide demo contract covers it.
LAND_PROCEDURE = "1.012783"
HANOI, HOAN_KIEM = "01", "00070"
# A real one-page PNG (1x1, white): the scan the clerk uploads.
SCAN_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4b10000000049454e44ae426082"
)
DOSSIER_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4}")


def choose_place(s: Session, province: str, commune: str, prefix: str = "") -> None:
    """The province list refreshes the communes by itself (static/js/app.js)."""
    s.page.select_option(f"#{prefix}province_code", province)
    s.page.wait_for_selector(f"#{prefix}commune_code option[value='{commune}']", state="attached")
    s.page.select_option(f"#{prefix}commune_code", commune)


def accept_at_the_counter(s: Session, name: str, citizen_id: str, phone: str) -> str:
    """A signed-in clerk accepts a complete land dossier from the catalogue; returns its code."""
    s.go("/procedures?q=" + LAND_PROCEDURE)
    s.page.click(f"a[href='/desk/accept?procedure={LAND_PROCEDURE}']")
    s.page.fill("#applicant_name", name)
    s.page.fill("#citizen_id", citizen_id)
    s.page.fill("#phone", phone)
    s.page.fill("#street", "15 Hàng Bạc")
    choose_place(s, HANOI, HOAN_KIEM)
    boxes = s.page.locator("input[name=present]")
    assert boxes.count() >= 1
    for n in range(boxes.count()):
        boxes.nth(n).check()
    s.page.check("input[name=result_delivery][value=home]")
    with s.page.expect_navigation():
        s.page.click("form.panel button[type=submit]")
    assert re.search(r"/desk/dossiers/[^/]+/receipt$", s.page.url), s.main_text()
    code = s.page.locator(".receipt__codes .code").first.inner_text().strip()
    assert DOSSIER_CODE.fullmatch(code), code
    return code


def scan_file(tmp_path: Path) -> Path:
    path = tmp_path / "to-khai.png"
    path.write_bytes(SCAN_PNG)
    return path


def expect_flash(s: Session, kind: str = "success") -> None:
    expect(s.page.locator(f".flash--{kind}").first).to_be_visible()

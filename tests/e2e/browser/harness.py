"""The browser tests' harness: the server they drive, the watch on each page, one person's browser.
The fixtures that build them are in conftest.py."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from postal_hub.demo.seed import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SEED_SECRET = "e2e-secret"  # the SECRET_KEY tests/e2e/conftest.py seeds the demo with
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# window.print opens a dialog that blocks a headless page: count the calls instead.
PRINT_STUB = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run there)", pytrace=False)
    pytest.skip(reason)


@dataclass
class LiveServer:
    url: str
    app: Any


@dataclass
class Watch:
    """Everything that went wrong in a test's pages: console errors, page errors, failed requests,
    answers of 400 and above (except those the test says it causes), requests leaving 127.0.0.1.
    A request the page itself abandoned by moving on (net::ERR_ABORTED) is no failure."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    expected: list[tuple[re.Pattern[str], int]] = field(default_factory=list)

    def expect_status(self, path_pattern: str, status: int) -> None:
        self.expected.append((re.compile(path_pattern), status))

    def on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        path = response.url.removeprefix(self.base_url)
        if any(p.search(path) and response.status == s for p, s in self.expected):
            return
        self.problems.append(f"HTTP {response.status} {response.request.method} {path}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.problems.append(f"page error: {error}")

    def on_request_failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the page moved on (a click navigated) before, say, the icon had loaded
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")


@dataclass
class Session:
    """A browser context of one test (one person's browser) with its pages watched."""

    context: BrowserContext
    page: Page
    watch: Watch
    base_url: str

    def go(self, path: str) -> Response | None:
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str) -> None:
        self.go("/sign-in")
        self.page.fill("#username", username)
        self.page.fill("#password", DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.click("form:not(.lang-switch) button[type=submit]")
        assert "/sign-in" not in self.page.url, self.page.inner_text("main")

    def language(self, code: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"form.lang-switch button[value={code}]")
        assert self.page.get_attribute("html", "lang") == code

    def main_text(self) -> str:
        return self.page.inner_text("main")

    def assert_fits_the_screen(self) -> None:
        """Nothing sticks out sideways: the page scrolls only up and down."""
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{self.page.url} is {widths[0]}px wide on a {widths[1]}px screen"

    def assert_styled(self) -> None:
        """The stylesheet applied (an unstyled page keeps the browser's serif font)."""
        family = self.page.evaluate("() => getComputedStyle(document.body).fontFamily")
        assert "serif" not in family.replace("sans-serif", ""), family

    def assert_sound_markup(self) -> None:
        """Ids are unique, what aria-describedby names exists (a screen reader reads a field's hint or
        error from there) and aria-invalid says true or false."""
        found = self.page.evaluate(
            """() => {
                // Hidden inputs aside: each form's CSRF field is id="csrf_token", as Flask-WTF renders it.
                const ids = [...document.querySelectorAll('[id]:not(input[type=hidden])')].map(e => e.id);
                const dup = ids.filter((id, n) => ids.indexOf(id) !== n);
                const bad = [];
                document.querySelectorAll('[aria-describedby]').forEach(e => {
                    e.getAttribute('aria-describedby').split(/\\s+/).forEach(id => {
                        if (!document.getElementById(id)) bad.push(e.name + ' described by ' + id);
                    });
                });
                document.querySelectorAll('[aria-invalid]').forEach(e => {
                    if (!['true', 'false'].includes(e.getAttribute('aria-invalid')))
                        bad.push(e.name + ' aria-invalid=' + e.getAttribute('aria-invalid'));
                });
                return {dup: [...new Set(dup)], bad: bad};
            }"""
        )
        assert not found["dup"], f"{self.page.url}: duplicate ids {found['dup']}"
        assert not found["bad"], f"{self.page.url}: {found['bad']}"

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

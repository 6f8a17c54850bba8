"""Real browser tests: Debian's Chromium, driven by Playwright, against the real app serving a private
copy of the seeded demo database on 127.0.0.1, CSRF on, as the product runs.

Where Playwright or Chromium is missing the tests are skipped with the reason, except under CI
(CI is set), where a missing browser is a failure."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.serving import make_server

from postal_hub import create_app
from tests.e2e.browser import harness
from tests.e2e.browser.harness import PRINT_STUB, SEED_SECRET, LiveServer, Session, Watch, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright


# Package scope, not session: while Playwright's sync API is open, the main thread has a running asyncio
# loop (asyncio.run would refuse to start), so it closes when the last browser test is done.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -e '.[dev]'")
    if not harness.CHROMIUM.exists():
        unavailable(f"Chromium not found at {harness.CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(harness.CHROMIUM),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def live_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app, in this process, on a free port, over a private copy of the demo database. The
    browser tests share it; each uses demo records no other test touches. CSRF stays on."""
    folder = tmp_path_factory.mktemp("browser-server")
    database = folder / "demo.sqlite3"
    shutil.copyfile(demo_template, database)
    config = {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": SEED_SECRET,
        "FILE_STORE_PATH": str(folder / "files"),
        # One address (127.0.0.1) does all the tests' lookups and bookings.
        "TRACK_LOOKUPS_PER_MINUTE": 1000,
        "PICKUP_BOOKINGS_PER_HOUR_PER_IP": 1000,
        "SIGNIN_MAX_FAILURES_PER_IP": 1000,
    }
    app = create_app(config)
    assert app.config.get("WTF_CSRF_ENABLED", True), "the browser tests drive the product as it runs"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield LiveServer(url, app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def open_session(
    live_server: LiveServer, browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Session]]:
    """open_session(**context options) → a fresh browser context; at the end each one's last page is
    saved as tests/e2e/artifacts/<test name>[-n].png, and the test fails on any problem it saw."""
    opened: list[Session] = []

    def open_one(**options: Any) -> Session:
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
        context.add_init_script(PRINT_STUB)
        watch = Watch(live_server.url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.on("requestfailed", watch.on_request_failed)
        page.on("response", watch.on_response)

        def outside(route: Any) -> None:
            watch.problems.append(f"left 127.0.0.1: {route.request.url}")
            route.abort()

        context.route(lambda url: not url.startswith(live_server.url), outside)
        session = Session(context, page, watch, live_server.url)
        opened.append(session)
        return session

    yield open_one
    name = request.node.name
    problems = []
    for n, session in enumerate(opened):
        session.shot(name if n == 0 else f"{name}-{n + 1}")
        problems += session.watch.problems
        session.context.close()
    assert not problems, "\n".join(problems)

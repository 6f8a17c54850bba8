"""The browser tests skip where no browser is installed, except under CI, where that is a failure."""

from __future__ import annotations

import pytest

from tests.e2e.browser.harness import unavailable


def test_without_a_browser_the_tests_are_skipped_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        unavailable("Chromium not found at /usr/bin/chromium: apt-get install -y chromium")


def test_under_ci_a_missing_browser_fails_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        unavailable("Chromium not found at /usr/bin/chromium: apt-get install -y chromium")

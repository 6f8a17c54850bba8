"""The certificate reminders from the command line, as cron or an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ENGINE
from tests.e2e.test_command_line import run

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="drives its own SQLite file; engine-independent")


def test_remind_expiring_runs_on_a_fresh_install_and_says_how_many_it_reminded(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run(db_url, "db", "upgrade")
    assert run(db_url, "remind-expiring").stdout.strip() == "Certificates reminded: 0."


def test_run_jobs_reports_the_certificate_reminders(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    run(db_url, "db", "upgrade")
    assert "certificate_reminders: 0" in run(db_url, "run-jobs").stdout


def test_remind_expiring_on_the_demo_reminds_the_soon_expiring_certificates_once(demo_url: str) -> None:
    first = run(demo_url, "remind-expiring").stdout.strip()
    assert first != "Certificates reminded: 0."
    assert run(demo_url, "remind-expiring").stdout.strip() == "Certificates reminded: 0."

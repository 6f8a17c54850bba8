"""The postal-hub command end to end, as an operator runs it on a fresh SQLite database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from postal_hub import create_app
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="drives its own SQLite file; engine-independent")
COMMAND = shutil.which("postal-hub", path=str(Path(sys.executable).parent)) or "postal-hub"


def run(db_url: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "e2e-secret", "POSTAL_HUB_ENV": "development"}
    result = subprocess.run(  # noqa: S603 - our own console script
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == expect, result.stdout + result.stderr
    return result


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def test_a_fresh_install_migrates_loads_places_and_seeds_the_demo(db_url: str) -> None:
    run(db_url, "db", "upgrade")
    assert "34 provinces, 3321 communes" in run(db_url, "load-places").stdout
    out = run(db_url, "seed-demo").stdout
    assert "admin" in out and "postalhub-demo" in out and "ph_" in out
    assert run(db_url, "seed-demo").stdout == out  # idempotent, and prints the same keys again


def test_the_demo_admin_can_sign_in_and_open_the_admin_screens(demo_url: str) -> None:
    db_url = demo_url
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "e2e-secret", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/sign-in", data={"username": "admin", "password": "postalhub-demo"})
    page = client.get("/admin/offices").get_data(as_text=True)
    assert "Bưu điện Trung tâm Hà Nội" in page


def test_create_api_key_prints_a_key_once(demo_url: str) -> None:
    db_url = demo_url
    out = run(db_url, "create-api-key", "--org", "000.00.01.H26", "--name", "Hệ thống một cửa").stdout
    assert "ph_" in out
    assert "no organization" in run(db_url, "create-api-key", "--org", "NOPE", expect=2).stderr


def test_a_bad_csv_file_is_refused_with_line_numbers_and_exit_code_1(demo_url: str, tmp_path: Path) -> None:
    db_url = demo_url
    bad = tmp_path / "offices.csv"
    bad.write_text(
        "code,name,postcode,address,province_code,commune_code,opening_hours\n"
        "Z10001,Bưu cục Z,99,1 Phố,01,00004,Mo-Fr 07:30-17:00\n",
        encoding="utf-8",
    )
    result = run(db_url, "import-offices", str(bad), expect=1)
    assert "line 2" in result.stderr and "postcode" in result.stderr


def test_create_user_reports_a_bad_field_by_name(db_url: str) -> None:
    run(db_url, "db", "upgrade")
    result = run(
        db_url,
        "create-user",
        "--username",
        "x",
        "--full-name",
        "X",
        "--role",
        "citizen",
        "--password",
        "long-enough-pass",
        expect=1,
    )
    assert "username" in result.stderr


def test_run_jobs_reports_what_it_did(demo_url: str) -> None:
    db_url = demo_url
    out = run(db_url, "run-jobs").stdout
    assert "contracts_expired: 0" in out and "tasks_overdue:" in out

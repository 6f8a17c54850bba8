"""A demo database made once by the real commands, copied for each test that needs one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ENGINE


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`db upgrade` then `seed-demo`, once per run: seeding takes seconds and most tests only read it."""
    if ENGINE != "sqlite":
        pytest.skip("drives its own SQLite file; engine-independent")
    from tests.e2e.test_command_line import run

    path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    run(url, "db", "upgrade")
    run(url, "seed-demo")
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    """A private copy of the seeded demo database (a test may change it freely)."""
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, copy)
    return f"sqlite:///{copy}"

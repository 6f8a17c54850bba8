"""verify-log and export-checkpoint end to end, on the demo's custody chains in a SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from postal_hub.core.custody import chain, signing
from tests.conftest import ENGINE
from tests.e2e.test_command_line import run

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="drives its own SQLite file; engine-independent")
UNIT = "000.00.01.H26"


@pytest.fixture
def demo(demo_url: str) -> str:
    return demo_url


def _tamper(url: str, seq: int) -> None:
    """What an attacker with the database file could do: the app's triggers are dropped first."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("DROP TRIGGER custody_entries_no_update")
        conn.execute(
            "UPDATE custody_entries SET place = 'Nơi khác' WHERE seq = ? AND organization_code = ?",
            (seq, UNIT),
        )


def test_verify_log_reports_every_demo_chain_intact(demo: str) -> None:
    out = run(demo, "verify-log").stdout
    assert f"{UNIT}: OK" in out and "VNPOST: OK" in out and "DAMAGED" not in out


def test_verify_log_finds_a_tampered_entry_and_exits_1(demo: str) -> None:
    _tamper(demo, 3)
    out = run(demo, "verify-log", "--org", UNIT, expect=1).stdout
    assert f"{UNIT}: DAMAGED at entry 3" in out


def test_an_unknown_organization_is_a_usage_error(demo: str) -> None:
    assert "no organization" in run(demo, "verify-log", "--org", "NOPE", expect=2).stderr


def test_an_exported_checkpoint_verifies_with_its_own_public_key(demo: str, tmp_path: Path) -> None:
    target = tmp_path / "checkpoint.json"
    run(demo, "export-checkpoint", "--org", UNIT, "--out", str(target))
    exported = json.loads(target.read_text(encoding="utf-8"))
    statement = {k: exported[k] for k in ("organization", "size", "head_hash", "at")}
    assert exported["organization"] == UNIT and exported["size"] >= 4
    assert signing.check(exported["public_key"], chain.canonical_json(statement), exported["signature"])

"""`postal-hub report --unit CODE --quarter 2026Q3`: the file it writes, what it prints, how it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.factories_report import quarter_world


@pytest.fixture
def q(session: Session) -> dict[str, Any]:
    return quarter_world(session)


def run(app: Flask, *args: str) -> Result:
    with app.app_context():  # as the postal-hub command (FlaskGroup) provides
        return app.test_cli_runner().invoke(args=["report", *args])


def test_the_command_writes_the_workbook_and_prints_the_headline(
    app: Flask, q: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "q3.xlsx"
    result = run(app, "--unit", q["unit"].code, "--quarter", "2026Q3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2026Q3" in result.output and f"Written to {out}." in result.output
    assert (4, 2, 2) in [row[1:4] for row in load_workbook(out).worksheets[0].iter_rows(values_only=True)]


def test_the_headline_gives_each_figure_beside_the_previous_quarter(
    app: Flask, q: dict[str, Any], tmp_path: Path
) -> None:
    result = run(app, "--unit", q["unit"].code, "--quarter", "2026Q3", "--out", str(tmp_path / "r.xlsx"))
    assert ": 4 (2026Q2: 2)" in result.output


def test_the_file_is_named_after_the_unit_and_quarter_by_default(
    app: Flask, q: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(app, "--unit", q["unit"].code.lower(), "--quarter", "2026-q3").exit_code == 0
    assert (tmp_path / f"report-{q['unit'].code}-2026Q3.xlsx").is_file()


def test_the_command_writes_plain_text_when_asked(app: Flask, q: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "q3.txt"
    result = run(app, "--unit", q["unit"].code, "--quarter", "2026Q3", "--format", "txt", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert q["unit"].name in text and q["contract"].number in text  # down to the contracts' lines


def test_the_report_of_one_contract_is_asked_for_by_its_number(
    app: Flask, q: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    number = q["contract"].number
    result = run(app, "--unit", q["unit"].code, "--quarter", "2026Q3", "--contract", number.lower())
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob(f"report-{q['unit'].code}-2026Q3-*.xlsx"))) == 1


@pytest.mark.parametrize("quarter", ["2026Q5", "Q3", "third"])
def test_a_malformed_quarter_is_refused_with_exit_code_2(app: Flask, q: dict[str, Any], quarter: str) -> None:
    result = run(app, "--unit", q["unit"].code, "--quarter", quarter)
    assert result.exit_code == 2 and "--quarter" in result.output and "2026Q3" in result.output


def test_a_quarter_that_has_not_begun_is_refused_with_exit_code_2(app: Flask, q: dict[str, Any]) -> None:
    result = run(app, "--unit", q["unit"].code, "--quarter", "2027Q1")
    assert result.exit_code == 2 and "--quarter" in result.output and "2026Q4" in result.output


def test_an_unknown_unit_is_refused_with_exit_code_2(app: Flask, q: dict[str, Any]) -> None:
    result = run(app, "--unit", "NO.SUCH.UNIT", "--quarter", "2026Q3")
    assert result.exit_code == 2 and "--unit" in result.output and "NO.SUCH.UNIT" in result.output


def test_a_contract_that_does_not_cover_the_unit_is_refused_with_exit_code_2(
    app: Flask, q: dict[str, Any]
) -> None:
    number = q["other"]["contract"].number
    result = run(app, "--unit", q["unit"].code, "--quarter", "2026Q3", "--contract", number)
    assert result.exit_code == 2 and "--contract" in result.output


def test_nothing_is_written_when_the_command_is_refused(
    app: Flask, q: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run(app, "--unit", q["unit"].code, "--quarter", "2031Q1")
    assert list(tmp_path.iterdir()) == []

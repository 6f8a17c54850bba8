"""A plain (non-editable) install must ship the templates, static files, migrations and catalogs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603 - our own interpreter building our own tree
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return zipfile.ZipFile(next(out.glob("postal_hub-*.whl")))


@pytest.mark.parametrize(
    "member",
    [
        "postal_hub/templates/base.html",
        "postal_hub/templates/_macros/forms.html",
        "postal_hub/static/css/app.css",
        "postal_hub/static/js/app.js",
        "postal_hub/migrations/env.py",
        "postal_hub/migrations/versions/0001_foundation_schema.py",
        "postal_hub/translations/vi/LC_MESSAGES/messages.mo",
        "postal_hub/core/data/places.json",
        "postal_hub/demo/data/procedures.csv",
    ],
)
def test_the_wheel_contains(wheel: zipfile.ZipFile, member: str) -> None:
    assert member in wheel.namelist()

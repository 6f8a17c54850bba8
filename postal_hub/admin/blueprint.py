"""The admin blueprint and the helpers its views share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def apply_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Put a service's field errors on the form's fields ('components-0-name' included)."""
    for name, message in fields.items():
        target: Any = form
        for part in name.split("-"):
            if part.isdigit() and hasattr(target, "entries"):
                index = int(part)
                target = target.entries[index].form if index < len(target.entries) else None
            else:
                target = getattr(target, part, None)
            if target is None:
                break
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), message]
        else:
            form.form_errors.append(message)


def parse_coordinate(form: FlaskForm, name: str) -> tuple[float | None, bool]:
    raw = (getattr(form, name).data or "").strip().replace(",", ".")
    if not raw:
        return None, True
    try:
        return float(raw), True
    except ValueError:
        getattr(form, name).errors = [_l("Enter a number such as 21.0285.")]
        return None, False


def example_lines(name: str, count: int = 3) -> str:
    """The first lines of a shipped demo file: a real, importable example of the format."""
    path = Path(__file__).resolve().parent.parent / "demo" / "data" / name
    with path.open(encoding="utf-8") as handle:
        return "".join(line for _i, line in zip(range(count), handle, strict=False)).strip()


def list_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "page" and v}

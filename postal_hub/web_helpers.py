"""View helpers shared by every feature's screens: form errors, select ids, list paging, toggles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from postal_hub.core.pagination import ListRequest, parse_page

MAX_ID = 2**31 - 1


def record_id(value: object) -> int:
    """A record id from a checkbox list; text or absurd numbers are invalid choices."""
    number = int(str(value))
    if not 0 < number <= MAX_ID:
        raise ValueError("out of range")
    return number


def optional_int(value: object) -> int | None:
    """A record id from a select; anything else (text, absurd numbers) is an invalid choice."""
    if value in (None, "", "None"):
        return None
    number = int(str(value))
    if not 0 < number <= MAX_ID:
        raise ValueError("out of range")
    return number


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
    path = Path(__file__).resolve().parent / "demo" / "data" / name
    with path.open(encoding="utf-8") as handle:
        return "".join(line for _i, line in zip(range(count), handle, strict=False)).strip()


def toggle_active(name: str, change: Callable[[bool], None], back_url: str) -> Response:
    """The deactivate / activate-again buttons: check the form, apply, commit once, say what happened."""
    from postal_hub.extensions import db

    if not FlaskForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    change(active)
    db.session.commit()
    message = (
        _("%(name)s is active again.", name=name) if active else _("%(name)s is deactivated.", name=name)
    )
    flash(message, "success")
    return redirect(back_url)


def list_request() -> ListRequest:
    return ListRequest(
        q=request.args.get("q", ""),
        show_inactive=request.args.get("inactive") == "1",
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )


def list_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "page" and v}


def lookup_limited() -> tuple[str, int, dict[str, str]] | None:
    """The public lookups' per-address limit (tracking, certificate verification): the 429 page, or None."""
    from flask import render_template

    from postal_hub.services import track_limiter

    wait = track_limiter().hit(request.remote_addr or "unknown")
    if not wait:
        return None
    page = render_template(
        "errors/error.html",
        status=429,
        title=_("Too many lookups"),
        message=_("Please wait a minute and try again."),
    )
    return page, 429, {"Retry-After": str(wait)}

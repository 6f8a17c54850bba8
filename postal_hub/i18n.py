"""Which language and time zone a page is shown in: Vietnamese first, English on request."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI output and workers: the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    # Only a signed-in session has a user to ask: loading the anonymous user costs every public lookup.
    if "_user_id" in session and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def translated(labels: Mapping[str, object]) -> dict[str, str]:
    """A module-level table of labels (lazy strings) in the request's language, translated once per
    language and app: gettext on every label of every public tracking lookup cost more than its query
    did. The cache holds the table itself, so its id() is never another table's."""
    cache: dict[tuple[int, str], tuple[Mapping[str, object], dict[str, str]]]
    cache = current_app.extensions.setdefault("translated_labels", {})
    key = (id(labels), str(get_locale()))
    found = cache.get(key)
    if found is None or found[0] is not labels:
        found = cache[key] = (labels, {code: str(label) for code, label in labels.items()})
    return found[1]

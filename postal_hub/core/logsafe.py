"""Logging a failure without the personal data a database error carries in its message.

`hide_parameters` keeps a statement's bound values out of SQLAlchemy's text, but PostgreSQL's own
message travels inside it: a CHECK or NOT NULL violation's DETAIL holds the whole failing row (the
citizen's phone and ID number among it), a unique violation the duplicated value, a cast error the
value it could not read. So a database error is logged by its class, SQLSTATE, constraint and
statement (SQL text without values) and the frames of its traceback, never by its message.
"""

from __future__ import annotations

import logging
import sys
import traceback

import sqlalchemy as sa


def describe_database_error(exc: sa.exc.DBAPIError) -> str:
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    parts = [f"{type(exc).__name__} ({type(orig).__name__})"]
    if sqlstate := getattr(orig, "sqlstate", None):
        parts.append(f"sqlstate {sqlstate}")
    if diag is not None and (constraint := getattr(diag, "constraint_name", None)):
        parts.append(f"constraint {constraint}")
    if diag is not None and (table := getattr(diag, "table_name", None)):
        parts.append(f"table {table}")
    statement = " ".join(str(exc.statement or "").split())[:500]
    return f"{', '.join(parts)} (message withheld: it may hold personal data); statement: {statement}"


def log_failure(logger: logging.Logger, message: str, *args: object) -> None:
    """In an `except` block, instead of `logger.exception(message, *args)`."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, sa.exc.DBAPIError):
        logger.exception(message, *args)
        return
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        message + ": %s\nTraceback (most recent call last):\n%s", *args, describe_database_error(exc), frames
    )

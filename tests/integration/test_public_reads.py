"""db.read: public lookups on a pool of their own, outside the ORM session, retried once after the
database dropped their connection (tracking, the readiness probe)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from postal_hub import create_app
from postal_hub.extensions import db
from tests.conftest import ENGINE, TEST_CONFIG


@pytest.fixture
def unbound_app(database_url: str) -> Iterator[Flask]:
    """An app on the real database, as in production: not bound to a test's transaction."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    yield app
    state = app.extensions["postal_hub_db"]
    for engine in {state["engine"], state["read_engine"]} - {None}:
        engine.dispose()


def _backend_pid(conn: sa.Connection) -> int:
    pid: int = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    return pid


def _wait_until_gone(conn: sa.Connection, pid: int) -> None:
    deadline = time.monotonic() + 10
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    while conn.execute(query, {"pid": pid}).scalar_one() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.skipif(ENGINE != "postgresql", reason="a server that drops connections: PostgreSQL")
def test_a_public_read_answers_after_the_database_dropped_its_connection(
    unbound_app: Flask, connection: sa.Connection
) -> None:
    with unbound_app.app_context():
        before = db.read(_backend_pid)
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
        _wait_until_gone(connection, before)
        after = db.read(_backend_pid)
    assert after != before


@pytest.mark.skipif(ENGINE != "postgresql", reason="the read pool's transaction mode: PostgreSQL")
def test_a_public_read_leaves_no_transaction_open_on_its_connection(
    unbound_app: Flask, connection: sa.Connection
) -> None:
    with unbound_app.app_context():
        pid = db.read(_backend_pid)
    state = connection.execute(
        sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
    ).scalar_one()
    assert state == "idle"


def test_a_public_read_that_fails_for_another_reason_is_not_run_twice(unbound_app: Flask) -> None:
    calls: list[int] = []

    def broken(conn: sa.Connection) -> None:
        calls.append(1)
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    with unbound_app.app_context(), pytest.raises(sa.exc.DBAPIError):
        db.read(broken)
    assert calls == [1]


def test_a_public_read_sees_what_was_committed_elsewhere(unbound_app: Flask) -> None:
    with unbound_app.app_context():
        count_before = db.read(
            lambda conn: conn.execute(sa.text("SELECT count(*) FROM provinces")).scalar_one()
        )
        assert count_before > 0

"""db.read: public lookups on a pool of their own, outside the ORM session, retried once after the
database dropped their connection (tracking, the readiness probe)."""

from __future__ import annotations

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
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "DATABASE_READ_TIMEOUT_SECONDS": 1})
    yield app
    state = app.extensions["postal_hub_db"]
    for engine in {state["engine"], state["read_engine"]} - {None}:
        engine.dispose()


def _backend_pid(conn: sa.Connection) -> int:
    pid: int = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    return pid


@pytest.mark.skipif(ENGINE != "postgresql", reason="a server that drops connections: PostgreSQL")
def test_a_public_read_answers_after_the_database_dropped_its_connection(
    unbound_app: Flask, connection: sa.Connection
) -> None:
    with unbound_app.app_context():
        before = db.read(_backend_pid)
        # The second argument waits (up to 5 s) until the backend has exited.
        assert connection.execute(
            sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": before}
        ).scalar()
        after = db.read(_backend_pid)
    assert after != before


@pytest.mark.skipif(ENGINE != "postgresql", reason="the read pool's transaction mode: PostgreSQL")
def test_a_public_read_runs_in_autocommit_so_it_sends_no_begin_or_rollback(unbound_app: Flask) -> None:
    with unbound_app.app_context():
        autocommit = db.read(lambda conn: conn.connection.dbapi_connection.autocommit)  # type: ignore[union-attr]
    assert autocommit is True


@pytest.mark.skipif(ENGINE != "postgresql", reason="a server-side statement limit: PostgreSQL")
def test_a_public_read_is_cut_off_after_the_read_timeout(unbound_app: Flask) -> None:
    with unbound_app.app_context(), pytest.raises(sa.exc.OperationalError):
        db.read(lambda conn: conn.execute(sa.text("SELECT pg_sleep(3)")))


def test_a_public_read_that_fails_for_another_reason_is_not_run_twice(unbound_app: Flask) -> None:
    calls: list[int] = []

    def broken(conn: sa.Connection) -> None:
        calls.append(1)
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    with unbound_app.app_context(), pytest.raises(sa.exc.DBAPIError):
        db.read(broken)
    assert calls == [1]

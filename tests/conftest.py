"""Each test gets the app on a database migrated once per run, inside a transaction rolled back after it.

POSTAL_HUB_TEST_ENGINE=postgresql runs the same suite on TEST_DATABASE_URL (see the Makefile).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from postal_hub import create_app, migrate
from postal_hub.core.files import LocalFileStore
from postal_hub.core.places.services import sync_places
from postal_hub.db import make_engine
from postal_hub.extensions import db
from tests.fakes import FixedClock

ENGINE = os.environ.get("POSTAL_HUB_TEST_ENGINE", "sqlite")
TEST_PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the internet: any connection beyond this machine fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and not host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if ENGINE == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        sync_places(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture
def own_schema(database_url: str) -> Iterator[str]:
    """A freshly migrated PostgreSQL schema of the test's own, dropped after it: for tests whose threads
    commit for real (concurrency), which the rolled-back test transaction cannot host."""
    import uuid

    schema = f"conc_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{database_url}{'&' if '?' in database_url else '?'}options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    yield url
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}


@pytest.fixture
def connection(database_url: str) -> Iterator[sa.Connection]:
    """One connection per test holding an outer transaction that is rolled back at the end."""
    engine = make_engine(database_url)
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()
    engine.dispose()


def _bound_app(database_url: str, connection: sa.Connection, clock: FixedClock) -> Flask:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    app.extensions["clock"] = clock
    # Every session the app opens joins the test's transaction; commits become savepoints.
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    db.use_session_factory(app, factory)
    return app


@pytest.fixture
def app(database_url: str, connection: sa.Connection, clock: FixedClock, tmp_path: Path) -> Flask:
    app = _bound_app(database_url, connection, clock)
    app.extensions["file_store"] = LocalFileStore(tmp_path / "files")
    return app


@pytest.fixture
def session(database_url: str, connection: sa.Connection, clock: FixedClock) -> Iterator[Session]:
    """The test's own session on the same transaction as the app's requests.

    It lives in the app context of a second app object on purpose: a request of `app` then pushes
    its own app context (fresh g, session closed at teardown) exactly as in production.
    """
    with _bound_app(database_url, connection, clock).app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def sign_in(self, username: str, password: str = TEST_PASSWORD, next_url: str = "") -> object:
        return self._client.post(
            "/sign-in", data={"username": username, "password": password, "next": next_url}
        )

    def sign_out(self) -> object:
        return self._client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def count(session: Session, model: type) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)

"""Each test gets the app on a database migrated once per run, inside a transaction rolled back after it.

POSTAL_HUB_TEST_ENGINE=postgresql runs the same suite on TEST_DATABASE_URL (see the Makefile).

Each test still builds its apps with create_app(); what every one of them would rebuild identically
(URL builders, compiled templates, compiled SQL on the one test engine) is kept for the whole run.
"""

from __future__ import annotations

import importlib.metadata
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.routing.rules import Rule

from postal_hub import create_app, migrate
from postal_hub.core.files import LocalFileStore
from postal_hub.core.places.services import sync_places
from postal_hub.db import make_engine
from postal_hub.extensions import db
from tests.fakes import FixedClock

pytest_plugins = ["tests.pii_guard"]
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


@pytest.fixture(scope="session", autouse=True)
def _url_builders_made_once() -> Iterator[None]:
    """create_app() spends nearly all its time (~0.3 s, twice per test) in Werkzeug turning each route
    into Python source and compiling it: two builder functions per rule, the same for every app. The
    builder's code depends only on the rule's parsed parts and defaults, and it reaches the rule only
    through its `.self` argument, so one function serves that route in every app of the run.
    Checked against Werkzeug 3.1's Rule; on any other version the memo stays off (slower, not wrong)."""
    if not importlib.metadata.version("werkzeug").startswith("3.1."):
        yield
        return
    original: Callable[..., Any] = Rule._compile_builder
    made: dict[tuple[Any, ...], Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        dynamic = {name for is_dynamic, name in self._trace if is_dynamic}
        key = (
            append_unknown,
            self.rule,
            tuple(self._trace),
            tuple(
                (name, self._converters[name].to_url(value) if name in dynamic else None)
                for name, value in defaults.items()
            ),
        )
        if key not in made:
            made[key] = original(self, append_unknown)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", compile_builder)
        yield


class _TemplatesCompiledOnce(BytecodeCache):
    """Every test's app has a fresh Jinja environment, configured identically; without this each one
    parses and compiles base.html and its page again. Jinja checks each entry against the template's
    source checksum, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _TemplatesCompiledOnce()


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


@pytest.fixture(scope="session")
def database_engine(database_url: str) -> Iterator[Engine]:
    """One engine for the run: its pool hands each test a connection already open, and its cache keeps
    the SQL compiled for earlier tests (a new engine per test compiled every statement again)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(database_engine: Engine) -> Iterator[sa.Connection]:
    """One connection per test holding an outer transaction that is rolled back at the end."""
    conn = database_engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


def _bound_app(database_url: str, connection: sa.Connection, clock: FixedClock) -> Flask:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    app.extensions["clock"] = clock
    db.bind_to_connection(app, connection)
    return app


@pytest.fixture
def app(database_url: str, connection: sa.Connection, clock: FixedClock, tmp_path: Path) -> Flask:
    app = _bound_app(database_url, connection, clock)
    app.extensions["file_store"] = LocalFileStore(tmp_path / "files")
    return app


@pytest.fixture
def session(
    database_url: str, connection: sa.Connection, clock: FixedClock, tmp_path: Path
) -> Iterator[Session]:
    """The test's own session on the same transaction as the app's requests.

    It lives in the app context of a second app object on purpose: a request of `app` then pushes
    its own app context (fresh g, session closed at teardown) exactly as in production. Its files go
    to the same folder as `app`'s, never to the checkout's instance/files.
    """
    app = _bound_app(database_url, connection, clock)
    app.extensions["file_store"] = LocalFileStore(tmp_path / "files")
    with app.app_context():
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

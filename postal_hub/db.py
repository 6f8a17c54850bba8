"""Engine and one session per request, plus the declarative base and column types every model uses."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every engine (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_check(column: str, values: Any) -> sa.CheckConstraint:
    """A CHECK constraint that holds a column to an enum's values (the house rule for states)."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def make_engine(url: str, **kwargs: Any) -> Engine:
    # A database error's message would otherwise carry the statement's values (phone numbers, citizen
    # IDs) into the log line of every failed request.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _make_sqlite_transactional(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def _make_sqlite_transactional(engine: Engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take it over (the
    recipe from SQLAlchemy's SQLite docs) and switch foreign keys on."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")


class Database:
    """Builds each app's engine at init_app() and hands each app context its own Session.

    State lives in app.extensions, not on this object, so several apps (tests) never share an engine.
    """

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        pool = (
            {}
            if url.startswith("sqlite")
            else {"pool_size": app.config["DATABASE_POOL_SIZE"], "max_overflow": 10}
        )
        engine = make_engine(url, **pool)
        app.extensions["postal_hub_db"] = {
            "engine": engine,
            "session_factory": sessionmaker(engine, expire_on_commit=False),
            "read_engine": None,
            "read_connection": None,
            "read_engine_lock": threading.Lock(),
        }
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        engine: Engine = current_app.extensions["postal_hub_db"]["engine"]
        return engine

    def bind_to_connection(self, app: Flask, connection: sa.Connection) -> None:
        """Tests bind the app to one outer transaction that is rolled back after each test: every session
        the app opens joins it (commits become savepoints), and public reads (`read`) run on the same
        connection, so both see what the test wrote."""
        state = app.extensions["postal_hub_db"]
        state["session_factory"] = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        state["read_connection"] = connection

    def read(self, query: Callable[[sa.Connection], T]) -> T:
        """Run a public, read-only lookup (tracking) on a connection of its own, outside the ORM session.

        The anonymous hot path pays for every round trip to the database: a session's connection costs
        four (pre-ping, BEGIN, the statement, ROLLBACK), this one costs the statement alone. Its pool
        runs in autocommit and without a pre-ping; instead, a lookup whose connection turns out to be
        dead (the database restarted) is run once more on a fresh one, which is safe because it writes
        nothing. SQLite has no server to round-trip to: the app's own engine serves it.
        """
        state = current_app.extensions["postal_hub_db"]
        bound: sa.Connection | None = state["read_connection"]
        if bound is not None:
            return query(bound)
        engine = self._read_engine(state)
        try:
            with engine.connect() as conn:
                return query(conn)
        except sa.exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            dropped = exc
        try:
            with engine.connect() as conn:  # the pool was invalidated: this connection is a new one
                return query(conn)
        except sa.exc.SQLAlchemyError as again:
            raise again from dropped

    @staticmethod
    def _read_engine(state: dict[str, Any]) -> Engine:
        engine: Engine | None = state["read_engine"]
        if engine is not None:
            return engine
        with state["read_engine_lock"]:
            if state["read_engine"] is None:
                main: Engine = state["engine"]
                timeout = int(current_app.config["DATABASE_READ_TIMEOUT_SECONDS"])
                state["read_engine"] = (
                    main
                    if main.dialect.name == "sqlite"
                    else make_engine(
                        main.url.render_as_string(hide_password=False),
                        pool_pre_ping=False,
                        isolation_level="AUTOCOMMIT",
                        pool_size=current_app.config["DATABASE_READ_POOL_SIZE"],
                        max_overflow=10,
                        # A lookup (or the readiness probe) that cannot get an answer within seconds
                        # fails with a 503 rather than holding the worker: no wait of 30 s for a
                        # pooled connection, for a new one, or for a statement.
                        pool_timeout=timeout,
                        connect_args={
                            "connect_timeout": timeout,
                            "options": f"-c statement_timeout={timeout * 1000}",
                        },
                    )
                )
            found: Engine = state["read_engine"]
            return found

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["postal_hub_db"]["session_factory"]()
        session: Session = g.db_session
        return session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

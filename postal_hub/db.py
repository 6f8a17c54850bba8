"""Engine and one session per request, plus the declarative base and column types every model uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


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
        }
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        engine: Engine = current_app.extensions["postal_hub_db"]["engine"]
        return engine

    def use_session_factory(self, app: Flask, factory: sessionmaker[Session]) -> None:
        """Tests bind the app to one outer transaction that is rolled back after each test."""
        app.extensions["postal_hub_db"]["session_factory"] = factory

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

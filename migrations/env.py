"""Alembic environment: the schema comes from these migrations, never from create_all()."""

from __future__ import annotations

import os

from alembic import context

from postal_hub.db import make_engine
from postal_hub.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("No database URL: run through `postal-hub db upgrade` or set DATABASE_URL.")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    sqlite = getattr(connection, "dialect", None) is not None and connection.dialect.name == "sqlite"  # type: ignore[attr-defined]
    if sqlite:
        # SQLite changes a table by rebuilding it (batch mode): DROP TABLE with foreign keys on would
        # cascade-delete the children's rows, or refuse. The pragma only takes effect outside a
        # transaction, so it is set on the driver connection before Alembic begins one; the keys are
        # checked once the migration has run instead.
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()  # type: ignore[attr-defined]
            if broken:
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: object, statement: str) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(statement)
    cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""The schema comes from the migrations, on both engines."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from postal_hub import migrate
from postal_hub.db import make_engine
from postal_hub.models import Base
from tests.conftest import ENGINE


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if ENGINE != "postgresql":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_create_every_model_table_on_an_empty_database(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)


def test_migrations_downgrade_to_an_empty_database(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()


def test_the_models_and_the_migrations_agree(empty_database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counted = {t: sa.select(sa.func.count()).select_from(sa.table(t)) for t in tables}
            return {t: int(conn.execute(stmt).scalar_one()) for t, stmt in counted.items()}
    finally:
        engine.dispose()


def test_migrating_a_database_with_data_down_and_up_keeps_every_row(empty_database_url: str) -> None:
    """SQLite rebuilds a table to change it: its children's rows must survive (no cascade on DROP)."""
    from postal_hub import create_app
    from postal_hub.extensions import db
    from tests import factories
    from tests.conftest import TEST_CONFIG
    from tests.fakes import FixedClock

    migrate.upgrade(empty_database_url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database_url})
    with app.app_context():
        from postal_hub.core.places.services import sync_places

        sync_places(db.session)
        world = factories.intake_setup(db.session)
        dossier = factories.accepted_dossier(db.session, world, FixedClock().now())
        factories.manifest_for(db.session, world, [dossier], FixedClock().now())
        db.session.commit()
    tables = ["dossiers", "manifests", "manifest_lines", "contract_terms", "custody_entries", "tasks"]
    before = _counts(empty_database_url, tables)
    assert all(before.values())
    migrate.downgrade(empty_database_url, "0006")
    assert _counts(empty_database_url, tables) == before
    migrate.upgrade(empty_database_url)
    assert _counts(empty_database_url, tables) == before


def test_upgrading_an_installation_in_use_starts_with_the_gate_off(empty_database_url: str) -> None:
    """Its procedures have no group and its staff no certificate yet: a gate on would stop every counter."""
    migrate.upgrade(empty_database_url, "0007")
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO procedures (code, name, search_key, field, competent_level, fee, charge, "
                "processing_days, postal_allowed, onsite_inspection, active, created_at, updated_at) "
                "VALUES ('1.000001', 'Thủ tục', 'thu tuc', '', 'commune', 0, 0, 1, true, false, true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    migrate.upgrade(empty_database_url)
    with engine.connect() as conn:
        value = conn.execute(
            sa.text("SELECT value FROM deployment_settings WHERE key = 'training.gate'")
        ).scalar()
    engine.dispose()
    assert value == "off"


def test_a_fresh_installation_starts_with_the_gate_on(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM deployment_settings")).scalar()
    engine.dispose()
    assert rows == 0  # no row: the gate's default, on

"""Two hundred concurrent bookings for the last seats of a window confirm exactly as many as there are.

Real threads need committed data, so each engine gets a database of its own: a fresh schema on
PostgreSQL, a fresh file on SQLite (where writers queue on the database lock and retry).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from postal_hub import create_app, migrate
from postal_hub.core.errors import Conflict
from postal_hub.core.places.services import sync_places
from postal_hub.core.retry import commit_with_retry
from postal_hub.extensions import db
from postal_hub.pickup.booking import SlotFull, book
from postal_hub.pickup.models import Pickup, PickupSlot
from postal_hub.services import pickup_settings
from tests import factories
from tests.conftest import ENGINE, TEST_CONFIG
from tests.fakes import FixedClock

ATTEMPTS = 200
SEATS = 7
POOL = 20


@pytest.fixture
def real_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if ENGINE == "postgresql":
        yield request.getfixturevalue("own_schema")
        return
    url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    migrate.upgrade(url)
    yield url


def _app(url: str) -> Flask:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "DATABASE_POOL_SIZE": POOL})
    app.extensions["clock"] = FixedClock()
    return app


def _world(app: Flask) -> dict[str, Any]:
    with app.app_context():
        sync_places(db.session)
        world = factories.pickup_setup(db.session, capacity=SEATS)
        db.session.commit()
        return {"procedure_code": world["procedure"].code, "office_id": world["office"].id}


def _phone(index: int) -> str:
    return f"09{index + 10_000_000:08d}"


def test_two_hundred_concurrent_bookings_fill_exactly_the_seats(real_database: str) -> None:
    app = _app(real_database)
    world = _world(app)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(ATTEMPTS, timeout=60)

    def attempt(index: int) -> None:
        with app.app_context():
            data = factories.booking_input(
                {"procedure": type("P", (), {"code": world["procedure_code"]})()},
                factories.next_window(),
                phone=_phone(index),
            )
            settings = pickup_settings()
            barrier.wait()
            try:
                # Two hundred writers on one SQLite file retry for their turn far more often than any real
                # counter does; on a loaded machine the default 30 tries can run out before the lock frees.
                commit_with_retry(
                    db.session,
                    lambda: book(db.session, settings, data, app.extensions["clock"].now()),
                    attempts=ATTEMPTS,
                )
                outcome = "booked"
            except SlotFull:
                db.session.rollback()
                outcome = "full"
            except Exception as exc:  # reported below: every attempt must end as booked or full
                db.session.rollback()
                outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    errors = [o for o in outcomes if o.startswith("error")]
    assert errors == []
    assert outcomes.count("booked") == SEATS
    assert outcomes.count("full") == ATTEMPTS - SEATS
    with app.app_context():
        slot = db.session.scalar(sa.select(PickupSlot).where(PickupSlot.office_id == world["office_id"]))
        assert slot is not None and slot.booked == SEATS
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pickup)) == SEATS


def test_concurrent_bookings_from_one_phone_stay_within_its_open_limit(real_database: str) -> None:
    app = _app(real_database)
    world = _world(app)
    outcomes: list[str] = []
    lock = threading.Lock()
    tries = 8
    barrier = threading.Barrier(tries, timeout=60)

    def attempt(index: int) -> None:
        with app.app_context():
            data = factories.booking_input(
                {"procedure": type("P", (), {"code": world["procedure_code"]})()},
                factories.next_window(
                    hour=(8, 10, 14)[index % 3], days=3 + 2 * (index // 3)
                ),  # Mon, Wed, Fri
            )
            settings = pickup_settings()
            barrier.wait()
            try:
                commit_with_retry(
                    db.session, lambda: book(db.session, settings, data, app.extensions["clock"].now())
                )
                outcome = "booked"
            except Conflict:
                db.session.rollback()
                outcome = "refused"
            except Exception as exc:  # reported below
                db.session.rollback()
                outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("booked") == 3  # PICKUP_MAX_OPEN_PER_PHONE

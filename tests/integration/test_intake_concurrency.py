"""Twenty clerks accepting at the same moment get twenty consecutive codes: no duplicate, no gap.

Real threads and real commits need committed data, so this runs in a schema of its own that is
migrated for the test and dropped after it. PostgreSQL only: SQLite serialises writers anyway.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.places.services import sync_places
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, accept
from tests import factories
from tests.conftest import ENGINE, TEST_CONFIG
from tests.fakes import FixedClock

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
WORKERS = 20


def test_twenty_concurrent_acceptances_get_consecutive_codes(own_schema: str) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": WORKERS + 2})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        world = factories.intake_setup(db.session)
        db.session.commit()
        ids: dict[str, Any] = {
            "clerk": world["clerk"].id,
            "office": world["office"].id,
            "procedure": world["procedure"].id,
            "present": {c.code for c in world["procedure"].components},
        }
    barrier = threading.Barrier(WORKERS, timeout=30)
    results: list[str] = []
    failures: list[BaseException] = []

    def clerk_accepts() -> None:
        try:
            with app.app_context():
                session: Session = db.session
                from postal_hub.core.orgs.models import PostOffice
                from postal_hub.core.users.models import User

                clerk, office = session.get(User, ids["clerk"]), session.get(PostOffice, ids["office"])
                assert clerk is not None and office is not None
                barrier.wait()
                dossier = accept(
                    session,
                    clerk,
                    office,
                    AcceptanceInput(
                        procedure_id=ids["procedure"], applicant=factories.applicant(), present=ids["present"]
                    ),
                    clock.now(),
                )
                assert isinstance(dossier, Dossier)
                session.commit()
                results.append(dossier.code)
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=clerk_accepts) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    sequences = sorted(int(code.rsplit("-", 1)[1]) for code in results)
    assert sequences == list(range(1, WORKERS + 1))
    app.extensions["postal_hub_db"]["engine"].dispose()


def test_two_clicks_on_accept_at_the_same_moment_make_one_dossier(own_schema: str) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 4})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        world = factories.intake_setup(db.session)
        db.session.commit()
        ids = {"clerk": world["clerk"].id, "office": world["office"].id, "procedure": world["procedure"].id}
    barrier = threading.Barrier(2, timeout=30)
    codes: list[str] = []
    failures: list[BaseException] = []

    def click() -> None:
        try:
            with app.app_context():
                from postal_hub.core.orgs.models import PostOffice
                from postal_hub.core.users.models import User

                clerk, office = db.session.get(User, ids["clerk"]), db.session.get(PostOffice, ids["office"])
                assert clerk is not None and office is not None
                barrier.wait()
                dossier = accept(
                    db.session,
                    clerk,
                    office,
                    AcceptanceInput(
                        procedure_id=ids["procedure"],
                        applicant=factories.applicant(),
                        present={"TP1", "TP2"},
                        submission_token="same-form",
                    ),
                    clock.now(),
                )
                assert isinstance(dossier, Dossier)
                db.session.commit()
                codes.append(dossier.code)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and len(codes) == 2 and codes[0] == codes[1]
    app.extensions["postal_hub_db"]["engine"].dispose()

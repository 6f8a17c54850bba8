"""Concurrent appends never fork a custody chain; a concurrent repeat of an API write is not done twice.

Real threads need committed data, so these run in a schema of their own (PostgreSQL only: SQLite
serialises writers anyway).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from postal_hub import create_app
from postal_hub.core.custody import services as custody
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import Conflict
from postal_hub.core.orgs.models import Organization
from postal_hub.core.places.services import sync_places
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import User
from postal_hub.extensions import db
from postal_hub.handoff.models import Manifest
from postal_hub.handoff.services import dispatch
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import ENGINE, TEST_CONFIG
from tests.fakes import FixedClock

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
THREADS = 12
APPENDS = 5


def _run_together(count: int, work: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(count, timeout=30)
    failures: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_concurrent_appends_never_fork_the_chain(own_schema: str) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": THREADS + 2})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        org_id = factories.unit(db.session).id
        db.session.commit()

    def append_some(index: int) -> None:
        for n in range(APPENDS):
            with app.app_context():
                org = db.session.get(Organization, org_id)
                assert org is not None
                subject = custody.Subject(None, f"T{index}-{n}", "", "")
                custody.append(db.session, org, CustodyKind.SEALED, subject, clock.now(), f"thread {index}")
                db.session.commit()

    assert _run_together(THREADS, append_some) == []
    with app.app_context():
        org = db.session.get(Organization, org_id)
        assert org is not None
        report = custody.verify_org(db.session, org)
        assert report.ok and report.verdict.size == THREADS * APPENDS
    app.extensions["postal_hub_db"]["engine"].dispose()


def _dispatched_world(own_schema: str, key_count: int) -> tuple[Flask, str, list[str]]:
    """An app on the test's own schema with one dossier on a dispatched manifest, and unit keys."""
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": key_count + 4})
    clock = FixedClock()
    app.extensions["clock"] = clock
    with app.app_context():
        sync_places(db.session)
        world = factories.intake_setup(db.session)
        dossier = factories.accepted_dossier(db.session, world, clock.now())
        factories.manifest_for(db.session, world, [dossier], clock.now())
        keys = [
            api_keys.create_api_key(db.session, world["unit"], f"system {n}", clock.now())[1]
            for n in range(key_count)
        ]
        db.session.commit()
        return app, dossier.code, keys


def test_a_receipt_sent_twice_at_once_with_one_key_is_confirmed_once(own_schema: str) -> None:
    app, code, (key,) = _dispatched_world(own_schema, 1)
    answers: list[Any] = []

    def post(_index: int) -> None:
        response = app.test_client().post(
            f"/api/v1/dossiers/{code}/receipt",
            json={"accepted": True},
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "receipt-1"},
        )
        answers.append((response.status_code, response.get_json()))

    assert _run_together(2, post) == []
    statuses = sorted(status for status, _body in answers)
    assert statuses in ([200, 200], [200, 409])
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert found is not None and [e.code for e in found.events].count("received") == 1
    app.extensions["postal_hub_db"]["engine"].dispose()


def test_receipts_sent_at_once_with_different_keys_confirm_the_envelope_once(own_schema: str) -> None:
    app, code, keys = _dispatched_world(own_schema, 4)
    statuses: list[int] = []

    def post(index: int) -> None:
        body = {"accepted": True} if index % 2 else {"accepted": False, "reason": "damaged_seal"}
        response = app.test_client().post(
            f"/api/v1/dossiers/{code}/receipt", json=body, headers={"Authorization": f"Bearer {keys[index]}"}
        )
        statuses.append(response.status_code)

    assert _run_together(4, post) == []
    assert sorted(statuses) == [200, 409, 409, 409]
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert found is not None
        answers = [e.code for e in found.events if e.code in ("received", "rejected")]
        entries = db.session.scalar(
            select(func.count()).select_from(CustodyEntry).where(CustodyEntry.dossier_id == found.id)
        )
        assert len(answers) == 1 and entries == 2 * 4  # accepted, sealed, dispatched, one answer; two chains
    app.extensions["postal_hub_db"]["engine"].dispose()


def test_two_dispatches_of_one_manifest_at_once_send_it_once(own_schema: str) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 6})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        world = factories.intake_setup(db.session)
        dossier = factories.accepted_dossier(db.session, world, clock.now())
        draft = factories.manifest_for(db.session, world, [dossier], clock.now(), dispatch=False)
        db.session.commit()
        ids = {"manifest": draft.id, "clerk": world["clerk"].id, "dossier": dossier.id}
    outcomes: list[str] = []

    def send(_index: int) -> None:
        with app.app_context():
            manifest = db.session.get(Manifest, ids["manifest"])
            clerk = db.session.get(User, ids["clerk"])
            assert manifest is not None and clerk is not None
            try:
                dispatch(db.session, clerk, manifest, clock.now())
                db.session.commit()
                outcomes.append("sent")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")

    assert _run_together(2, send) == []
    assert sorted(outcomes) == ["conflict", "sent"]
    with app.app_context():
        found = db.session.get(Dossier, ids["dossier"])
        assert found is not None and [e.code for e in found.events].count("dispatched") == 1
    app.extensions["postal_hub_db"]["engine"].dispose()


def test_an_answer_and_a_closing_at_the_same_moment_never_deadlock(own_schema: str) -> None:
    from postal_hub.handoff import receiving

    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 6})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        world = factories.intake_setup(db.session)
        manifests = []
        for _ in range(8):
            dossier = factories.accepted_dossier(db.session, world, clock.now())
            manifests.append(factories.manifest_for(db.session, world, [dossier], clock.now()).id)
        db.session.commit()
    for manifest_id in manifests:
        outcomes: list[str] = []

        def act(index: int, manifest_id: int = manifest_id, outcomes: list[str] = outcomes) -> None:
            with app.app_context():
                manifest = db.session.get(Manifest, manifest_id)
                assert manifest is not None
                line = manifest.lines[0]
                try:
                    if index == 0:
                        receiving.confirm_line(
                            db.session, None, "api", manifest, line, True, None, "", clock.now()
                        )
                    else:
                        receiving.close(db.session, None, "officer", manifest, clock.now())
                    db.session.commit()
                    outcomes.append("ok")
                except Conflict:
                    db.session.rollback()
                    outcomes.append("conflict")

        assert _run_together(2, act) == []  # a deadlock would be an OperationalError here
        assert "ok" in outcomes
    app.extensions["postal_hub_db"]["engine"].dispose()

"""Managers enrolling at the same moment never seat more trainees than the session holds; two trainers
issuing at once never make two certificates for one pass. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.errors import Conflict
from postal_hub.core.places.services import sync_places
from postal_hub.core.users.models import Role, User
from postal_hub.extensions import db
from postal_hub.training import certificates, enrolment, results
from postal_hub.training.models import Certificate, Enrolment, TrainingSession
from tests import factories
from tests.conftest import ENGINE, TEST_CONFIG
from tests.factories_training import course, procedure_group, training_session

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
WORKERS = 12
SEATS = 5


def _race(workers: int, act: Callable[[Session, int], None]) -> list[BaseException]:
    barrier = threading.Barrier(workers, timeout=30)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with APP.app_context():
                barrier.wait()
                act(db.session, i)
                db.session.commit()
        except Conflict:
            pass  # the refusal the race is meant to produce
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


APP: Flask


def _app(url: str) -> Flask:
    global APP
    APP = create_app({**TEST_CONFIG, "DATABASE_URL": url, "DATABASE_POOL_SIZE": WORKERS + 2})
    return APP


def test_concurrent_enrolments_seat_exactly_the_capacity_and_queue_the_rest(own_schema: str) -> None:
    app = _app(own_schema)
    with app.app_context():
        sync_places(db.session)
        op = factories.operator(db.session)
        office = factories.post_office(db.session, op)
        trainer = factories.user(db.session, Role.TRAINER, organization=op)
        run = training_session(
            db.session,
            trainer,
            course(db.session, trainer, op, [procedure_group(db.session)]),
            NOW,
            capacity=SEATS,
        )
        managers = [
            factories.user(db.session, Role.POSTAL_MANAGER, organization=op, post_office_id=office.id)
            for _ in range(WORKERS)
        ]
        clerks = [
            factories.user(db.session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
            for _ in range(WORKERS)
        ]
        db.session.commit()
        ids = (run.id, [m.id for m in managers], [c.id for c in clerks])

    def enrol(session: Session, i: int) -> None:
        record = session.get(TrainingSession, ids[0])
        manager, clerk = session.get(User, ids[1][i]), session.get(User, ids[2][i])
        assert record is not None and manager is not None and clerk is not None
        enrolment.enrol(session, manager, record, clerk, NOW)

    assert _race(WORKERS, enrol) == []
    with app.app_context():
        statuses = list(db.session.scalars(sa.select(Enrolment.status).where(Enrolment.session_id == ids[0])))
        assert sorted(statuses) == ["enrolled"] * SEATS + ["waitlisted"] * (WORKERS - SEATS)
    app.extensions["postal_hub_db"]["engine"].dispose()


def test_two_trainers_issuing_at_once_make_one_certificate(own_schema: str) -> None:
    app = _app(own_schema)
    with app.app_context():
        sync_places(db.session)
        op = factories.operator(db.session)
        office = factories.post_office(db.session, op)
        trainer = factories.user(db.session, Role.TRAINER, organization=op)
        run = training_session(
            db.session, trainer, course(db.session, trainer, op, [procedure_group(db.session)]), NOW
        )
        clerk = factories.user(db.session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
        line = enrolment.enrol(db.session, trainer, run, clerk, NOW)
        for day in run.days:
            results.record_attendance(db.session, trainer, line, day, True, NOW)
        results.record_score(db.session, trainer, line, 90, NOW)
        db.session.commit()
        ids = (trainer.id, line.id)

    def issue(session: Session, _i: int) -> None:
        actor, found = session.get(User, ids[0]), session.get(Enrolment, ids[1])
        assert actor is not None and found is not None
        certificates.issue(session, actor, found, NOW)

    assert _race(4, issue) == []  # the losers are refused (Conflict), none fails with a database error
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    app.extensions["postal_hub_db"]["engine"].dispose()

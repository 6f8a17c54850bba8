"""The worker's round: contract jobs, a daily custody checkpoint, and old idempotency keys forgotten."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub import jobs
from postal_hub.api.idempotency_models import IdempotencyRecord
from postal_hub.core.custody.models import CustodyCheckpoint
from postal_hub.core.notifications import InboxNotifier
from tests import factories
from tests.fakes import FixedClock


def test_a_round_signs_a_checkpoint_of_each_chain_that_grew(session: Session, clock: FixedClock) -> None:
    world = factories.intake_setup(session)
    factories.accepted_dossier(session, world, clock.now())
    summary = jobs.run(session, clock.now(), InboxNotifier())
    signed = set(session.scalars(sa.select(CustodyCheckpoint.organization_id)))
    assert summary["custody_checkpoints"] == 2 and signed == {world["unit"].id, world["operator"].id}


def test_a_round_forgets_idempotency_keys_older_than_the_keeping_time(
    session: Session, clock: FixedClock
) -> None:
    org = factories.unit(session)
    for key, age in (("old", 73), ("recent", 1)):
        session.add(
            IdempotencyRecord(
                organization_id=org.id,
                key=key,
                request_hash="h",
                created_at=clock.now() - timedelta(hours=age),
            )
        )
    session.flush()
    summary = jobs.run(session, clock.now(), InboxNotifier())
    assert summary["idempotency_keys_forgotten"] == 1
    assert list(session.scalars(sa.select(IdempotencyRecord.key))) == ["recent"]

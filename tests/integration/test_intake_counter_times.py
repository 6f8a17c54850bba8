"""What accept() keeps for the waiting and handling times, by channel, and how it checks a ticket time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import ValidationFailed
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, accept
from postal_hub.intake.status import Channel
from tests import factories
from tests.fakes import FixedClock


def _accept(session: Session, world: dict[str, Any], clock: FixedClock, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "procedure_id": world["procedure"].id,
        "applicant": factories.applicant(),
        "present": {c.code for c in world["procedure"].components},
    }
    values.update(overrides)
    return accept(session, world["clerk"], world["office"], AcceptanceInput(**values), clock.now())


def test_a_counter_acceptance_keeps_when_the_citizen_queued_and_when_service_started(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    queued, started = clock.now() - timedelta(minutes=25), clock.now() - timedelta(minutes=12)
    dossier = _accept(session, world, clock, counter_queued_at=queued, counter_started_at=started)
    assert isinstance(dossier, Dossier)
    assert (dossier.counter_queued_at, dossier.counter_started_at) == (queued, started)


@pytest.mark.parametrize("channel", [Channel.API, Channel.PICKUP])
def test_an_acceptance_away_from_the_counter_keeps_no_counter_times(
    session: Session, clock: FixedClock, channel: Channel
) -> None:
    world = factories.intake_setup(session)
    dossier = _accept(
        session,
        world,
        clock,
        channel=channel,
        counter_queued_at=clock.now() - timedelta(minutes=25),
        counter_started_at=clock.now() - timedelta(minutes=12),
    )
    assert isinstance(dossier, Dossier)
    assert (dossier.counter_queued_at, dossier.counter_started_at) == (None, None)


def test_a_counter_acceptance_without_a_ticket_or_a_start_keeps_both_unknown(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = _accept(session, world, clock)
    assert (dossier.counter_queued_at, dossier.counter_started_at) == (None, None)


def test_a_start_of_service_later_than_the_acceptance_is_kept_as_unknown(
    session: Session, clock: FixedClock
) -> None:
    world = factories.intake_setup(session)
    dossier = _accept(session, world, clock, counter_started_at=clock.now() + timedelta(minutes=1))
    assert isinstance(dossier, Dossier) and dossier.counter_started_at is None


@pytest.mark.parametrize(
    ("queued_minutes_ago", "started_minutes_ago"),
    [(-1, None), (12 * 60 + 1, None), (5, 10)],
    ids=["later-than-now", "over-twelve-hours-ago", "after-service-started"],
)
def test_an_impossible_queue_ticket_time_is_refused_on_its_field(
    session: Session, clock: FixedClock, queued_minutes_ago: int, started_minutes_ago: int | None
) -> None:
    world = factories.intake_setup(session)
    started = None if started_minutes_ago is None else clock.now() - timedelta(minutes=started_minutes_ago)
    queued = clock.now() - timedelta(minutes=queued_minutes_ago)
    with pytest.raises(ValidationFailed) as refused:
        _accept(session, world, clock, counter_queued_at=queued, counter_started_at=started)
    assert set(refused.value.fields) == {"counter_queued_at"}

"""Hand-offs tell people in their inbox: the unit when envelopes leave, the office when one is refused
or a manifest is closed with discrepancies."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.notifications import InboxNotifier, Notification
from postal_hub.core.users.models import Role
from postal_hub.handoff import receiving
from postal_hub.handoff.services import dispatch
from tests import factories
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    world["officer"] = factories.unit_officer(session, world)
    world["manager"] = factories.user(
        session, Role.POSTAL_MANAGER, organization=world["operator"], post_office_id=world["office"].id
    )
    world["dossier"] = factories.accepted_dossier(session, world, clock.now())
    world["manifest"] = factories.manifest_for(
        session, world, [world["dossier"]], clock.now(), dispatch=False
    )
    return world


def _inbox(session: Session, user: Any) -> list[str]:
    return list(session.scalars(sa.select(Notification.link).where(Notification.user_id == user.id)))


def test_dispatching_tells_the_units_officers(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dispatch(session, world["clerk"], world["manifest"], clock.now(), InboxNotifier())
    assert _inbox(session, world["officer"]) == [f"/manifests/{world['manifest'].number}"]


def test_a_refusal_tells_whoever_prepared_the_manifest_and_the_offices_manager(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = world["manifest"]
    dispatch(session, world["clerk"], manifest, clock.now())
    receiving.confirm_line(
        session,
        None,
        "api",
        manifest,
        manifest.lines[0],
        False,
        "damaged_seal",
        "",
        clock.now(),
        InboxNotifier(),
    )
    assert len(_inbox(session, world["clerk"])) == 1 and len(_inbox(session, world["manager"])) == 1


def test_closing_with_an_envelope_not_received_tells_the_office(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    dispatch(session, world["clerk"], world["manifest"], clock.now())
    receiving.close(session, None, "api", world["manifest"], clock.now(), InboxNotifier())
    assert len(_inbox(session, world["manager"])) == 1


def test_closing_without_discrepancies_tells_nobody(
    session: Session, world: dict[str, Any], clock: FixedClock
) -> None:
    manifest = world["manifest"]
    dispatch(session, world["clerk"], manifest, clock.now())
    receiving.confirm_line(session, None, "api", manifest, manifest.lines[0], True, None, "", clock.now())
    receiving.close(session, None, "api", manifest, clock.now(), InboxNotifier())
    assert _inbox(session, world["manager"]) == [] and _inbox(session, world["clerk"]) == []

"""Organization API keys."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import ValidationFailed
from postal_hub.core.users import api_keys
from tests import factories
from tests.fakes import FixedClock


def test_a_new_key_authenticates_and_records_its_use(session: Session, clock: FixedClock) -> None:
    unit = factories.unit(session)
    key, plaintext = api_keys.create_api_key(session, unit, "DMS", clock.now())
    clock.advance(hours=1)
    assert api_keys.authenticate(session, plaintext, clock.now()) == key
    assert key.last_used_at == clock.now()


def test_only_a_hash_of_the_key_is_stored(session: Session, clock: FixedClock) -> None:
    key, plaintext = api_keys.create_api_key(session, factories.operator(session), "Ops", clock.now())
    assert plaintext.split("_", 2)[2] not in key.key_hash


def test_a_revoked_key_no_longer_authenticates(session: Session, clock: FixedClock) -> None:
    key, plaintext = api_keys.create_api_key(session, factories.unit(session), "DMS", clock.now())
    api_keys.revoke(session, key, clock.now(), None)
    assert api_keys.authenticate(session, plaintext, clock.now()) is None


def test_a_tampered_key_does_not_authenticate(session: Session, clock: FixedClock) -> None:
    _key, plaintext = api_keys.create_api_key(session, factories.unit(session), "DMS", clock.now())
    assert api_keys.authenticate(session, plaintext[:-1] + "x", clock.now()) is None


def test_an_agency_cannot_hold_api_keys(session: Session, clock: FixedClock) -> None:
    with pytest.raises(ValidationFailed):
        api_keys.create_api_key(session, factories.agency(session), "x", clock.now())

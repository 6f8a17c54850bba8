"""Loading the shipped places into the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from postal_hub.core.places.models import Commune, Province
from postal_hub.core.places.services import sync_places
from tests.conftest import count


def test_loading_places_again_changes_nothing(session: Session) -> None:
    assert sync_places(session)["changed"] == 0


def test_the_database_holds_the_34_provinces_and_their_communes(session: Session) -> None:
    assert count(session, Province) == 34
    assert count(session, Commune) == 3321


def test_a_renamed_commune_is_updated_on_the_next_load(session: Session) -> None:
    commune = session.get(Commune, "00004")
    assert commune is not None
    commune.name = "Tên cũ"
    session.flush()
    sync_places(session)
    assert commune.name == "Phường Ba Đình"

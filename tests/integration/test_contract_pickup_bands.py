"""A contract may price home pickup by distance band."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from postal_hub.contracts.inputs import TermInput
from postal_hub.contracts.status import TaskType
from postal_hub.core.errors import ValidationFailed
from tests import factories


def test_a_contracts_distance_bands_are_kept_tidy_on_its_version(session: Session) -> None:
    made = factories.contract(session, pickup_bands=" 5:0;10:5.000 ")
    assert made.versions[-1].pickup_bands == "5:0; 10:5000"


def test_distance_bands_without_home_pickup_in_scope_are_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        factories.contract(
            session, terms=[TermInput(TaskType.COUNTER_ACCEPTANCE.value, 8, 10_000)], pickup_bands="5:0"
        )
    assert "pickup_bands" in refused.value.fields


def test_nonsense_bands_are_refused_naming_the_field(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        factories.contract(session, pickup_bands="ten:km")
    assert "pickup_bands" in refused.value.fields

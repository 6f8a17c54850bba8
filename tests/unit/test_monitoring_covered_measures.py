"""The covering indexes carry what series and rankings sum (see models.COVERED_MEASURES): a measure
added to either and not to the indexes would silently send those reads back to the rows."""

from __future__ import annotations

import pytest

from postal_hub.monitoring.dashboard import RANK_MEASURES
from postal_hub.monitoring.models import (
    COVERED_MEASURES,
    SERIES_MEASURES,
    DossierFact,
    OfficeMonthStats,
    UnitMonthStats,
)


def _included(table: object = DossierFact, name: str = "ix_dossier_facts_unit_day") -> set[str]:
    index = next(i for i in table.__table__.indexes if i.name == name)  # type: ignore[attr-defined]
    return set(index.dialect_options["postgresql"]["include"])


def test_the_series_measures_are_carried_in_the_unit_day_index() -> None:
    assert set(SERIES_MEASURES) <= _included()


def test_what_both_rankings_judge_is_carried_in_the_unit_day_index() -> None:
    assert set(RANK_MEASURES[False]) | set(RANK_MEASURES[True]) <= _included()


def test_the_unit_day_index_carries_every_dimension_a_filter_can_name() -> None:
    assert {"group_id", "channel", "province_code", "operator_id"} <= _included()


def test_the_unit_day_index_carries_nothing_but_the_covered_measures_and_dimensions() -> None:
    assert _included() == {"group_id", "channel", "province_code", "operator_id", *COVERED_MEASURES}


@pytest.mark.parametrize(
    ("table", "name", "key"),
    [
        (OfficeMonthStats, "ix_stats_office_month_ranking", "office_id"),
        (UnitMonthStats, "ix_stats_unit_month_ranking", "unit_id"),
    ],
    ids=["office", "unit"],
)
def test_the_month_ranking_indexes_carry_their_key_and_what_both_rankings_judge(
    table: object, name: str, key: str
) -> None:
    assert _included(table, name) == {key, "province_code", "operator_id", *COVERED_MEASURES}
    assert set(RANK_MEASURES[False]) | set(RANK_MEASURES[True]) <= _included(table, name)


def test_the_day_index_carries_every_dimension_and_the_covered_measures() -> None:
    assert _included(DossierFact, "ix_dossier_facts_day") == {
        "office_id",
        "unit_id",
        "group_id",
        "channel",
        "province_code",
        "operator_id",
        *COVERED_MEASURES,
    }

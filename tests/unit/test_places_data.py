"""The shipped administrative data: the current units, and the crosswalk from the old ones."""

from __future__ import annotations

from postal_hub.core.places import data
from postal_hub.core.places.crosswalk import new_province_codes, resolve_legacy_address
from postal_hub.core.text import fold


def test_there_are_34_provinces_and_3321_communes() -> None:
    provinces = data.places()["provinces"]
    assert len(provinces) == 34
    assert sum(len(p["communes"]) for p in provinces) == 3321


def test_commune_codes_are_unique_five_digit_gso_codes() -> None:
    codes = [c[0] for p in data.places()["provinces"] for c in p["communes"]]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 5 and code.isdigit() for code in codes)


def test_the_data_records_its_source_and_version() -> None:
    source = data.places()["source"]
    assert source["package"] == "vietnam-provinces"
    assert source["effective_date"] == "2025-07-01"


def test_the_crosswalk_knows_all_63_old_provinces() -> None:
    assert len(data.crosswalk()["provinces"]) == 63


def test_an_old_province_maps_to_the_province_that_absorbed_it() -> None:
    assert new_province_codes("02") == ("08",)  # Hà Giang merged into Tuyên Quang


def test_an_old_three_level_address_resolves_to_the_current_commune() -> None:
    match = resolve_legacy_address("Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá")
    assert match is not None
    assert match.new_commune_codes == ("00097",)  # Phường Hồng Hà


def test_old_address_resolution_ignores_diacritics_and_unit_prefixes() -> None:
    match = resolve_legacy_address("Ho Chi Minh", "quan 1", "ben nghe")
    assert match is not None
    assert match.new_commune_codes == ("26740",)  # Phường Sài Gòn


def test_unknown_old_address_resolves_to_nothing() -> None:
    assert resolve_legacy_address("Thành phố Hà Nội", "Quận Ba Đình", "Phường Không Có") is None


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Đăng ký  Khai sinh") == "dang ky khai sinh"

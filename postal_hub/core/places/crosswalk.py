"""Understanding pre-2025 addresses (province / district / commune) in today's units.

Documents written before 1 July 2025 still name three levels and 63 provinces. The shipped
crosswalk (from the official conversion table) maps each old ward to the current commune(s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from postal_hub.core.places import data
from postal_hub.core.text import fold

_PREFIX = re.compile(r"^(thanh pho|tinh|quan|huyen|thi xa|thi tran|phuong|xa|dac khu)\s+")


def _key(name: str) -> str:
    key = fold(name)
    # "Phường 1" and "1" must meet; "Thành phố Thủ Đức" and "Thủ Đức" too.
    while True:
        stripped = _PREFIX.sub("", key)
        if stripped == key:
            return key
        key = stripped


@dataclass(frozen=True)
class LegacyMatch:
    old_ward_code: str
    old_ward_name: str
    old_district_name: str
    old_province_name: str
    new_commune_codes: tuple[str, ...]
    partly_merged: bool

    @property
    def unambiguous(self) -> bool:
        return len(self.new_commune_codes) == 1


@dataclass(frozen=True)
class _Index:
    provinces: dict[str, tuple[str, str]]  # key -> (code, name)
    districts: dict[tuple[str, str], tuple[str, str]]  # (province code, key) -> (code, name)
    wards: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...], bool]]]


@lru_cache(maxsize=1)
def _index() -> _Index:
    cw = data.crosswalk()
    provinces = {_key(name): (code, name) for code, name, _new in cw["provinces"]}
    provinces.update({code: (code, name) for code, name, _new in cw["provinces"]})
    districts: dict[tuple[str, str], tuple[str, str]] = {}
    for code, name, province_code in cw["districts"]:
        districts[(province_code, _key(name))] = (code, name)
        districts[(province_code, code)] = (code, name)
    wards: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...], bool]]] = {}
    for code, name, district_code, new_codes, partly in cw["wards"]:
        entry = (code, name, tuple(new_codes), bool(partly))
        wards.setdefault((district_code, _key(name)), []).append(entry)
        wards.setdefault((district_code, code), []).append(entry)
    return _Index(provinces, districts, wards)


def resolve_legacy_address(province: str, district: str, ward: str) -> LegacyMatch | None:
    """Find the old ward named (or coded) by the three parts; None when any part is unknown."""
    index = _index()
    province_hit = index.provinces.get(_key(province)) or index.provinces.get(province.strip())
    if province_hit is None:
        return None
    district_hit = index.districts.get((province_hit[0], _key(district))) or index.districts.get(
        (province_hit[0], district.strip())
    )
    if district_hit is None:
        return None
    hits = index.wards.get((district_hit[0], _key(ward))) or index.wards.get((district_hit[0], ward.strip()))
    if not hits or len(hits) > 1:
        return None
    code, name, new_codes, partly = hits[0]
    return LegacyMatch(code, name, district_hit[1], province_hit[1], new_codes, partly)


def new_province_codes(old_province_code: str) -> tuple[str, ...]:
    for code, _name, new_codes in data.crosswalk()["provinces"]:
        if code == old_province_code:
            return tuple(new_codes)
    return ()

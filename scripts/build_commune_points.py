"""Build postal_hub/core/data/commune_points.json: a real GeoNames point for every current commune.

The offline geocoder needs one reference point per commune (3,321 since 1 July 2025) but the shipped
GeoNames extract has ~900 places and no commune codes, so each commune is matched to a place by name,
within its province, and the file says how good each match is:

  name       a place whose own name is the commune's name (unit words such as Phường / Xã / Thị trấn
             stripped; tone-mark placement "Hoà"/"Hòa" ignored)
  alternate  a place one of whose Latin-script alternate names is the commune's name
  legacy     a place named after a pre-2025 ward or town that went whole into this one commune (crosswalk)
  province   none of those: the point of the province's capital (the seat after the 2025 merger)

Rules that keep a wrong point out (each counts as "no match" for its grade, so the commune drops to
the next grade):
  * Diacritics count: "Mỹ Tho" is not "Mỹ Thọ" (both are communes of Đồng Tháp). A name compared without
    diacritics (GeoNames' ASCII spellings, or its typos such as "Đưc Trọng") matches only when one commune
    of the province has that diacritic-free spelling.
  * Namesakes: several places with the commune's name within SAME_PLACE_KM of one another are one
    settlement recorded twice ("Thị Trấn Giá Rai" and "Giá Rai"): the most populous is taken (then the
    lowest geonameid). Farther apart they are different places and the commune is ambiguous at that grade.
  * A place whose own name is a commune's name is never used for another commune through its alternate
    or legacy names (those are often its district's name: Bạc Liêu city lists "Vĩnh Lợi"); nor is a place
    whose alternate names name two communes (Ho Chi Minh City lists both "Sài Gòn" and "Gia Định").
  * Legacy uses only old wards that went whole into one commune (not split, not partly merged), and only
    when every old ward of that name in the province went into the same commune.
Coordinates are copied from GeoNames as they are: never invented, moved or averaged. Three GeoNames rows
carry no current province code ("", "00", an obsolete "29"); each is given the province of its nearest
place that has one (the coordinates stay its own). The other admin1 codes already are the current GSO
province codes (Thủ Dầu Một and Vũng Tàu carry 79, Ho Chi Minh City; Pleiku 52, Gia Lai).

Runs offline from the shipped files:  python scripts/build_commune_points.py
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postal_hub.core.places import data
from postal_hub.core.text import fold

OUT = Path(__file__).resolve().parent.parent / "postal_hub" / "core" / "data" / "commune_points.json"

NAME, ALTERNATE, LEGACY, PROVINCE = "name", "alternate", "legacy", "province"
GRADES = (NAME, ALTERNATE, LEGACY, PROVINCE)
# Two namesakes closer than this are taken for one settlement: a town and its "Thị Trấn" entry lie
# 0.3-7 km apart in GeoNames, while distinct villages of one name in a province lie tens of km apart.
SAME_PLACE_KM = 10.0
EARTH_RADIUS_KM = 6371.0088

# The provincial seat after the 2025 merger (named with the merger plan, Resolution 60-NQ/TW of April
# 2025, and kept by Resolution 202/2025/QH15), as a GeoNames place of that province.
CAPITALS: dict[str, int] = {
    "01": 1581130,  # Hà Nội
    "04": 1586185,  # Cao Bằng
    "08": 1563287,  # Tuyên Quang (with Hà Giang)
    "11": 1583477,  # Điện Biên Phủ
    "12": 8456741,  # Lai Châu
    "14": 1567681,  # Sơn La
    "15": 1560349,  # Yên Bái (Lào Cai with Yên Bái, seated in Yên Bái)
    "19": 1566319,  # Thái Nguyên (with Bắc Kạn)
    "20": 1576633,  # Lạng Sơn
    "22": 1580410,  # Hạ Long
    "24": 1591527,  # Bắc Giang (Bắc Ninh with Bắc Giang, seated in Bắc Giang)
    "25": 1562820,  # Việt Trì (Phú Thọ with Vĩnh Phúc and Hòa Bình)
    "31": 1581298,  # Hải Phòng (with Hải Dương)
    "33": 1580142,  # Hưng Yên (with Thái Bình)
    "37": 1571968,  # Ninh Bình (with Hà Nam and Nam Định)
    "38": 1566166,  # Thanh Hóa
    "40": 1562798,  # Vinh
    "42": 1581047,  # Hà Tĩnh
    "44": 1582886,  # Đồng Hới (Quảng Trị with Quảng Bình, seated in Đồng Hới)
    "46": 1580240,  # Huế
    "48": 1583992,  # Đà Nẵng (with Quảng Nam)
    "51": 1568770,  # Quảng Ngãi (with Kon Tum)
    "52": 1568574,  # Quy Nhơn (Gia Lai with Bình Định, seated in Quy Nhơn)
    "56": 1572151,  # Nha Trang (Khánh Hòa with Ninh Thuận)
    "66": 1586896,  # Buôn Ma Thuột (Đắk Lắk with Phú Yên)
    "68": 1584071,  # Đà Lạt (Lâm Đồng with Đắk Nông and Bình Thuận)
    "75": 1587923,  # Biên Hòa (Đồng Nai with Bình Phước)
    "79": 1566083,  # Hồ Chí Minh City (with Bình Dương and Bà Rịa - Vũng Tàu)
    "80": 1567069,  # Tân An (Tây Ninh with Long An, seated in Tân An)
    "82": 1574023,  # Mỹ Tho (Đồng Tháp with Tiền Giang, seated in Mỹ Tho)
    "86": 1562693,  # Vĩnh Long (with Bến Tre and Trà Vinh)
    "91": 1568510,  # Rạch Giá (An Giang with Kiên Giang, seated in Rạch Giá)
    "92": 1586203,  # Cần Thơ (with Sóc Trăng and Hậu Giang)
    "96": 1586443,  # Cà Mau (with Bạc Liêu)
}

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "ð": "đ"})  # GeoNames' Ð is an eth
_SEPARATORS = re.compile(r"[\s\-–]+")


def _syllable(syllable: str) -> str:
    # "hoà" and "hòa" are one spelling: the tone mark moves to the end so its placement cannot differ.
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = "".join(c for c in decomposed if c in _TONES)
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", base) + tones


_UNIT_PAIRS = frozenset(
    tuple(_syllable(w) for w in pair.split())
    for pair in ("thành phố", "thị trấn", "thị xã", "đặc khu", "thanh pho", "thi tran", "thi xa", "dac khu")
)
_UNIT_WORDS = frozenset(_syllable(w) for w in ("phường", "xã", "quận", "huyện", "tỉnh"))


def name_key(name: str) -> str:
    """'Thị Trấn Hoà Bình' -> the key of 'hòa bình': unit words stripped, case and tone placement ignored.

    Single unit words are stripped only when written with their diacritics: a bare "Xa" or "Quan" may
    just as well be the name "Xà Phiên" or "Quan Hóa".
    """
    text = unicodedata.normalize("NFC", name).lower().translate(_APOSTROPHES)
    words = [_syllable(w) for w in _SEPARATORS.split(text) if w]
    while True:
        if len(words) > 2 and tuple(words[:2]) in _UNIT_PAIRS:
            words = words[2:]
        elif len(words) > 1 and words[0] in _UNIT_WORDS:
            words = words[1:]
        else:
            return " ".join(words)


def _is_latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    lat: float
    lon: float
    province: str
    population: int
    alternates: tuple[str, ...]

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lon)


class NameIndex:
    """Names (keys) within each province -> what they name, matched with diacritics first."""

    def __init__(self, spelled: dict[str, set[str]]) -> None:
        # Every unit name of each province, old or new, with its diacritics: a place spelled like one
        # of them is that unit's namesake, never a misspelling of another ("Thanh Hóa" city is not the
        # old "Xã Thanh Hòa" of Như Xuân).
        self.spelled = spelled
        self.exact: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.folded: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, province: str, name: str, target: str) -> None:
        key = name_key(name)
        self.exact[(province, key)].add(target)
        self.folded[(province, fold(key))].add(key)

    def lookup(self, province: str, name: str) -> set[str]:
        key = name_key(name)
        if (province, key) in self.exact:
            return self.exact[(province, key)]
        if key in self.spelled.get(province, set()):
            return set()
        # Without (or with other) diacritics: only a spelling that one name of the province folds to.
        keys = self.folded.get((province, fold(key)), set())
        return self.exact[(province, next(iter(keys)))] if len(keys) == 1 else set()


def spelled_names(places_data: dict[str, Any], crosswalk: dict[str, Any]) -> dict[str, set[str]]:
    """Current province code -> the keys of every unit name in it, old or new, at every level."""
    names: dict[str, set[str]] = defaultdict(set)
    old_province: dict[str, tuple[str, list[str]]] = {}
    for code, name, new_codes in crosswalk["provinces"]:
        old_province[code] = (name, new_codes)
        for new in new_codes:
            names[new].add(name_key(name))
    district_new: dict[str, list[str]] = {}
    for code, name, province_code in crosswalk["districts"]:
        district_new[code] = old_province[province_code][1]
        for new in district_new[code]:
            names[new].add(name_key(name))
    for _code, name, district_code, _new_codes, _partly in crosswalk["wards"]:
        for new in district_new.get(district_code, []):
            names[new].add(name_key(name))
    for province in places_data["provinces"]:
        names[province["code"]].add(name_key(province["name"]))
        names[province["code"]].update(name_key(name) for _code, name, _type in province["communes"])
    return names


def load_places(gazetteer: dict[str, Any], provinces: set[str]) -> tuple[list[Place], int]:
    rows = gazetteer["places"]
    known = [r for r in rows if r[4] in provinces]
    places: list[Place] = []
    inferred = 0
    for geonameid, name, lat, lon, admin1, population, alternates in rows:
        if admin1 not in provinces:
            # The nearest place with a current province code lends it; the coordinates stay this row's.
            admin1 = min(known, key=lambda r: (_km((lat, lon), (r[2], r[3])), r[0]))[4]
            inferred += 1
        latin = tuple(a for a in alternates if a and a != name and _is_latin(a))
        places.append(Place(geonameid, name, lat, lon, admin1, population, latin))
    return places, inferred


def legacy_index(
    crosswalk: dict[str, Any], commune_province: dict[str, str], spelled: dict[str, set[str]]
) -> NameIndex:
    """Old ward name -> the one current commune it went into whole; a split ward poisons its name."""
    index = NameIndex(spelled)
    for _code, name, _district, new_codes, partly in crosswalk["wards"]:
        province = commune_province.get(new_codes[0]) if new_codes else None
        if province is None:
            continue
        whole = len(new_codes) == 1 and not partly
        # A split ward's name still enters the index, pointing at two communes, so that name is ambiguous.
        index.add(province, name, new_codes[0] if whole else "*split*")
        for code in new_codes[1:]:
            index.add(commune_province.get(code, province), name, code)
    return index


def choose(candidates: Iterable[Place]) -> Place | None:
    """The most populous of one settlement's entries; None when the namesakes are far apart."""
    ranked = sorted(set(candidates), key=lambda p: (-p.population, p.geonameid))
    if not ranked:
        return None
    best = ranked[0]
    return best if all(_km(best.point, p.point) <= SAME_PLACE_KM for p in ranked) else None


@dataclass
class Candidates:
    """Per commune code, the places that could give its point, grouped by the name they matched."""

    by_grade: dict[str, dict[str, dict[str, list[Place]]]]

    def add(self, grade: str, code: str, key: str, place: Place) -> None:
        self.by_grade[grade].setdefault(code, {}).setdefault(key, []).append(place)

    def groups(self, grade: str, code: str) -> list[list[Place]]:
        return list(self.by_grade[grade].get(code, {}).values())


def match_communes(places: list[Place], communes: NameIndex, legacy: NameIndex) -> Candidates:
    found = Candidates({grade: {} for grade in (NAME, ALTERNATE, LEGACY)})
    for place in places:
        own = communes.lookup(place.province, place.name)
        for code in own:
            found.add(NAME, code, code, place)
        if own:
            continue
        named = set().union(*(communes.lookup(place.province, a) for a in place.alternates))
        if len(named) == 1:
            code = next(iter(named))
            found.add(ALTERNATE, code, code, place)
        if named:
            continue
        targets = legacy.lookup(place.province, place.name)
        if len(targets) == 1 and "*split*" not in targets:
            found.add(LEGACY, next(iter(targets)), name_key(place.name), place)
    return found


def build() -> dict[str, Any]:
    places_data, gazetteer, crosswalk = data.places(), data.gazetteer(), data.crosswalk()
    province_codes = {p["code"] for p in places_data["provinces"]}
    places, inferred = load_places(gazetteer, province_codes)
    by_id = {p.geonameid: p for p in places}

    spelled = spelled_names(places_data, crosswalk)
    communes = NameIndex(spelled)
    commune_province: dict[str, str] = {}
    for province in places_data["provinces"]:
        for code, name, _type in province["communes"]:
            communes.add(province["code"], name, code)
            commune_province[code] = province["code"]

    candidates = match_communes(places, communes, legacy_index(crosswalk, commune_province, spelled))
    points: dict[str, list[Any]] = {}
    ambiguous: Counter[str] = Counter()
    for code, province in sorted(commune_province.items()):
        chosen: tuple[Place, str] = (by_id[CAPITALS[province]], PROVINCE)
        for grade in (NAME, ALTERNATE, LEGACY):
            # Legacy groups are distinct old wards, all inside the commune: any resolved one will do.
            groups = [choose(group) for group in candidates.groups(grade, code)]
            resolved = [p for p in groups if p is not None]
            ambiguous[grade] += len(groups) - len(resolved)
            if resolved:
                chosen = (min(resolved, key=lambda p: (-p.population, p.geonameid)), grade)
                break
        place, grade = chosen
        points[code] = [place.lat, place.lon, f"geonames:{place.geonameid}", grade]

    statistics = {grade: sum(1 for row in points.values() if row[3] == grade) for grade in GRADES}
    return {
        "source": {
            "geonames": {k: gazetteer["source"][k] for k in ("package", "version", "dataset")},
            "places": {k: places_data["source"][k] for k in ("package", "version", "effective_date")},
            "licence": "GeoNames, CC BY 4.0 (https://www.geonames.org)",
            "method": (
                "Each commune gets the coordinates of one GeoNames place, unchanged. match: name = the"
                " place's own name is the commune's (unit words stripped); alternate = one of its"
                " alternate names is; legacy = it is named after a pre-2025 ward that went whole into"
                " this commune; province = no match, the point of the province's seat after the 2025"
                " merger. Diacritic-free comparison only where the spelling is unique in the province;"
                f" namesakes more than {SAME_PLACE_KM:g} km apart are ambiguous and not used."
                " See scripts/build_commune_points.py."
            ),
            "same_place_km": SAME_PLACE_KM,
            "capitals": {code: f"geonames:{gid}" for code, gid in sorted(CAPITALS.items())},
            "statistics": statistics,
            "ambiguous_skipped": dict(sorted(ambiguous.items())),
            "provinces_inferred": inferred,
        },
        "columns": ["lat", "lon", "source", "match"],
        "communes": points,
    }


def main() -> None:
    result = build()
    OUT.write_text(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    source = result["source"]
    total = len(result["communes"])
    for grade, count in source["statistics"].items():
        print(f"{grade:<10} {count:>5}  {100 * count / total:5.1f} %")
    print(f"{'total':<10} {total:>5}")
    print(f"ambiguous namesakes skipped: {source['ambiguous_skipped']}")
    print(f"GeoNames rows given their nearest neighbour's province: {source['provinces_inferred']}")


if __name__ == "__main__":
    main()

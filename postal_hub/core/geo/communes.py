"""The commune a point most likely lies in, from the shipped commune reference points.

Only points matched to their own commune (not the province-capital fallbacks) take part, so the answer
is the commune whose GeoNames place is nearest: right in most of a town, a neighbour near a boundary.
It serves a search by position alone, never a booking (the citizen then confirms the commune).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from postal_hub.core.geo.nearest import PointIndex, geodesic_km
from postal_hub.core.places import data

MAX_KM = 15.0  # farther than this from any matched commune, the position tells nothing about the commune


@dataclass(frozen=True)
class NearbyCommune:
    code: str
    distance_km: float


@lru_cache(maxsize=1)
def _index() -> tuple[PointIndex, list[str]]:
    rows: dict[str, Any] = data.load("commune_points.json")["communes"]
    codes = [code for code, row in sorted(rows.items()) if row[3] != "province"]
    index = PointIndex([(i, float(rows[c][0]), float(rows[c][1])) for i, c in enumerate(codes)])
    return index, codes


def nearest_commune(lat: float, lon: float) -> NearbyCommune | None:
    index, codes = _index()
    found = index.nearest(lat, lon, 1)
    if not found or found[0].distance_km > MAX_KM:
        return None
    return NearbyCommune(codes[found[0].key], found[0].distance_km)


def reference_distance_km(commune_code: str, lat: float, lon: float) -> tuple[float, bool] | None:
    """How far a point lies from the commune's reference point, and whether that point is the
    commune's own (True) or only its province capital's (False)."""
    row = data.load("commune_points.json")["communes"].get(commune_code)
    if row is None:
        return None
    return geodesic_km(lat, lon, float(row[0]), float(row[1])), row[3] != "province"


@lru_cache(maxsize=64)
def province_communes(province_code: str) -> frozenset[str]:
    for province in data.places()["provinces"]:
        if province["code"] == province_code:
            return frozenset(row[0] for row in province["communes"])
    return frozenset()


@lru_cache(maxsize=64)
def _province_index(province_code: str) -> PointIndex | None:
    rows: dict[str, Any] = data.load("commune_points.json")["communes"]
    mine = province_communes(province_code)
    points = [
        (i, float(rows[c][0]), float(rows[c][1]))
        for i, c in enumerate(sorted(mine))
        if c in rows and rows[c][3] != "province"
    ]
    return PointIndex(points) if points else None


def distance_to_province_km(province_code: str, lat: float, lon: float) -> float | None:
    """How far a point lies from the nearest commune of the province that has its own reference point;
    None when no commune of the province has one."""
    index = _province_index(province_code)
    if index is None:
        return None
    return index.nearest(lat, lon, 1)[0].distance_km

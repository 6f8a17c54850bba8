"""The KD-tree on unit vectors finds the same nearest points as measuring every one on the ellipsoid."""

from __future__ import annotations

import random

from geopy.distance import geodesic

from postal_hub.core.geo.nearest import PointIndex


def _points(rng: random.Random, n: int) -> list[tuple[int, float, float]]:
    return [(i, rng.uniform(8.5, 23.3), rng.uniform(102.2, 109.5)) for i in range(n)]


def _brute(points: list[tuple[int, float, float]], lat: float, lon: float, k: int) -> list[int]:
    measured = sorted((geodesic((lat, lon), (p[1], p[2])).km, p[0]) for p in points)
    return [key for _km, key in measured[:k]]


def test_the_nearest_point_matches_a_brute_force_geodesic_search() -> None:
    rng = random.Random(7)
    points = _points(rng, 400)
    index = PointIndex(points)
    for _ in range(150):
        lat, lon = rng.uniform(8.5, 23.3), rng.uniform(102.2, 109.5)
        assert [f.key for f in index.nearest(lat, lon, 1)] == _brute(points, lat, lon, 1)


def test_the_k_nearest_come_in_order_of_geodesic_distance() -> None:
    rng = random.Random(11)
    points = _points(rng, 300)
    index = PointIndex(points)
    lat, lon = 16.05, 108.2
    found = index.nearest(lat, lon, 10)
    assert [f.key for f in found] == _brute(points, lat, lon, 10)
    assert [f.distance_km for f in found] == sorted(f.distance_km for f in found)


def test_asking_for_more_than_there_are_returns_them_all() -> None:
    index = PointIndex([(1, 21.0, 105.8), (2, 10.8, 106.7)])
    assert [f.key for f in index.nearest(21.0, 105.8, 5)] == [1, 2]


def test_an_empty_index_finds_nothing() -> None:
    assert PointIndex([]).nearest(21.0, 105.8, 3) == []


def test_the_distance_is_the_geodesic_one_in_kilometres() -> None:
    hanoi, saigon = (21.0285, 105.8542), (10.7769, 106.7009)
    (found,) = PointIndex([(9, *saigon)]).nearest(*hanoi, 1)
    assert abs(found.distance_km - geodesic(hanoi, saigon).km) < 1e-6

"""Nearest post office among 13,000 synthetic offices spread like Vietnam's population.

Compares the KD-tree on unit vectors (postal_hub.core.geo.nearest) with brute force: numpy
haversine over every office, and geopy's geodesic over every office (on a sample, it is slow).
Checks the answers agree. Usage: .venv/bin/python bench/nearest_office.py [--offices 13000]
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from geopy.distance import geodesic

from postal_hub.core.geo.nearest import EARTH_RADIUS_KM, PointIndex
from postal_hub.core.places.data import gazetteer


def population_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """Around GeoNames places, weighted by their population, scattered a few kilometres."""
    places = gazetteer()["places"]
    weights = [max(p[5], 500) for p in places]
    chosen = rng.choices(places, weights=weights, k=n)
    return [(p[2] + rng.gauss(0, 0.06), p[3] + rng.gauss(0, 0.06)) for p in chosen]


def haversine_nearest(lat: np.ndarray, lon: np.ndarray, qlat: float, qlon: float) -> int:
    phi1, phi2 = np.radians(qlat), np.radians(lat)
    dphi, dlam = phi2 - phi1, np.radians(lon - qlon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return int(np.argmin(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=13_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--geodesic-sample", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(2026)
    offices = population_points(rng, args.offices)
    queries = population_points(rng, args.queries)
    began = time.perf_counter()
    index = PointIndex([(i, lat, lon) for i, (lat, lon) in enumerate(offices)])
    build = time.perf_counter() - began
    lat, lon = index.lat, index.lon

    began = time.perf_counter()
    tree = [int(index.nearest_on_sphere(q[0], q[1], 1)[0][0]) for q in queries]
    tree_us = (time.perf_counter() - began) / len(queries) * 1e6
    began = time.perf_counter()
    exact = [index.nearest(q[0], q[1], 1)[0].key for q in queries]
    exact_us = (time.perf_counter() - began) / len(queries) * 1e6
    began = time.perf_counter()
    brute = [haversine_nearest(lat, lon, q[0], q[1]) for q in queries]
    brute_us = (time.perf_counter() - began) / len(queries) * 1e6
    sample = queries[: args.geodesic_sample]
    began = time.perf_counter()
    geo = [min(range(len(offices)), key=lambda i, q=q: geodesic(q, offices[i]).km) for q in sample]
    geo_us = (time.perf_counter() - began) / len(sample) * 1e6

    same_sphere = sum(a == b for a, b in zip(tree, brute, strict=True))
    same_geodesic = sum(a == b for a, b in zip(exact[: len(sample)], geo, strict=True))
    print(f"{args.offices} offices, {args.queries} queries; index built in {build * 1000:.0f} ms")
    print(f"KD-tree, sphere only:          {tree_us:10.1f} µs/query")
    print(f"KD-tree + geodesic refinement: {exact_us:10.1f} µs/query  (what the API runs)")
    print(f"numpy haversine, brute force:  {brute_us:10.1f} µs/query")
    print(f"geopy geodesic, brute force:   {geo_us:10.1f} µs/query  ({len(sample)} queries)")
    print(f"same answer as haversine brute force: {same_sphere}/{len(queries)}")
    print(f"same answer as geodesic brute force:  {same_geodesic}/{len(sample)}")


if __name__ == "__main__":
    main()

"""Nearest points on the Earth through a KD-tree on 3-D unit vectors, with geodesic distances.

The straight-line (chord) distance between two unit vectors grows with the great-circle angle, so a
KD-tree over them finds the nearest points on the sphere exactly, in microseconds among thousands.
The answer is then measured on the WGS-84 ellipsoid (Karney's geodesic, as geopy measures it), which
differs from the sphere by well under 1 %: only candidates within that margin of the k-th nearest are
measured, and the tree is asked for more while the margin reaches past the candidates it gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088  # mean radius: turns chord lengths into kilometres on the sphere
# The geodesic distance on WGS-84 and the great-circle distance on the mean sphere differ by less
# than 0.6 % (meridian radii run from 6,335 to 6,400 km); 0.7 % keeps a safe margin.
SPHERE_TOLERANCE = 0.007
_WGS84 = Geodesic.WGS84


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def chord_to_km(chord: np.ndarray | float) -> np.ndarray | float:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))


@dataclass(frozen=True)
class Found:
    key: int
    distance_km: float


class PointIndex:
    """Points (key, lat, lon) indexed once; `nearest` answers by geodesic distance."""

    def __init__(self, points: Sequence[tuple[int, float, float]]) -> None:
        self.keys = np.array([p[0] for p in points], dtype=np.int64)
        self.lat = np.array([p[1] for p in points], dtype=float)
        self.lon = np.array([p[2] for p in points], dtype=float)
        self.tree = cKDTree(unit_vectors(self.lat, self.lon)) if points else None

    def __len__(self) -> int:
        return len(self.keys)

    def nearest_on_sphere(self, lat: float, lon: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Indexes of the k nearest points on the sphere, and their great-circle distances (km)."""
        if self.tree is None or k <= 0:
            return np.array([], dtype=np.int64), np.array([])
        k = min(k, len(self))
        chord, where = self.tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0], k=k)
        where, chord = np.atleast_1d(where), np.atleast_1d(chord)
        return where, np.asarray(chord_to_km(chord))

    def nearest(self, lat: float, lon: float, k: int = 1) -> list[Found]:
        if self.tree is None or k <= 0:
            return []
        k = min(k, len(self))
        asked = min(len(self), k + 8)
        while True:
            where, sphere_km = self.nearest_on_sphere(lat, lon, asked)
            # The k nearest on the sphere are each at most (1 + tolerance) of their sphere distance on
            # the ellipsoid; a point farther than this bound on the sphere can never join them, so only
            # the near-ties need the (slower) geodesic measure.
            bound = sphere_km[k - 1] * (1 + SPHERE_TOLERANCE) / (1 - SPHERE_TOLERANCE)
            if asked < len(self) and sphere_km[-1] <= bound:
                asked = min(len(self), asked * 2)  # the near-ties may go on past what was asked
                continue
            measured = sorted(
                (geodesic_km(lat, lon, self.lat[i], self.lon[i]), int(self.keys[i]))
                for i, km in zip(where, sphere_km, strict=True)
                if km <= bound
            )
            return [Found(key, km) for km, key in measured[:k]]


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """WGS-84 geodesic distance (Karney's algorithm, the one geopy's geodesic uses)."""
    return float(_WGS84.Inverse(lat1, lon1, float(lat2), float(lon2), Geodesic.DISTANCE)["s12"]) / 1000

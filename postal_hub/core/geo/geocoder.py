"""Where an address is: the device's own fix, a self-hosted Nominatim, or the shipped commune points.

A point says how it was found (`precision`) so that nothing downstream presents a commune's reference
point as the customer's door: only a device fix or a street-level answer is `exact`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from geopy.distance import geodesic
from geopy.exc import GeopyError

from postal_hub.core.places import data
from postal_hub.core.text import clean

log = logging.getLogger(__name__)

POINTS_FILE = "commune_points.json"
# A rough box around the mainland and near islands (Phú Quốc, Thổ Châu, Côn Đảo). Hoàng Sa and Trường Sa
# lie east of 110° E, so a fix there is not taken as a device point: their communes keep the gazetteer's.
VIETNAM_LAT = (8.0, 24.0)
VIETNAM_LON = (102.0, 110.0)
# Answers this close to the first one are the same street (a way split in parts, a building on it).
AGREE_KM = 1.0
NOMINATIM_LIMIT = 5
DEFAULT_USER_AGENT = "postal-hub"
# Nominatim answers that are an area rather than a place on a street: their point is a centroid.
_AREA_TYPES = frozenset(
    {"country", "state", "province", "region", "county", "district", "municipality", "city", "town"}
    | {"village", "suburb", "quarter", "city_district", "neighbourhood", "hamlet", "island"}
)


class Precision(StrEnum):
    DEVICE = "device"
    STREET = "street"
    COMMUNE = "commune"
    PROVINCE = "province"


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    source: str  # "device", "nominatim:<osm type>/<osm id>", "geonames:<id>"
    precision: Precision

    @property
    def exact(self) -> bool:
        return self.precision in (Precision.DEVICE, Precision.STREET)


class Geocoder(Protocol):
    def locate(self, province_code: str, commune_code: str, street: str) -> GeoPoint | None: ...


def in_vietnam(lat: float, lon: float) -> bool:
    return VIETNAM_LAT[0] <= lat <= VIETNAM_LAT[1] and VIETNAM_LON[0] <= lon <= VIETNAM_LON[1]


class GazetteerGeocoder:
    """Offline default: the commune's GeoNames reference point (scripts/build_commune_points.py).

    The street is not used: the answer is the commune's point (or its province capital's, where no
    GeoNames place matched the commune), never the address itself. Commune codes are unique
    nationwide, so the province code is not needed to find the point.
    """

    def __init__(self, points: Mapping[str, Sequence[Any]] | None = None) -> None:
        self._points = points

    def _table(self) -> Mapping[str, Sequence[Any]]:
        if self._points is None:
            # Read on first use and kept for the process (data.load caches), not at import time.
            self._points = data.load(POINTS_FILE)["communes"]
        return self._points

    def locate(self, province_code: str, commune_code: str, street: str) -> GeoPoint | None:
        row = self._table().get(commune_code)
        if row is None:
            return None
        lat, lon, source, match = row[0], row[1], row[2], row[3]
        precision = Precision.PROVINCE if match == "province" else Precision.COMMUNE
        return GeoPoint(float(lat), float(lon), str(source), precision)


class _LruCache:
    """A small thread-safe LRU of answers; `None` answers are kept too (a known miss costs no call)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], GeoPoint | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> tuple[bool, GeoPoint | None]:
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def put(self, key: tuple[str, str, str], value: GeoPoint | None) -> None:
        if self._size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def _unit_names() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    provinces: dict[str, str] = {}
    communes: dict[str, tuple[str, str]] = {}
    for province in data.places()["provinces"]:
        provinces[province["code"]] = province["name"]
        for code, name, _type in province["communes"]:
            communes[code] = (province["code"], name)
    return provinces, communes


def _nominatim_domain(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"NOMINATIM_URL must look like https://host[:port][/path], not {url!r}")
    # geopy puts "/search" after the domain, so a server under a path prefix keeps that prefix.
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


class NominatimGeocoder:
    """Street-level answers from a self-hosted Nominatim, through geopy.

    Answers only when it is sure: one answer in Vietnam (or several within AGREE_KM of the first) that
    is a place on a street, not an area's centroid. Otherwise, and on any geopy error, it answers None
    and logs why, with the unit codes but never the street (personal data). Errors are not cached, so a
    server back from an outage answers the next request. geopy itself logs each request URL, street
    included, at DEBUG on the "geopy" logger: production keeps that logger at INFO or above.
    """

    def __init__(
        self,
        url: str,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 3.0,
        min_delay: float = 1.0,
        cache_size: int = 10_000,
        *,
        client: Any | None = None,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        scheme, domain = _nominatim_domain(url)
        self.timeout = timeout
        if client is None:
            from geopy.geocoders import Nominatim

            client = Nominatim(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout)
        self.client = client
        # No retries and no swallowing: RateLimiter would log the call's arguments (the street) when it
        # retries or swallows, and a booking should not wait 5 s per retry. Errors are handled below.
        self._geocode: Callable[..., Any] = RateLimiter(
            client.geocode,
            min_delay_seconds=min_delay,
            max_retries=0,
            error_wait_seconds=min_delay,
            swallow_exceptions=False,
        )
        self._cache = _LruCache(cache_size)
        self._names: tuple[dict[str, str], dict[str, tuple[str, str]]] | None = None

    def _query(self, province_code: str, commune_code: str, street: str) -> dict[str, str] | None:
        if self._names is None:
            self._names = _unit_names()
        provinces, communes = self._names
        commune = communes.get(commune_code)
        if commune is None or commune[0] != province_code:
            return None
        return {"street": street, "city": commune[1], "state": provinces[province_code], "country": "Vietnam"}

    def locate(self, province_code: str, commune_code: str, street: str) -> GeoPoint | None:
        street = clean(street)
        if not street:
            return None
        key = (province_code, commune_code, street.casefold())
        hit, cached = self._cache.get(key)
        if hit:
            return cached
        query = self._query(province_code, commune_code, street)
        if query is None:
            log.info("nominatim not asked: commune %s is not in province %s", commune_code, province_code)
            return None
        try:
            answers = self._geocode(
                query,
                exactly_one=False,
                limit=NOMINATIM_LIMIT,
                country_codes="vn",
                timeout=self.timeout,
            )
        except (GeopyError, OSError) as exc:
            # Only the class name: geopy's messages can carry the request URL, street included.
            log.warning("nominatim failed for commune %s: %s", commune_code, type(exc).__name__)
            return None
        point = self._judge(answers or [], commune_code)
        self._cache.put(key, point)
        return point

    @staticmethod
    def _judge(answers: Sequence[Any], commune_code: str) -> GeoPoint | None:
        found = [a for a in answers if in_vietnam(a.latitude, a.longitude)]
        if not found:
            log.info("nominatim found nothing in Vietnam for a street of commune %s", commune_code)
            return None
        places = [a for a in found if not _is_area(a.raw)]
        if not places:
            log.info("nominatim found only areas, not the street, in commune %s", commune_code)
            return None
        first = places[0]
        spread = max(
            geodesic((first.latitude, first.longitude), (a.latitude, a.longitude)).km for a in places
        )
        if spread > AGREE_KM:
            log.info("nominatim answers for a street of commune %s lie %.1f km apart", commune_code, spread)
            return None
        return GeoPoint(first.latitude, first.longitude, _osm_source(first.raw), Precision.STREET)


def _is_area(raw: Mapping[str, Any]) -> bool:
    kind = raw.get("class") or raw.get("category")
    return kind == "boundary" or (kind == "place" and raw.get("type") in _AREA_TYPES)


def _osm_source(raw: Mapping[str, Any]) -> str:
    if raw.get("osm_type") and raw.get("osm_id"):
        return f"nominatim:{raw['osm_type']}/{raw['osm_id']}"
    return "nominatim"


class FallbackGeocoder:
    """Asks each geocoder in turn; the first answer wins (Nominatim first, the gazetteer behind it)."""

    def __init__(self, geocoders: Sequence[Geocoder]) -> None:
        self.geocoders = tuple(geocoders)

    def locate(self, province_code: str, commune_code: str, street: str) -> GeoPoint | None:
        for geocoder in self.geocoders:
            point = geocoder.locate(province_code, commune_code, street)
            if point is not None:
                return point
        return None


def _device_point(lat: object, lon: object) -> GeoPoint | None:
    if lat is None or lon is None or isinstance(lat, bool) or isinstance(lon, bool):
        return None
    try:
        flat, flon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(flat) and math.isfinite(flon) and in_vietnam(flat, flon)):
        return None
    return GeoPoint(flat, flon, "device", Precision.DEVICE)


def locate_address(
    geocoder: Geocoder,
    province_code: str,
    commune_code: str,
    street: str,
    lat: float | None = None,
    lon: float | None = None,
) -> GeoPoint | None:
    """The customer's device fix when it is a real point in Vietnam; otherwise the geocoder's answer.

    A fix outside Vietnam (a phone abroad, a spoofed or zeroed location) is ignored rather than
    trusted: the address still gets a point from the geocoder.
    """
    device = _device_point(lat, lon)
    return device if device is not None else geocoder.locate(province_code, commune_code, street)


def _setting(settings: Mapping[str, Any], name: str, default: float, convert: Callable[[Any], float]) -> Any:
    value = settings.get(name)
    if value is None or value == "":
        return default
    try:
        number = convert(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative, not {value!r}")
    return number


def build_geocoder(settings: Mapping[str, Any]) -> Geocoder:
    """The geocoder the settings ask for: GEOCODER = "gazetteer" (default, offline) or "nominatim"."""
    mode = str(settings.get("GEOCODER") or "gazetteer").strip().lower()
    if mode == "gazetteer":
        return GazetteerGeocoder()
    if mode != "nominatim":
        raise ValueError(f"GEOCODER must be 'gazetteer' or 'nominatim', not {mode!r}")
    url = str(settings.get("NOMINATIM_URL") or "").strip()
    if not url:
        raise ValueError(
            "GEOCODER=nominatim needs NOMINATIM_URL, the address of your own Nominatim server"
            " (for example https://nominatim.example.vn)"
        )
    timeout = _setting(settings, "NOMINATIM_TIMEOUT", 3.0, float)
    if timeout == 0:
        raise ValueError("NOMINATIM_TIMEOUT must be more than 0 seconds")
    nominatim = NominatimGeocoder(
        url,
        user_agent=str(settings.get("NOMINATIM_USER_AGENT") or DEFAULT_USER_AGENT),
        timeout=timeout,
        min_delay=_setting(settings, "NOMINATIM_MIN_DELAY", 1.0, float),
        cache_size=_setting(settings, "NOMINATIM_CACHE_SIZE", 10_000, int),
    )
    return FallbackGeocoder([nominatim, GazetteerGeocoder()])

"""Geocoding: a device fix wins, Nominatim answers only when sure, the gazetteer is never called exact."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable
from geopy.location import Location

from postal_hub.core.geo.geocoder import (
    FallbackGeocoder,
    GazetteerGeocoder,
    GeoPoint,
    NominatimGeocoder,
    Precision,
    build_geocoder,
    locate_address,
)

HANOI, VUNG_TAU, GIANG_VO = "01", "79", "00025"  # Phường Giảng Võ: no GeoNames place of its own
VUNG_TAU_WARD = "26506"  # Phường Vũng Tàu: GeoNames' Vũng Tàu
STREET = "12 Trần Hưng Đạo"
URL = "https://nominatim.example.vn"


def answer(lat: float, lon: float, osm: str = "way/123", kind: str = "highway", type_: str = "residential"):
    osm_type, osm_id = osm.split("/")
    raw = {"osm_type": osm_type, "osm_id": int(osm_id), "class": kind, "type": type_}
    return Location("somewhere", (lat, lon), raw)


class FakeNominatim:
    """Stands in for geopy's Nominatim: records each query, returns set answers or raises."""

    def __init__(self, answers: list[Location] | None = None, error: Exception | None = None) -> None:
        self.answers = answers or []
        self.error = error
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    def geocode(self, query: Any, **kwargs: Any) -> list[Location] | None:
        self.calls.append((query, kwargs))
        if self.error is not None:
            raise self.error
        return list(self.answers) or None


def nominatim(client: FakeNominatim, **kwargs: Any) -> NominatimGeocoder:
    return NominatimGeocoder(URL, "postal-hub-test", min_delay=0, client=client, **kwargs)


def test_a_device_point_in_vietnam_wins_and_is_exact() -> None:
    point = locate_address(GazetteerGeocoder(), VUNG_TAU, VUNG_TAU_WARD, STREET, lat=10.35, lon=107.08)
    assert point == GeoPoint(10.35, 107.08, "device", Precision.DEVICE)
    assert point.exact


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(48.8566, 2.3522), (0.0, 0.0), (float("nan"), 106.0), (21.0, float("inf")), (21.0, None)],
)
def test_a_device_point_that_is_not_in_vietnam_is_ignored(lat: float, lon: float | None) -> None:
    point = locate_address(GazetteerGeocoder(), VUNG_TAU, VUNG_TAU_WARD, STREET, lat=lat, lon=lon)
    assert point is not None
    assert point.precision is Precision.COMMUNE
    assert point.source == "geonames:1562414"


def test_a_gazetteer_point_is_never_exact() -> None:
    point = GazetteerGeocoder().locate(VUNG_TAU, VUNG_TAU_WARD, STREET)
    assert point == GeoPoint(10.34599, 107.08426, "geonames:1562414", Precision.COMMUNE)
    assert not point.exact


def test_a_commune_without_its_own_place_gets_its_province_capital_at_province_precision() -> None:
    point = GazetteerGeocoder().locate(HANOI, GIANG_VO, STREET)
    assert point is not None
    assert (point.source, point.precision, point.exact) == ("geonames:1581130", Precision.PROVINCE, False)


def test_an_unknown_commune_has_no_gazetteer_point() -> None:
    assert GazetteerGeocoder().locate(HANOI, "99999", STREET) is None


def test_a_single_nominatim_answer_is_an_exact_street_point() -> None:
    point = nominatim(FakeNominatim([answer(21.0268, 105.8465, "way/4242")])).locate(HANOI, GIANG_VO, STREET)
    assert point == GeoPoint(21.0268, 105.8465, "nominatim:way/4242", Precision.STREET)
    assert point.exact


def test_nominatim_is_asked_a_structured_question_about_vietnam_with_a_timeout() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465)])
    nominatim(client, timeout=2.5).locate(HANOI, GIANG_VO, STREET)
    [(query, options)] = client.calls
    assert query == {
        "street": STREET,
        "city": "Phường Giảng Võ",
        "state": "Thành phố Hà Nội",
        "country": "Vietnam",
    }
    assert options["country_codes"] == "vn"
    assert options["exactly_one"] is False
    assert options["timeout"] == 2.5


def test_nominatim_answers_within_a_kilometre_of_each_other_are_one_street() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465, "way/1"), answer(21.0290, 105.8480, "way/2")])
    point = nominatim(client).locate(HANOI, GIANG_VO, STREET)
    assert point is not None
    assert point.source == "nominatim:way/1"


def test_nominatim_answers_far_apart_are_ambiguous_and_answer_nothing() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465), answer(21.1500, 105.7000)])
    assert nominatim(client).locate(HANOI, GIANG_VO, STREET) is None


def test_a_nominatim_answer_that_is_only_an_area_is_not_a_street_point() -> None:
    client = FakeNominatim([answer(21.03, 105.82, "relation/77", kind="boundary", type_="administrative")])
    assert nominatim(client).locate(HANOI, GIANG_VO, STREET) is None


def test_a_nominatim_answer_outside_vietnam_is_ignored() -> None:
    client = FakeNominatim([answer(13.7563, 100.5018)])  # Bangkok
    assert nominatim(client).locate(HANOI, GIANG_VO, STREET) is None


def test_nominatim_finding_nothing_answers_nothing() -> None:
    assert nominatim(FakeNominatim([])).locate(HANOI, GIANG_VO, STREET) is None


@pytest.mark.parametrize(
    "error",
    [GeocoderServiceError("HTTP 500"), GeocoderTimedOut("timed out"), GeocoderUnavailable("refused")],
)
def test_a_nominatim_error_or_timeout_answers_nothing(error: Exception) -> None:
    assert nominatim(FakeNominatim(error=error)).locate(HANOI, GIANG_VO, STREET) is None


def test_nominatim_logs_why_it_gave_no_answer_but_never_the_street(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    error = GeocoderServiceError(f"GET {URL}/search?street={STREET} failed")
    nominatim(FakeNominatim(error=error)).locate(HANOI, GIANG_VO, STREET)
    nominatim(FakeNominatim([answer(21.0, 105.8), answer(21.2, 105.6)])).locate(HANOI, GIANG_VO, STREET)
    assert "GeocoderServiceError" in caplog.text
    assert "km apart" in caplog.text
    assert "Trần Hưng Đạo" not in caplog.text


def test_the_fallback_uses_the_gazetteer_when_nominatim_fails() -> None:
    geocoder = FallbackGeocoder([nominatim(FakeNominatim(error=GeocoderTimedOut())), GazetteerGeocoder()])
    point = geocoder.locate(VUNG_TAU, VUNG_TAU_WARD, STREET)
    assert point is not None
    assert (point.source, point.precision) == ("geonames:1562414", Precision.COMMUNE)


def test_the_fallback_uses_the_gazetteer_when_nominatim_is_ambiguous() -> None:
    client = FakeNominatim([answer(10.35, 107.08), answer(10.50, 107.20)])
    point = FallbackGeocoder([nominatim(client), GazetteerGeocoder()]).locate(VUNG_TAU, VUNG_TAU_WARD, STREET)
    assert point is not None
    assert point.precision is Precision.COMMUNE


def test_the_fallback_prefers_the_first_geocoder_that_answers() -> None:
    client = FakeNominatim([answer(10.346, 107.084)])
    point = FallbackGeocoder([nominatim(client), GazetteerGeocoder()]).locate(VUNG_TAU, VUNG_TAU_WARD, STREET)
    assert point is not None
    assert point.precision is Precision.STREET


def test_a_cached_answer_costs_no_second_call() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465)])
    geocoder = nominatim(client)
    first = geocoder.locate(HANOI, GIANG_VO, STREET)
    again = geocoder.locate(HANOI, GIANG_VO, "  12 trần hưng đạo ")
    assert again == first
    assert len(client.calls) == 1


def test_a_failure_is_not_cached_so_the_next_request_asks_again() -> None:
    client = FakeNominatim(error=GeocoderUnavailable())
    geocoder = nominatim(client)
    geocoder.locate(HANOI, GIANG_VO, STREET)
    client.error, client.answers = None, [answer(21.0268, 105.8465)]
    assert geocoder.locate(HANOI, GIANG_VO, STREET) is not None
    assert len(client.calls) == 2


def test_the_cache_forgets_the_least_recently_used_answer_beyond_its_size() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465)])
    geocoder = nominatim(client, cache_size=1)
    geocoder.locate(HANOI, GIANG_VO, "1 Phố A")
    geocoder.locate(HANOI, GIANG_VO, "2 Phố B")
    geocoder.locate(HANOI, GIANG_VO, "1 Phố A")
    assert len(client.calls) == 3


def test_calls_to_nominatim_are_spaced_by_the_minimum_delay() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465)])
    geocoder = NominatimGeocoder(URL, "postal-hub-test", min_delay=0.2, client=client)
    started = time.monotonic()
    geocoder.locate(HANOI, GIANG_VO, "1 Phố A")
    geocoder.locate(HANOI, GIANG_VO, "2 Phố B")
    assert time.monotonic() - started >= 0.19


def test_an_empty_street_or_a_commune_of_another_province_is_not_sent_to_nominatim() -> None:
    client = FakeNominatim([answer(21.0268, 105.8465)])
    geocoder = nominatim(client)
    assert geocoder.locate(HANOI, GIANG_VO, "   ") is None
    assert geocoder.locate(VUNG_TAU, GIANG_VO, STREET) is None
    assert client.calls == []


def test_the_default_geocoder_is_the_offline_gazetteer() -> None:
    assert isinstance(build_geocoder({}), GazetteerGeocoder)
    assert isinstance(build_geocoder({"GEOCODER": "gazetteer"}), GazetteerGeocoder)


def test_nominatim_mode_asks_the_configured_server_then_falls_back_to_the_gazetteer() -> None:
    settings = {
        "GEOCODER": "nominatim",
        "NOMINATIM_URL": "https://geo.example.vn/nominatim/",
        "NOMINATIM_TIMEOUT": "5",
    }
    geocoder = build_geocoder(settings)
    assert isinstance(geocoder, FallbackGeocoder)
    first, second = geocoder.geocoders
    assert isinstance(first, NominatimGeocoder)
    assert isinstance(second, GazetteerGeocoder)
    assert first.client.api == "https://geo.example.vn/nominatim/search"
    assert first.timeout == 5.0


def test_nominatim_mode_without_a_server_url_is_refused() -> None:
    with pytest.raises(ValueError, match="NOMINATIM_URL"):
        build_geocoder({"GEOCODER": "nominatim", "NOMINATIM_URL": ""})


@pytest.mark.parametrize(
    "settings",
    [
        {"GEOCODER": "google"},
        {"GEOCODER": "nominatim", "NOMINATIM_URL": "nominatim.example.vn"},
        {"GEOCODER": "nominatim", "NOMINATIM_URL": URL, "NOMINATIM_TIMEOUT": "soon"},
        {"GEOCODER": "nominatim", "NOMINATIM_URL": URL, "NOMINATIM_TIMEOUT": 0},
        {"GEOCODER": "nominatim", "NOMINATIM_URL": URL, "NOMINATIM_CACHE_SIZE": -1},
    ],
)
def test_a_geocoder_setting_that_makes_no_sense_is_refused_clearly(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        build_geocoder(settings)

"""Distance bands of the home-pickup price in a contract version."""

from __future__ import annotations

import pytest

from postal_hub.contracts.bands import banded_price, normalise_bands, parse_bands
from postal_hub.core.validators import InvalidValue

BANDS = "5:0; 10:10000; 30:25000"


@pytest.mark.parametrize(("km", "price"), [(0.4, 30_000), (5.0, 30_000), (7.2, 40_000), (29.9, 55_000)])
def test_the_price_is_the_terms_price_plus_the_surcharge_of_the_band(km: float, price: int) -> None:
    assert banded_price(30_000, BANDS, km) == price


def test_an_address_beyond_the_last_band_has_no_price() -> None:
    assert banded_price(30_000, BANDS, 31) is None


def test_without_bands_one_price_holds_at_any_distance() -> None:
    assert banded_price(30_000, "", 120) == 30_000


def test_bands_are_written_back_tidy() -> None:
    assert normalise_bands(" 5:0 ;10 : 10.000 ") == "5:0; 10:10000"


@pytest.mark.parametrize("text", ["5", "5:-1", "10:0; 5:100", "0:100", "abc:1", "300:0"])
def test_a_band_that_makes_no_sense_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_bands(text)

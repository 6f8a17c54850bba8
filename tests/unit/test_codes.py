"""S10 item numbers and dossier codes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postal_hub.core import codes
from postal_hub.core.validators import InvalidValue


@pytest.mark.parametrize("published", ["EE471108151FR", "EB000717618HK", "RR123456785GB", "RR123456785VN"])
def test_published_item_numbers_have_valid_check_digits(published: str) -> None:
    assert codes.is_s10(published)


def _weighted_residue(serial: str) -> int:
    return sum(w * int(d) for w, d in zip(codes.S10_WEIGHTS, serial, strict=True)) % 11


@pytest.mark.parametrize("published", ["EE471108151FR", "EB000717618HK"])
def test_altering_any_digit_of_a_published_item_number_is_caught(published: str) -> None:
    for position in range(2, 11):
        for digit in "0123456789":
            if digit != published[position]:
                assert not codes.is_s10(published[:position] + digit + published[position + 1 :])


@pytest.mark.parametrize("published", ["EE471108151FR", "EB000717618HK", "RR123456785GB"])
def test_altering_the_check_digit_of_a_published_item_number_is_caught(published: str) -> None:
    for digit in "0123456789":
        if digit != published[10]:
            assert not codes.is_s10(published[:10] + digit + published[11:])


def test_the_only_alterations_s10_cannot_catch_are_the_standards_shared_check_digit() -> None:
    # The standard maps both residue 6 (11 - 6 = 5) and residue 0 (11 -> 5) to check digit 5, so for
    # RR123456785GB (residue 6) a slip that lands on residue 0 keeps a valid-looking number.
    published = "RR123456785GB"
    for position in range(2, 10):
        for digit in "0123456789":
            if digit == published[position]:
                continue
            serial = published[2:10][: position - 2] + digit + published[2:10][position - 1 :]
            altered = published[:2] + serial + published[10:]
            assert codes.is_s10(altered) == (_weighted_residue(serial) == 0)


@given(st.integers(0, 99_999_999))
def test_every_generated_item_number_validates(serial: int) -> None:
    item = codes.make_s10("RR", serial)
    assert codes.is_s10(item) and len(item) == 13 and item.endswith("VN")


@given(st.integers(0, 99_999_999), st.integers(2, 9), st.integers(1, 9))
def test_a_single_digit_change_is_caught_unless_it_lands_on_the_shared_check_digit(
    serial: int, position: int, delta: int
) -> None:
    item = codes.make_s10("RR", serial)
    changed = item[:position] + str((int(item[position]) + delta) % 10) + item[position + 1 :]
    residues = {_weighted_residue(item[2:10]), _weighted_residue(changed[2:10])}
    assert not codes.is_s10(changed) or residues == {0, 6}


def test_typed_item_numbers_are_normalised() -> None:
    assert codes.validate_s10(" rr 1234 5678 5 vn ") == "RR123456785VN"


def test_an_item_number_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(InvalidValue):
        codes.validate_s10("RR123456784VN")


def test_a_dossier_code_is_agency_code_date_and_four_digit_sequence() -> None:
    code = codes.make_dossier_code("000.00.01.H26", date(2026, 11, 20), 7)
    assert code == "000.00.01.H26-261120-0007"
    assert codes.is_dossier_code(code)


def test_a_daily_sequence_beyond_9999_is_refused() -> None:
    with pytest.raises(ValueError):
        codes.make_dossier_code("000.00.01.H26", date(2026, 11, 20), 10_000)


def test_printed_barcodes_carry_no_inline_style_the_csp_would_block() -> None:
    from postal_hub.intake.printables import code128_svg, qr_svg

    for svg in (str(code128_svg("RR123456785VN")), str(qr_svg("http://127.0.0.1:5000/track/RR123456785VN"))):
        assert "style=" not in svg and svg.startswith("<svg ")

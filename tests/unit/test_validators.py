"""The identifier validators every feature relies on, tested by property and by example."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.vn import mst

from postal_hub.core import validators
from postal_hub.core.places.data import legacy_province_codes
from postal_hub.core.validators import InvalidValue

TODAY = date(2026, 11, 22)
PROVINCE_PREFIXES = ["0" + code for code in legacy_province_codes()]


@st.composite
def valid_citizen_ids(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(PROVINCE_PREFIXES))
    # Born 1900-1999 (digits 0/1) or 2000-TODAY (digits 2/3).
    century_digit = draw(st.sampled_from("0123"))
    max_year = 99 if century_digit in "01" else TODAY.year - 2000
    year = draw(st.integers(0, max_year))
    serial = draw(st.integers(0, 999_999))
    return f"{prefix}{century_digit}{year:02d}{serial:06d}"


@given(valid_citizen_ids())
def test_every_well_formed_citizen_id_is_accepted_unchanged(cccd: str) -> None:
    assert validators.citizen_id(cccd, TODAY) == cccd


@given(valid_citizen_ids())
def test_citizen_id_accepts_spaces_and_dots_people_type(cccd: str) -> None:
    spaced = f"{cccd[:3]} {cccd[3:6]}.{cccd[6:]}"
    assert validators.citizen_id(spaced, TODAY) == cccd


@given(st.text(alphabet="0123456789", min_size=0, max_size=20).filter(lambda s: len(s) != 12))
def test_citizen_id_of_wrong_length_is_rejected(digits: str) -> None:
    with pytest.raises(InvalidValue):
        validators.citizen_id(digits, TODAY)


@given(valid_citizen_ids(), st.integers(0, 11), st.sampled_from("abcXYZ-/"))
def test_citizen_id_with_a_letter_is_rejected(cccd: str, position: int, char: str) -> None:
    with pytest.raises(InvalidValue):
        validators.citizen_id(cccd[:position] + char + cccd[position + 1 :], TODAY)


def test_citizen_id_with_unknown_province_prefix_is_rejected() -> None:
    with pytest.raises(InvalidValue, match="province"):
        validators.citizen_id("003095000123", TODAY)  # 03 was never a province code


def test_citizen_id_born_in_the_future_is_rejected() -> None:
    with pytest.raises(InvalidValue, match="future"):
        validators.citizen_id("001230000123", TODAY)  # born 2030


@given(st.sampled_from(["3", "5", "7", "8", "9"]), st.integers(10_000_000, 99_999_999))
def test_mobile_numbers_in_every_usual_form_normalise_to_one(first: str, rest: int) -> None:
    national = f"0{first}{rest}"
    try:
        expected = validators.mobile_phone(national)
    except InvalidValue:
        return  # an unassigned prefix such as 050: not a real mobile range
    forms = [
        national,
        f"+84{national[1:]}",
        f"84 {national[1:4]} {national[4:7]} {national[7:]}",
        f"{national[:4]}.{national[4:7]}.{national[7:]}",
    ]
    assert {validators.mobile_phone(f) for f in forms} == {expected}
    assert expected == "+84" + national[1:]


def test_mobile_number_rejects_a_landline() -> None:
    with pytest.raises(InvalidValue):
        validators.mobile_phone("024 3825 4321")


def test_mobile_number_rejects_a_short_number() -> None:
    with pytest.raises(InvalidValue):
        validators.mobile_phone("091234567")


def test_formatted_phone_reads_as_people_write_it() -> None:
    assert validators.format_phone("+84912345678") == "0912 345 678"


def _issuable(digits: str) -> bool:
    # A number whose check digit would be "10", or whose serial block is all zeros, is never issued.
    return len(mst.calc_check_digit(digits)) == 1 and digits[2:9] != "0000000"


@given(st.integers(100_000_000, 999_999_999).map(lambda n: f"{n:09d}").filter(_issuable))
def test_tax_codes_with_a_correct_check_digit_are_accepted(digits: str) -> None:
    code = digits + mst.calc_check_digit(digits)
    assert validators.tax_code(code) == code


@given(st.integers(100_000_000, 999_999_999).map(lambda n: f"{n:09d}").filter(_issuable))
def test_tax_codes_with_a_wrong_check_digit_are_rejected(digits: str) -> None:
    wrong = str((int(mst.calc_check_digit(digits)) + 1) % 10)
    with pytest.raises(InvalidValue):
        validators.tax_code(digits + wrong)


@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_any_five_digit_postcode_is_accepted(code: str) -> None:
    assert validators.postcode(code) == code


@pytest.mark.parametrize("bad", ["1000", "100000", "1A000", ""])
def test_postcode_must_be_five_digits(bad: str) -> None:
    with pytest.raises(InvalidValue):
        validators.postcode(bad)


@given(st.from_regex(r"\A\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}\Z"))
def test_agency_codes_in_qcvn_102_form_are_accepted(code: str) -> None:
    assert validators.agency_code(code.lower()) == code


@pytest.mark.parametrize("bad", ["000.00.01", "000.00.01.26H", "00.00.01.H26", "000-00-01-H26"])
def test_agency_codes_in_other_forms_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidValue):
        validators.agency_code(bad)


@given(st.from_regex(r"\A\d\.\d{6}\Z"))
def test_procedure_codes_in_catalogue_form_are_accepted(code: str) -> None:
    assert validators.procedure_code(code) == code


@pytest.mark.parametrize("bad", ["1001612", "1.00161", "1.0016123", "A.001612"])
def test_procedure_codes_in_other_forms_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidValue):
        validators.procedure_code(bad)


@given(st.integers(0, 10**12))
def test_vnd_amounts_written_with_dot_separators_parse_to_integers(amount: int) -> None:
    assert validators.non_negative_vnd(f"{amount:,}".replace(",", ".")) == amount


def test_negative_vnd_amount_is_rejected() -> None:
    with pytest.raises(InvalidValue):
        validators.non_negative_vnd("-1000")

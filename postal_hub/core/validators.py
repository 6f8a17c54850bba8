"""Validation of the identifiers every feature meets; each returns the normalised value or raises.

Messages are lazy strings so they show in the reader's language wherever they end up.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import phonenumbers
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from postal_hub.core.places.data import legacy_province_codes


class InvalidValue(ValueError):
    """A value that fails validation; str() is the reader-facing message."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


_DIGITS = re.compile(r"\d+")
_AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
_PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
_POSTCODE = re.compile(r"^\d{5}$")
_MOBILE_PREFIXES = ("3", "5", "7", "8", "9")
MAX_VND = 10**12  # a thousand billion dong: far above any fee, price or bill here


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


@lru_cache(maxsize=1)
def _cccd_province_prefixes() -> frozenset[str]:
    # The first three digits encode the place of birth by the pre-2025 province code (63 provinces);
    # the 34 current codes are a subset of them.
    return frozenset("0" + code for code in legacy_province_codes())


def citizen_id(value: str, today: date | None = None) -> str:
    """CCCD: 12 digits = province of birth (3), sex and century (1), year of birth (2), serial (6).

    It has no check digit, so we check what can be checked: the province prefix and that the
    encoded year of birth is not in the future.
    """
    compact = _compact(value)
    if not compact:
        raise InvalidValue(_l("Enter the citizen ID number."))
    if not compact.isdigit() or len(compact) != 12:
        raise InvalidValue(_l("A citizen ID has exactly 12 digits."))
    if compact[:3] not in _cccd_province_prefixes():
        raise InvalidValue(_l("The first three digits of a citizen ID must be a province code."))
    century = 1900 + 100 * (int(compact[3]) // 2)
    birth_year = century + int(compact[4:6])
    current_year = (today or date.today()).year
    if birth_year > current_year:
        raise InvalidValue(_l("The year of birth encoded in this citizen ID is in the future."))
    return compact


def mobile_phone(value: str) -> str:
    """A Vietnamese mobile number, in any usual form, normalised to E.164 (+84xxxxxxxxx)."""
    raw = (value or "").strip()
    if not raw:
        raise InvalidValue(_l("Enter a mobile phone number."))
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise InvalidValue(_l("This is not a phone number.")) from None
    national = str(number.national_number)
    if (
        number.country_code != 84
        or len(national) != 9
        or not national.startswith(_MOBILE_PREFIXES)
        or not phonenumbers.is_valid_number(number)
    ):
        raise InvalidValue(_l("Enter a Vietnamese mobile number: 10 digits starting 03, 05, 07, 08 or 09."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+84912345678 -> 0912 345 678, the way people read it."""
    national = "0" + e164.removeprefix("+84")
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def tax_code(value: str) -> str:
    """Mã số thuế: 10 digits, or 13 for a branch (written 0102595740-001)."""
    if not (value or "").strip():
        raise InvalidValue(_l("Enter the tax code."))
    try:
        return str(mst.format(mst.validate(value)))
    except StdnumError:
        raise InvalidValue(_l("This tax code is not valid (10 digits, or 10-3 for a branch).")) from None


def postcode(value: str) -> str:
    compact = _compact(value)
    if not _POSTCODE.match(compact):
        raise InvalidValue(_l("A postcode has 5 digits, e.g. 10000."))
    return compact


def agency_code(value: str) -> str:
    """Agency identifier code, QCVN 102:2016/BTTTT form: 000.00.01.H26."""
    code = (value or "").strip().upper()
    if not _AGENCY_CODE.match(code):
        raise InvalidValue(_l("An agency code looks like 000.00.01.H26."))
    return code


def procedure_code(value: str) -> str:
    """National procedure catalogue code: 1.001612."""
    code = (value or "").strip()
    if not _PROCEDURE_CODE.match(code):
        raise InvalidValue(_l("A procedure code looks like 1.001612."))
    return code


def non_negative_vnd(value: object) -> int:
    """VND has no minor unit: whole numbers of dong, never negative."""
    text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text or not text.lstrip("-").isdigit():
        raise InvalidValue(_l("Enter a whole number of dong."))
    amount = int(text)
    if amount < 0:
        raise InvalidValue(_l("An amount cannot be negative."))
    if amount > MAX_VND:
        raise InvalidValue(_l("This amount is too large."))
    return amount


def phone_number(value: str) -> str:
    """Any valid Vietnamese number, landlines included (offices, units), normalised to E.164."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise InvalidValue(_l("This is not a phone number.")) from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidValue(_l("This is not a valid Vietnamese phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

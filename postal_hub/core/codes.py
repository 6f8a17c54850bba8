"""Identifiers printed on dossiers: UPU S10 item numbers and the national dossier code.

S10 (UPU standard): two service letters, an 8-digit serial, a check digit, two country letters,
e.g. RR123456785VN. The check digit weighs the serial by 8 6 4 2 3 5 9 7; c = 11 - (sum mod 11),
with 10 -> 0 and 11 -> 5. The dossier code is <agency code>-<yymmdd>-<4-digit daily sequence>.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from postal_hub.core.validators import InvalidValue

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_DOSSIER = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{6})-(\d{4})$")


def s10_check_digit(serial: str) -> int:
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial has 8 digits")
    check = 11 - sum(w * int(d) for w, d in zip(S10_WEIGHTS, serial, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def make_s10(service: str, serial: int, country: str = "VN") -> str:
    if not 0 <= serial <= 99_999_999:
        raise ValueError("S10 serials run from 00000000 to 99999999")
    digits = f"{serial:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def normalise_code(text: str) -> str:
    """People type codes with spaces, dashes in odd places or lower case; keep letters, digits, . and -."""
    return re.sub(r"[^0-9A-Za-z.\-]", "", text or "").upper()


def is_s10(text: str) -> bool:
    match = _S10.match(text)
    return match is not None and s10_check_digit(match[2]) == int(match[3])


def validate_s10(text: str) -> str:
    code = normalise_code(text)
    if not _S10.match(code):
        raise InvalidValue(_l("An item number looks like RR123456785VN."))
    if not is_s10(code):
        raise InvalidValue(_l("This item number's check digit is wrong; check for a typing slip."))
    return code


def make_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    if not 1 <= sequence <= 9999:
        raise ValueError("the daily sequence runs from 0001 to 9999")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def is_dossier_code(text: str) -> bool:
    return bool(_DOSSIER.match(text))

"""Vietnamese text helpers: search must work with and without diacritics."""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """'Đăng ký  Khai sinh' -> 'dang ky khai sinh' (for search keys and name matching)."""
    return _SPACES.sub(" ", unidecode(unicodedata.normalize("NFC", text))).strip().lower()


def clean(text: str | None) -> str:
    """Trim and collapse inner whitespace; NFC so the same name is stored one way."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' -> 'Nguyễn V. A.': enough for a citizen to recognise their dossier, no more."""
    parts = clean(full_name).split(" ")
    if not parts or not parts[0]:
        return ""
    return " ".join([parts[0], *(p[0].upper() + "." for p in parts[1:])])

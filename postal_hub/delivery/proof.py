"""Proof of a handover: a signature drawn on the phone, a photo, an authorisation, checked by content.

Each file is recognised from its first bytes, never from its name or the browser's word: a phone
names every photo "image.jpg", and a tampered form can name anything anything.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from postal_hub.core.validation import FieldErrors
from postal_hub.intake.digitization import detect_type

MAX_PROOF_BYTES = 5 * 1024 * 1024
# A signature drawn on a phone's screen is a few tens of kilobytes; a megabyte is no signature.
MAX_SIGNATURE_BYTES = 1024 * 1024
PNG = "image/png"
JPEG = "image/jpeg"
PDF = "application/pdf"
IMAGES = frozenset({PNG, JPEG})
DOCUMENTS = frozenset({PNG, JPEG, PDF})
_DATA_URL_PREFIX = "data:image/png;base64,"


@dataclass(frozen=True)
class Proof:
    """The files that passed the checks, still unsaved (they go to the store once everything passed)."""

    signature: bytes | None
    photo: bytes | None
    authorisation: bytes | None


def signature_from_data_url(text: str | None) -> bytes | None:
    """The PNG a canvas gives as `data:image/png;base64,...`; None when nothing was drawn. Anything
    else (another type, broken base64) comes back as b"" so the check names the field."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.startswith(_DATA_URL_PREFIX):
        return b""
    try:
        return base64.b64decode(text.removeprefix(_DATA_URL_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _mb(limit: int) -> object:
    return _l("%(mb)d MB", mb=limit // (1024 * 1024))


def _checked(
    errors: FieldErrors, field: str, data: bytes | None, allowed: frozenset[str], limit: int, what: object
) -> bytes | None:
    if data is None:
        return None
    if not data:
        errors.add(field, _l("The file is empty or could not be read."))
        return None
    if len(data) > limit:
        errors.add(field, _l("The file is larger than %(limit)s.", limit=_mb(limit)))
        return None
    detected = detect_type(data)
    if detected is None or detected[0] not in allowed:
        errors.add(field, what)
        return None
    return data


def check_proof(
    errors: FieldErrors,
    signature: bytes | None,
    photo: bytes | None,
    authorisation: bytes | None,
    authorisation_required: bool,
) -> Proof:
    """A handover needs a signature or a photo (or both); an authorised recipient also needs the
    written authorisation. Problems go to `errors` under the field's name."""
    checked_signature = _checked(
        errors,
        "signature",
        signature,
        frozenset({PNG}),
        MAX_SIGNATURE_BYTES,
        _l("The signature could not be read; clear it and sign again."),
    )
    checked_photo = _checked(
        errors, "photo", photo, IMAGES, MAX_PROOF_BYTES, _l("The photo must be a JPEG or PNG picture.")
    )
    checked_authorisation = _checked(
        errors,
        "authorisation",
        authorisation,
        DOCUMENTS,
        MAX_PROOF_BYTES,
        _l("The authorisation must be a photo (JPEG, PNG) or a PDF."),
    )
    if signature is None and photo is None:
        errors.add("signature", _l("Have the recipient sign on the screen, or take a photo of the handover."))
    if authorisation_required and authorisation is None:
        errors.add("authorisation", _l("Take a photo of the written authorisation."))
    return Proof(checked_signature, checked_photo, checked_authorisation)

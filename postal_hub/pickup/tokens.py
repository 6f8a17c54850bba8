"""Booking references and manage tokens.

The manage token is an HMAC of the reference and a per-booking salt under the app's secret: it is never
stored, so a copy of the database gives nobody the power to cancel bookings, and an idempotent replay of
the booking request can still return the same token. Rotating SECRET_KEY invalidates the manage links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "HP" + "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_salt() -> str:
    return secrets.token_hex(16)


def manage_token(secret: str, reference: str, salt: str) -> str:
    digest = hmac.new(secret.encode(), f"pickup-manage:{reference}:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_matches(secret: str, reference: str, salt: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(manage_token(secret, reference, salt), token or "")

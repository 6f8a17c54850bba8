"""The citizen's delivery link and the one-time handover code, both derived, never stored.

Like the pickup manage token, each is an HMAC under the app's secret of the delivery and a per-delivery
salt: a copy of the database (or of the message outbox) gives nobody the power to collect a result.
The one-time code also covers the round it was sent for, so a code from an earlier attempt is dead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CODE_DIGITS = 6


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def manage_token(secret: str, dossier_code: str, salt: str) -> str:
    digest = _mac(secret, f"delivery-manage:{dossier_code}:{salt}")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_matches(secret: str, dossier_code: str, salt: str, token: str | None) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII text, and a crafted token must be a plain "no".
    expected = manage_token(secret, dossier_code, salt).encode()
    return bool(token) and hmac.compare_digest(expected, (token or "").encode())


def one_time_code(secret: str, dossier_code: str, salt: str, round_number: int) -> str:
    """Six digits, uniform enough (the 2**64 range folds onto 10**6 with negligible bias)."""
    digest = _mac(secret, f"delivery-code:{dossier_code}:{salt}:{round_number}")
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def code_matches(secret: str, dossier_code: str, salt: str, round_number: int, entered: str) -> bool:
    entered = "".join(entered.split())
    expected = one_time_code(secret, dossier_code, salt, round_number).encode()
    return hmac.compare_digest(expected, entered.encode())

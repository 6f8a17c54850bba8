"""Standard Webhooks signatures (HMAC-SHA256) and the verifier receivers and our tests use."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)
DEFAULT_TOLERANCE_SECONDS = 300


class VerificationError(ValueError):
    """The request does not carry a valid, fresh signature; the receiver should answer 400/401."""


def generate_secret() -> str:
    """A new signing secret as shown to the organization once: whsec_ + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key is the base64-decoded part after whsec_."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("the webhook secret is not valid base64") from exc


def _body_bytes(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def sign(secret: str, msg_id: str, timestamp: int, body: str | bytes) -> str:
    """The `webhook-signature` value: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>."""
    signed = f"{msg_id}.{timestamp}.".encode() + _body_bytes(body)
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, msg_id: str, timestamp: int, body: str | bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise VerificationError(f"missing header {name}")


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: str | bytes,
    now: datetime,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise VerificationError unless one of the header's v1 signatures matches and the timestamp is
    within `tolerance` seconds of `now` (replays and clock skew are refused)."""
    msg_id = _header(headers, "webhook-id")
    raw_timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise VerificationError("webhook-timestamp is not a number of seconds") from exc
    drift = now.timestamp() - timestamp
    if drift > tolerance:
        raise VerificationError("webhook-timestamp is too old")
    if drift < -tolerance:
        raise VerificationError("webhook-timestamp is too new")
    expected = sign(secret, msg_id, timestamp, body).encode("ascii")
    for candidate in signatures.split():
        if candidate.startswith("v1,") and hmac.compare_digest(candidate.encode("ascii"), expected):
            return
    raise VerificationError("no matching signature")

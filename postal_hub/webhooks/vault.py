"""Signing secrets at rest: Fernet encryption under a key derived from the app's SECRET_KEY (HKDF)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _fernet(app_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"postal-hub webhook secrets v1").derive(
        app_secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(app_secret: str, plaintext: str) -> str:
    return _fernet(app_secret).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(app_secret: str, token: str) -> str:
    return _fernet(app_secret).decrypt(token.encode("ascii")).decode("utf-8")

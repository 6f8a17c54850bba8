"""Organization API keys: random, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import ApiKey

KEY_PREFIX = "ph"
MAX_NAME_LENGTH = 120
# Only units and operators integrate through the API (API.md).
API_ORG_KINDS = (OrgKind.ONE_STOP_UNIT, OrgKind.POSTAL_OPERATOR)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(
    session: Session,
    org: Organization,
    name: str,
    now: datetime,
    actor_id: int | None = None,
    secret: str | None = None,
) -> tuple[ApiKey, str]:
    """Returns the key record and the plaintext key, which is never stored and never shown again."""
    if org.kind not in API_ORG_KINDS:
        raise ValidationFailed(
            str(_l("API keys are for one-stop units and postal operators.")),
            {"organization": str(_l("This organization cannot hold API keys."))},
        )
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(str(_l("Name the key.")), {"name": str(_l("This field is required."))})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            str(_l("Name the key.")), {"name": str(_l("At most %(n)d characters.", n=MAX_NAME_LENGTH))}
        )
    prefix = secrets.token_hex(4) if secret is None else hashlib.sha256(secret.encode()).hexdigest()[:8]
    body = secret or secrets.token_urlsafe(32)
    plaintext = f"{KEY_PREFIX}_{prefix}_{body}"
    key = ApiKey(
        organization_id=org.id,
        name=name,
        prefix=prefix,
        key_hash=_digest(plaintext),
        created_at=now,
        created_by_id=actor_id,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor_id,
        "api_key.created",
        "api_key",
        key.id,
        {"organization": org.code, "name": name},
        at=now,
    )
    return key, plaintext


def find_key_by_plaintext(session: Session, plaintext: str) -> ApiKey | None:
    parts = (plaintext or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = session.scalar(sa.select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, _digest(plaintext)):
        return None
    return key


def authenticate(session: Session, plaintext: str, now: datetime) -> ApiKey | None:
    """The active key matching the plaintext, with its last use recorded; None otherwise."""
    key = find_key_by_plaintext(session, plaintext)
    if key is None or not key.active or not key.organization.active:
        return None
    key.last_used_at = now
    return key


def revoke(session: Session, key: ApiKey, now: datetime, actor_id: int | None) -> None:
    if key.revoked_at is None:
        key.revoked_at = now
        audit.record(session, actor_id, "api_key.revoked", "api_key", key.id, at=now)
        session.flush()

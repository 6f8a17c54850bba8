"""Rendering the delivery's symbolic references when a message is sent: the link and the code."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.messaging.services import LinkResolver
from postal_hub.delivery import tokens
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.notices import CODE, MANAGE
from postal_hub.intake.models import Dossier


def manage_url(base_url: str, secret: str, delivery: Delivery) -> str:
    code = delivery.dossier.code
    return f"{base_url}/results/{code}?token={tokens.manage_token(secret, code, delivery.manage_salt)}"


def _delivery(session: Session, dossier_code: str) -> Delivery | None:
    return session.scalar(sa.select(Delivery).join(Dossier).where(Dossier.code == dossier_code))


def resolver(
    session: Session, base_url: str, secret: str, fallback: LinkResolver | None = None
) -> LinkResolver:
    def resolve(link: str) -> str | None:
        if link.startswith(MANAGE):
            delivery = _delivery(session, link.removeprefix(MANAGE))
            return manage_url(base_url, secret, delivery) if delivery else None
        if link.startswith(CODE):
            code, _, round_text = link.removeprefix(CODE).rpartition(":")
            delivery = _delivery(session, code)
            if delivery is None or not round_text.isdigit():
                return None
            return tokens.one_time_code(secret, code, delivery.manage_salt, int(round_text))
        return fallback(link) if fallback else None

    return resolve

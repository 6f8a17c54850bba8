"""Rendering the symbolic links stored with citizen messages, when they are sent."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.messaging.services import LinkResolver
from postal_hub.pickup.booking import Settings, manage_url
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.notices import MANAGE


def resolver(session: Session, settings: Settings) -> LinkResolver:
    def resolve(link: str) -> str | None:
        if not link.startswith(MANAGE):
            return None
        pickup = session.scalar(sa.select(Pickup).where(Pickup.reference == link.removeprefix(MANAGE)))
        return manage_url(settings, pickup) if pickup else None

    return resolve

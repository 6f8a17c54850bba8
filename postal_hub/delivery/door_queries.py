"""Reads for the handover screens, scoped to the actor: not yours and unknown both answer 404."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.core.codes import normalise_code
from postal_hub.core.errors import NotFound
from postal_hub.core.users.models import User
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.queries import scope_deliveries
from postal_hub.intake.models import Dossier


def handover_delivery(session: Session, actor: User, code: str) -> Delivery:
    """A postman sees the results on his runs, a clerk his office's, a manager the operator's."""
    delivery = session.scalar(
        scope_deliveries(
            session,
            actor,
            sa.select(Delivery)
            .join(Dossier, Dossier.id == Delivery.dossier_id)
            .where(Dossier.code == normalise_code(code))
            .options(
                selectinload(Delivery.dossier).selectinload(Dossier.procedure),
                selectinload(Delivery.office),
                selectinload(Delivery.commune),
                selectinload(Delivery.postman),
                selectinload(Delivery.attempts_made),
                selectinload(Delivery.events),
            ),
        )
    )
    if delivery is None:
        raise NotFound(str(_l("There is no such result, or it is not yours to hand over.")))
    return delivery


def people(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.full_name for u in session.scalars(sa.select(User).where(User.id.in_(wanted)))}


def actors_of(session: Session, delivery: Delivery) -> dict[int, str]:
    """Who did each step and attempt on the delivery's page."""
    return people(
        session, [e.actor_id for e in delivery.events] + [a.actor_id for a in delivery.attempts_made]
    )


def attempt_of(delivery: Delivery, number: int) -> DeliveryAttempt | None:
    return next((a for a in delivery.attempts_made if a.number == number), None)

"""When a result is not handed over: a failed visit, a blocked delivery released, an uncollected result.

After `max_attempts` failed visits (the contract's setting) or once the office's holding period is
over, the result is due back to the unit: it then goes on a return manifest (`legs.RESULTS_BACK_TO_UNIT`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.clock import to_local
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery import notices
from postal_hub.delivery.events import record_event, set_status
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import FAILURE_LABELS, DeliveryMethod, DeliveryStatus, FailureReason, Outcome
from postal_hub.delivery.visits import (
    OFF_THE_RUN,
    back_at_office,
    check_on_run,
    distance_from_address,
    lock,
)
from postal_hub.pickup.seats import release_seat


def fail_attempt(
    session: Session,
    actor: User,
    delivery: Delivery,
    reason: str,
    note: str,
    lat: float | None,
    lon: float | None,
    now: datetime,
) -> DeliveryAttempt:
    """The postman could not hand the result over (nobody home, refused, ...): the visit is recorded
    with its reason and where the phone was; the result is back at the office, and the citizen may
    choose a new window, or after the last allowed attempt it is due back to the unit."""
    lock(session, delivery)
    check_on_run(actor, delivery)
    errors = FieldErrors()
    if reason not in {r.value for r in FailureReason}:
        errors.add("reason", _l("Choose why the result could not be handed over."))
    note = errors.optional_text("note", note, 500)
    if reason == FailureReason.OTHER.value and not note:
        errors.add("note", _l("Say what happened."))
    errors.coordinates(lat, lon)
    errors.raise_if_any()
    why = FailureReason(reason)
    label = str(FAILURE_LABELS[why])
    text = f"{label}: {note}" if note else label
    number = delivery.attempts + 1
    distance, far = distance_from_address(delivery, lat, lon)
    attempt = DeliveryAttempt(
        number=number,
        outcome=Outcome.FAILED.value,
        at=now,
        actor_id=actor.id,
        reason=why.value,
        note=note,
        lat=lat,
        lon=lon,
        distance_m=distance,
        far_from_address=far,
    )
    delivery.attempts_made.append(attempt)
    session.flush()
    held = delivery.slot_id
    last = number >= delivery.max_attempts
    if last:
        record_event(session, delivery, "failed", now, actor, text)
        returning = str(
            _l("%(reason)s (attempt %(n)d of %(max)d)", reason=text, n=number, max=delivery.max_attempts)
        )
        set_status(
            session,
            delivery,
            DeliveryStatus.TO_RETURN,
            now,
            actor,
            "to_return",
            returning,
            attempts=number,
            return_reason=returning[:500],
            **OFF_THE_RUN,
        )
    else:
        set_status(
            session,
            delivery,
            DeliveryStatus.AT_OFFICE,
            now,
            actor,
            "failed",
            text,
            attempts=number,
            **OFF_THE_RUN,
        )
    release_seat(session, held)  # the window is over, or will not be kept: the seat is free again
    back_at_office(session, actor, delivery, why, text, now)
    if last:
        notices.to_return(session, delivery, now)
    else:
        notices.failed(session, delivery, why, now)
    return attempt


def may_release(actor: User, delivery: Delivery) -> bool:
    return actor.has_role(Role.SYSTEM_ADMIN) or (
        actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == delivery.operator_id
    )


def release_block(
    session: Session, manager: User, delivery: Delivery, now: datetime, to_return: bool
) -> None:
    """A postal manager who has looked into the wrong identity checks lets the result be handed over
    again (at the office; the wrong-try count starts afresh) or sends it back to the unit."""
    lock(session, delivery)
    if not may_release(manager, delivery):
        raise PermissionDenied(str(_l("Only a postal manager of the operator releases a blocked result.")))
    if delivery.status != DeliveryStatus.BLOCKED.value:
        raise Conflict(str(_l("The result of %(code)s is not blocked.", code=delivery.dossier.code)))
    if to_return:
        reason = str(_l("Blocked after wrong identity checks"))
        set_status(
            session,
            delivery,
            DeliveryStatus.TO_RETURN,
            now,
            manager,
            "to_return",
            reason,
            return_reason=reason,
        )
        notices.to_return(session, delivery, now)
        return
    set_status(session, delivery, DeliveryStatus.AT_OFFICE, now, manager, "unblocked", id_failures=0)
    if delivery.method == DeliveryMethod.HOME.value and delivery.window_start is None:
        # Blocked at the door: the citizen chooses a new window (or to collect it at the office).
        notices.failed(session, delivery, FailureReason.ID_MISMATCH, now)


def expire_uncollected(session: Session, now: datetime) -> int:
    """Results for collection not collected by the end of the holding period are due back to the unit.
    Each goes in its own savepoint: one collected at the counter meanwhile is simply left alone."""
    due = session.scalars(
        sa.select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.AT_OFFICE.value,
            Delivery.method == DeliveryMethod.POST_OFFICE.value,
            Delivery.hold_until < now,
        )
        .order_by(Delivery.id)
    ).all()
    expired = 0
    for delivery in due:
        assert delivery.hold_until is not None
        reason = str(_l("Not collected by %(date)s", date=f"{to_local(delivery.hold_until):%d/%m/%Y}"))
        try:
            with session.begin_nested():
                set_status(
                    session,
                    delivery,
                    DeliveryStatus.TO_RETURN,
                    now,
                    None,
                    "expired",
                    reason,
                    return_reason=reason,
                )
                notices.to_return(session, delivery, now)
        except Conflict:
            continue
        expired += 1
    return expired

"""What the citizen can do with the private link to their result: look, move the visit, collect it at
the office instead, name a person to receive it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.status import TaskType
from postal_hub.core import audit
from postal_hub.core.errors import Conflict, NotFound
from postal_hub.core.text import clean, mask_name
from postal_hub.core.validation import FieldErrors
from postal_hub.core.validators import citizen_id as valid_citizen_id
from postal_hub.delivery import notices, tokens, windows
from postal_hub.delivery.arrival import hold_deadline
from postal_hub.delivery.events import record_event, set_status, write
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DELIVERY_STATUS_LABELS, DeliveryMethod, DeliveryStatus
from postal_hub.handoff.legs import finish_tasks
from postal_hub.intake.models import Dossier

# A person may be named while the result has not reached anyone yet (not while blocked: a manager is
# looking at wrong identity checks, and a new name then would help whoever is trying).
AUTHORISABLE = frozenset(
    {
        DeliveryStatus.AT_UNIT,
        DeliveryStatus.IN_TRANSIT,
        DeliveryStatus.AT_OFFICE,
        DeliveryStatus.ASSIGNED,
        DeliveryStatus.OUT,
    }
)


def get_with_token(session: Session, secret: str, dossier_code: str, token: str | None) -> Delivery:
    """Unknown code and wrong token look the same: nobody learns which results exist."""
    code = (dossier_code or "").strip().upper()
    delivery = session.scalar(sa.select(Delivery).join(Dossier).where(Dossier.code == code))
    if delivery is None or not tokens.token_matches(
        secret, delivery.dossier.code, delivery.manage_salt, token
    ):
        raise NotFound(str(_l("No result matches this dossier code and link.")))
    return delivery


def for_page(session: Session, delivery_id: int) -> Delivery:
    """The delivery with everything its page shows, loaded up front (templates never query)."""
    found = session.scalar(
        sa.select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(
            selectinload(Delivery.dossier).selectinload(Dossier.procedure),
            selectinload(Delivery.unit),
            selectinload(Delivery.office),
            selectinload(Delivery.events),
            selectinload(Delivery.attempts_made),
        )
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(str(_l("No result matches this dossier code and link.")))
    return found


def _is_door(delivery: Delivery) -> bool:
    return delivery.method == DeliveryMethod.HOME.value


def can_move(delivery: Delivery) -> bool:
    """A new window, or collection at the office, while the postman has not set out with it."""
    return _is_door(delivery) and DeliveryStatus(delivery.status) in windows.MOVABLE


def can_authorise(delivery: Delivery) -> bool:
    return DeliveryStatus(delivery.status) in AUTHORISABLE


def _check_movable(delivery: Delivery) -> None:
    if not _is_door(delivery):
        raise Conflict(str(_l("This result is already to be collected at the post office.")))
    if not can_move(delivery):
        raise Conflict(
            str(
                _l(
                    "The result of %(code)s can no longer be changed (now: %(where)s).",
                    code=delivery.dossier.code,
                    where=_where(delivery),
                )
            )
        )


def _where(delivery: Delivery) -> str:
    return str(DELIVERY_STATUS_LABELS[DeliveryStatus(delivery.status)])


def switch_to_office(session: Session, delivery: Delivery, now: datetime) -> None:
    """Collection at the post office instead of the door: the office keeps it for the contract's hold
    days from today, the seat of the visit is given back, the result leaves any run it was on, the
    delivery task is cancelled (never billed), and the citizen gets the collection code."""
    _check_movable(delivery)
    dossier = delivery.dossier
    values: dict[str, Any] = {
        "method": DeliveryMethod.POST_OFFICE.value,
        "hold_until": hold_deadline(now, delivery.hold_days),
        # A new round: any code sent for the door is dead, the counter's code is fresh.
        "code_round": (delivery.code_round or 0) + 1,
        "day": None,
        "window_start": None,
        "window_end": None,
        "slot_id": None,
        "updated_at": now,
    }
    windows.release(session, delivery)  # read before the write clears it; all one transaction
    if delivery.status == DeliveryStatus.ASSIGNED.value:
        set_status(
            session,
            delivery,
            DeliveryStatus.AT_OFFICE,
            now,
            None,
            "switched_to_office",
            postman_id=None,
            route_position=None,
            planned_at=None,
            **values,
        )
    else:
        write(session, delivery, delivery.status, values)
        record_event(session, delivery, "switched_to_office", now, None)
        audit.record(
            session, None, "delivery.switched_to_office", "delivery", dossier.code, {"by": "citizen"}, at=now
        )
    dossier.result_delivery = DeliveryMethod.POST_OFFICE.value
    outcome = str(_l("The citizen collects the result at the post office"))
    finish_tasks(session, dossier, TaskType.RESULT_DELIVERY, now, None, outcome, False)
    notices.waiting_at_office(session, delivery, now)


def authorise(session: Session, delivery: Delivery, name: str, citizen_id: str, now: datetime) -> None:
    """The applicant names the person who will receive the result for them; the handover still asks
    for that person's ID card and the written authorisation. A later name replaces an earlier one."""
    errors = FieldErrors()
    full_name = errors.require("name", clean(name), 255)
    number = errors.check("citizen_id", valid_citizen_id, citizen_id or "", now.date())
    if number is not None and number == delivery.dossier.applicant_citizen_id:
        errors.add("citizen_id", _l("This is the applicant's own ID; enter the authorised person's."))
    errors.raise_if_any()
    if not can_authorise(delivery):
        raise Conflict(
            str(
                _l(
                    "A person can no longer be authorised for %(code)s (now: %(where)s).",
                    code=delivery.dossier.code,
                    where=_where(delivery),
                )
            )
        )
    write(
        session,
        delivery,
        delivery.status,
        {"authorised_name": full_name, "authorised_citizen_id": number, "updated_at": now},
    )
    # The timeline and the audit log name the person only as the page does; never the ID number.
    record_event(session, delivery, "authorised", now, None, mask_name(full_name))
    audit.record(
        session, None, "delivery.authorised", "delivery", delivery.dossier.code, {"by": "citizen"}, at=now
    )

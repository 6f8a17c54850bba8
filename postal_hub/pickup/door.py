"""At the door: a complete dossier is accepted exactly as at the counter; otherwise a failed visit."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, Incomplete, accept
from postal_hub.intake.status import Channel, PaymentMethod
from postal_hub.pickup import notices, seats
from postal_hub.pickup.booking import Settings
from postal_hub.pickup.events import set_status
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import FAILURE_LABELS, OPEN, FailureReason, PickupStatus


def check_at_door(actor: User, pickup: Pickup) -> None:
    """The assigned postman, or any postman or manager of the booking's office."""
    if actor.post_office_id != pickup.office_id or not actor.has_role(Role.POSTMAN, Role.POSTAL_MANAGER):
        raise PermissionDenied(
            str(_l("Only the postmen of %(office)s handle this pickup.", office=pickup.office.name))
        )
    if PickupStatus(pickup.status) not in OPEN:
        raise Conflict(str(_l("This pickup is already closed.")))


def complete(
    session: Session,
    settings: Settings,
    actor: User,
    pickup: Pickup,
    present: set[str],
    payment_method: str,
    now: datetime,
) -> Dossier | Incomplete:
    """Complete: the dossier is numbered, tasks start, the citizen gets the link. Incomplete: the visit
    fails with the missing list, and the citizen may choose a new window."""
    check_at_door(actor, pickup)
    if payment_method not in {p.value for p in PaymentMethod}:
        errors = FieldErrors()
        errors.add("payment_method", _l("Choose how the fees are paid."))
        errors.raise_if_any()
    data = AcceptanceInput(
        procedure_id=pickup.procedure_id,
        applicant=ApplicantInput(
            pickup.applicant_name,
            pickup.applicant_citizen_id,
            pickup.applicant_phone,
            pickup.province_code,
            pickup.commune_code,
            pickup.street,
        ),
        present=present,
        result_delivery=pickup.result_delivery,
        payment_method=payment_method,
        promised_by=pickup.slot_end,
        submission_token=f"pickup:{pickup.reference}:{pickup.attempts}",
        channel=Channel.PICKUP,
        postal_price=pickup.fee,
    )
    result = accept(session, actor, pickup.office, data, now)
    if isinstance(result, Incomplete):
        missing = "; ".join(c.name for c in result.missing)[:500]  # the note holds 500 characters
        fail(session, settings, actor, pickup, FailureReason.INCOMPLETE.value, missing, now)
        return result
    set_status(
        session,
        pickup,
        PickupStatus.COMPLETED,
        now,
        actor,
        "completed",
        note=result.code,
        dossier_id=result.id,
        closed_at=now,
        attempts=pickup.attempts + 1,
    )
    notices.completed(session, pickup, result.code, now, pickup.language)
    return result


def fail(
    session: Session,
    settings: Settings,
    actor: User,
    pickup: Pickup,
    reason: str,
    note: str,
    now: datetime,
) -> Pickup:
    """Nobody home, an incomplete dossier...: recorded with its reason; the citizen may pick a new window."""
    check_at_door(actor, pickup)
    errors = FieldErrors()
    if reason not in {r.value for r in FailureReason}:
        errors.add("reason", _l("Choose why the pickup failed."))
    note = errors.optional_text("note", note, 500)
    if reason == FailureReason.OTHER and not note:
        errors.add("note", _l("Say what happened."))
    errors.raise_if_any()
    label = str(FAILURE_LABELS[FailureReason(reason)])
    held = pickup.slot_id
    set_status(
        session,
        pickup,
        PickupStatus.FAILED,
        now,
        actor,
        "failed",
        note=f"{label}: {note}" if note else label,
        failure_reason=reason,
        failure_note=note,
        attempts=pickup.attempts + 1,
        slot_id=None,  # a failed visit holds no seat: the window is free for someone else
    )
    seats.release_seat(session, held)
    notices.failed(session, pickup, FailureReason(reason), now, pickup.language)
    return pickup

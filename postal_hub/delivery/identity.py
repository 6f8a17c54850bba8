"""Checking who receives a result: the last digits of a citizen ID, or the one-time code.

A wrong answer is recorded (event, audit, count) even though the handover is refused, and after
MAX_ID_FAILURES of them the delivery is blocked and the office's postal managers are told.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery import tokens
from postal_hub.delivery.events import record_event, set_status, write
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import (
    FAILURE_LABELS,
    DeliveryStatus,
    FailureReason,
    IdMethod,
    Outcome,
    Recipient,
)
from postal_hub.delivery.visits import OFF_THE_RUN, back_at_office, distance_from_address
from postal_hub.intake.custody import actor_label
from postal_hub.pickup.seats import release_seat

MAX_ID_FAILURES = 3
FOUR_DIGITS = re.compile(r"[0-9]{4}")
_SIX_DIGITS = re.compile(r"[0-9]{6}")


class IdentityMismatch(ValidationFailed):
    """The ID digits or the code did not match. The failure (and any block) is flushed, not rolled
    back: the caller must COMMIT before showing the error, or the record of the wrong try is lost."""

    def __init__(self, message: str, fields: dict[str, str], blocked: bool) -> None:
        super().__init__(message, fields)
        self.blocked = blocked


@dataclass(frozen=True)
class Claim:
    """Who says they may receive the result, and what they showed."""

    recipient: Recipient
    name: str
    relation: str
    method: IdMethod
    answer: str  # the digits or the code entered


def four_digits(errors: FieldErrors, entered: str | None) -> str:
    digits = "".join((entered or "").split())
    if not FOUR_DIGITS.fullmatch(digits):
        errors.add("id_digits", _l("Enter the last 4 digits of the recipient's citizen ID card."))
    return digits


def check_fields(
    errors: FieldErrors, delivery: Delivery, id_method: str, id_digits: str, code: str, now: datetime
) -> tuple[IdMethod | None, str]:
    """The identity fields as typed: a well-formed answer, for a method this delivery has."""
    if id_method == IdMethod.CITIZEN_ID.value:
        return IdMethod.CITIZEN_ID, four_digits(errors, id_digits)
    if id_method == IdMethod.ONE_TIME_CODE.value:
        entered = "".join((code or "").split())
        if delivery.code_round is None:
            errors.add(
                "id_method", _l("No code was sent for this result; check the citizen ID card instead.")
            )
        elif delivery.code_expires_at is not None and now > delivery.code_expires_at:
            errors.add("code", _l("This result's code has expired; check the citizen ID card instead."))
        elif not _SIX_DIGITS.fullmatch(entered):
            errors.add("code", _l("Enter the 6-digit code the applicant received."))
        return IdMethod.ONE_TIME_CODE, entered
    errors.add("id_method", _l("Choose how the recipient proves who they are."))
    return None, ""


def matches(delivery: Delivery, claim: Claim, secret: str) -> bool:
    if claim.method == IdMethod.ONE_TIME_CODE:
        assert delivery.code_round is not None
        return tokens.code_matches(
            secret, delivery.dossier.code, delivery.manage_salt, delivery.code_round, claim.answer
        )
    if claim.recipient == Recipient.AUTHORISED:
        expected = delivery.authorised_citizen_id[-4:]
    else:
        expected = delivery.dossier.applicant_citizen_id[-4:]
    return hmac.compare_digest(expected, claim.answer)


def managers_of(session: Session, delivery: Delivery) -> list[User]:
    """The postal managers of the delivery's office, or of its operator when the office has none."""
    managers = sa.select(User).where(
        User.role == Role.POSTAL_MANAGER.value,
        User.active.is_(True),
        User.organization_id == delivery.operator_id,
    )
    return list(session.scalars(managers.where(User.post_office_id == delivery.office_id))) or list(
        session.scalars(managers)
    )


def _block(
    session: Session,
    actor: User,
    delivery: Delivery,
    claim: Claim,
    point: tuple[float | None, float | None],
    now: datetime,
    notifier: Notifier,
) -> None:
    note = str(_l("%(n)d wrong identity checks", n=delivery.id_failures))
    if delivery.status == DeliveryStatus.OUT.value:
        # The visit is over: the postman takes the result back, and it counts as a failed attempt.
        number = delivery.attempts + 1
        distance, far = distance_from_address(delivery, *point)
        delivery.attempts_made.append(
            DeliveryAttempt(
                number=number,
                outcome=Outcome.FAILED.value,
                at=now,
                actor_id=actor.id,
                reason=FailureReason.ID_MISMATCH.value,
                note=note,
                lat=point[0],
                lon=point[1],
                distance_m=distance,
                far_from_address=far,
                recipient=claim.recipient.value,
                recipient_name=claim.name,
                relation=claim.relation,
                id_method=claim.method.value,
            )
        )
        held = delivery.slot_id
        set_status(
            session,
            delivery,
            DeliveryStatus.BLOCKED,
            now,
            actor,
            "blocked",
            note,
            attempts=number,
            **OFF_THE_RUN,
        )
        release_seat(session, held)
        label = FAILURE_LABELS[FailureReason.ID_MISMATCH]
        back_at_office(session, actor, delivery, FailureReason.ID_MISMATCH, f"{label}: {note}", now)
    else:
        set_status(session, delivery, DeliveryStatus.BLOCKED, now, actor, "blocked", note)
    code = delivery.dossier.code
    subject = str(_l("Result %(code)s blocked after wrong identity checks", code=code))
    body = str(
        _l(
            "%(who)s entered a wrong ID or code %(n)d times for the result of %(code)s. Check what "
            "happened, then release it or send it back to the unit.",
            who=actor_label(actor),
            n=delivery.id_failures,
            code=code,
        )
    )
    for manager in managers_of(session, delivery):
        notifier.notify(session, manager, subject, body, f"/deliveries/{code}/collect", now)


def refuse(
    session: Session,
    actor: User,
    delivery: Delivery,
    claim: Claim,
    point: tuple[float | None, float | None],
    at_counter: bool,
    now: datetime,
    notifier: Notifier,
) -> NoReturn:
    """Record the wrong try (blocking at the last one allowed), flush, and raise IdentityMismatch."""
    failures = delivery.id_failures + 1
    write(session, delivery, delivery.status, {"id_failures": failures, "updated_at": now})
    record_event(
        session, delivery, "id_mismatch", now, actor, f"{claim.method.value} {failures}/{MAX_ID_FAILURES}"
    )
    audit.record(
        session,
        actor.id,
        "delivery.id_mismatch",
        "delivery",
        delivery.dossier.code,
        {
            "failures": failures,
            "method": claim.method.value,
            "recipient": claim.recipient.value,
            "at_counter": at_counter,
        },
        at=now,
    )
    field = "code" if claim.method == IdMethod.ONE_TIME_CODE else "id_digits"
    blocked = failures >= MAX_ID_FAILURES
    if blocked:
        _block(session, actor, delivery, claim, point, now, notifier)
        message = str(
            _l(
                "Wrong %(n)d times: the result is blocked and the postal manager has been told. "
                "Do not hand it over.",
                n=failures,
            )
        )
    elif field == "code":
        message = str(
            _l("The code does not match (wrong try %(n)d of %(max)d).", n=failures, max=MAX_ID_FAILURES)
        )
    else:
        message = str(
            _l("The ID digits do not match (wrong try %(n)d of %(max)d).", n=failures, max=MAX_ID_FAILURES)
        )
    session.flush()
    raise IdentityMismatch(message, {field: message}, blocked)

"""Handing a result over, at the door or at the post office's counter: identity, proof, fees.

A licence handed to the wrong person is the worst failure the post can make here. So the identity
check comes before anything is saved; a wrong answer is recorded even though the handover is refused
(the caller commits it, see IdentityMismatch); files reach the store only once everything passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskType
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.files import FileStore
from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery import identity, notices
from postal_hub.delivery.events import set_status
from postal_hub.delivery.failures import expire_uncollected, fail_attempt, release_block
from postal_hub.delivery.identity import MAX_ID_FAILURES, Claim, IdentityMismatch
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.proof import Proof, check_proof
from postal_hub.delivery.status import DeliveryStatus, IdMethod, Outcome, Recipient
from postal_hub.delivery.unit_counter import hand_over_at_unit
from postal_hub.delivery.visits import check_on_run, distance_from_address, door_place, lock
from postal_hub.handoff.legs import finish_tasks
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.lifecycle import set_status as set_dossier_status
from postal_hub.intake.status import DossierStatus, PaymentMethod
from postal_hub.pickup.seats import release_seat

__all__ = [
    "MAX_ID_FAILURES",
    "HandoverInput",
    "IdentityMismatch",
    "check_handover",
    "expire_uncollected",
    "fail_attempt",
    "hand_over",
    "hand_over_at_unit",
    "may_hand_over_at_counter",
    "release_block",
]

PAID_WITH = frozenset({PaymentMethod.CASH.value, PaymentMethod.CARD.value, PaymentMethod.TRANSFER.value})


@dataclass(frozen=True)
class HandoverInput:
    recipient: str = Recipient.APPLICANT.value
    recipient_name: str = ""  # blank: the applicant's (or the authorised person's) recorded name
    relation: str = ""  # to the applicant, e.g. "vợ"; required for an authorised person
    id_method: str = IdMethod.CITIZEN_ID.value
    id_digits: str = ""  # the last 4 digits of the recipient's citizen ID card
    code: str = ""  # the one-time code sent to the applicant's phone
    lat: float | None = None  # the phone's position at the door
    lon: float | None = None
    signature: bytes | None = None  # PNG drawn on the screen
    photo: bytes | None = None  # JPEG or PNG
    authorisation: bytes | None = None  # photo or PDF of the written authorisation
    amount_collected: int | None = None  # VND, when a fee is due on delivery
    payment_method: str = ""


def may_hand_over_at_counter(actor: User, delivery: Delivery) -> bool:
    return (actor.has_role(Role.POSTAL_CLERK) and actor.post_office_id == delivery.office_id) or (
        actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == delivery.operator_id
    )


def check_handover(actor: User, delivery: Delivery) -> bool:
    """Who may hand this result over now; True when it is at a post office counter."""
    if DeliveryStatus(delivery.status) == DeliveryStatus.BLOCKED:
        raise Conflict(
            str(
                _l(
                    "This result is blocked after wrong identity checks; a postal manager must "
                    "release it first."
                )
            )
        )
    if actor.has_role(Role.POSTMAN):
        check_on_run(actor, delivery)
        return False
    if not may_hand_over_at_counter(actor, delivery):
        raise PermissionDenied(
            str(
                _l(
                    "Only the postman on the run, or the clerks of %(office)s, hand this result over.",
                    office=delivery.office.name,
                )
            )
        )
    if delivery.status != DeliveryStatus.AT_OFFICE.value:
        raise Conflict(
            str(_l("The result of %(code)s is not waiting at the post office.", code=delivery.dossier.code))
        )
    return True


def _payment(errors: FieldErrors, delivery: Delivery, data: HandoverInput) -> tuple[int, str | None]:
    amount = data.amount_collected
    if delivery.amount_due > 0:
        if isinstance(amount, bool) or amount != delivery.amount_due:
            errors.add(
                "amount_collected",
                _l(
                    "Collect exactly %(amount)s, the fee due on delivery.",
                    amount=notices.money(delivery.amount_due),
                ),
            )
        if data.payment_method not in PAID_WITH:
            errors.add("payment_method", _l("Choose how the fee was paid."))
        return delivery.amount_due, data.payment_method
    if amount not in (None, 0):
        errors.add("amount_collected", _l("No fee is due on this result; collect nothing."))
    return 0, None


def _validate(
    delivery: Delivery, data: HandoverInput, at_counter: bool, now: datetime
) -> tuple[Claim, Proof, int, str | None]:
    errors = FieldErrors()
    recipient = Recipient.APPLICANT
    if data.recipient == Recipient.AUTHORISED.value:
        recipient = Recipient.AUTHORISED
        if not (delivery.authorised_name and delivery.authorised_citizen_id):
            errors.add(
                "recipient",
                _l("No authorised person is recorded for this result; only the applicant may receive it."),
            )
    elif data.recipient != Recipient.APPLICANT.value:
        errors.add("recipient", _l("Choose who receives the result."))
    authorised = recipient == Recipient.AUTHORISED
    recorded_name = delivery.authorised_name if authorised else delivery.dossier.applicant_name
    name = errors.optional_text("recipient_name", data.recipient_name, 255) or recorded_name
    # What belongs to an authorised person only is dropped for the applicant (a field left filled in
    # after switching back on the phone).
    relation = errors.optional_text("relation", data.relation, 80) if authorised else ""
    if authorised and not relation:
        errors.add("relation", _l("Say how the recipient is related to the applicant."))
    method, answer = identity.check_fields(errors, delivery, data.id_method, data.id_digits, data.code, now)
    if not at_counter:
        errors.coordinates(data.lat, data.lon)
    amount, paid_with = _payment(errors, delivery, data)
    document = data.authorisation if authorised else None
    proof = check_proof(errors, data.signature, data.photo, document, authorised)
    errors.raise_if_any()
    assert method is not None
    return Claim(recipient, name, relation, method, answer), proof, amount, paid_with


def hand_over(
    session: Session,
    actor: User,
    delivery: Delivery,
    data: HandoverInput,
    now: datetime,
    secret: str,
    store: FileStore,
    notifier: Notifier,
) -> DeliveryAttempt:
    """The postman at the door (his own run, while out) or a clerk at the office's counter (the result
    waiting there, whether it was meant for collection or the citizen came instead) hands the result
    over: to the applicant, or to the person they authorised in writing, after the ID digits or the
    one-time code matched, with a signature or a photo, and the fee due collected in full.
    A wrong ID or code raises IdentityMismatch after recording the try: commit, then show it."""
    lock(session, delivery)
    at_counter = check_handover(actor, delivery)
    claim, proof, amount, paid_with = _validate(delivery, data, at_counter, now)
    point = (None, None) if at_counter else (data.lat, data.lon)
    if not identity.matches(delivery, claim, secret):
        identity.refuse(session, actor, delivery, claim, point, at_counter, now, notifier)
    distance, far = distance_from_address(delivery, *point)
    number = delivery.attempts + 1
    attempt = DeliveryAttempt(
        number=number,
        outcome=Outcome.DELIVERED.value,
        at=now,
        actor_id=actor.id,
        at_counter=at_counter,
        lat=point[0],
        lon=point[1],
        distance_m=distance,
        far_from_address=far,
        recipient=claim.recipient.value,
        recipient_name=claim.name,
        relation=claim.relation,
        id_method=claim.method.value,
        signature_sha256=store.put(proof.signature) if proof.signature else None,
        photo_sha256=store.put(proof.photo) if proof.photo else None,
        authorisation_sha256=store.put(proof.authorisation) if proof.authorisation else None,
        amount_collected=amount,
        payment_method=paid_with,
    )
    delivery.attempts_made.append(attempt)
    session.flush()
    held = delivery.slot_id if at_counter else None  # a door visit still ahead will not happen
    values: dict[str, Any] = {"closed_at": now, "attempts": number}
    if held is not None:
        values["slot_id"] = None
    who = f"{claim.name} ({claim.relation})" if claim.relation else claim.name
    set_status(session, delivery, DeliveryStatus.DELIVERED, now, actor, "delivered", who, **values)
    release_seat(session, held)
    _record_delivered(session, actor, delivery, claim, attempt, now)
    notices.delivered(session, delivery, claim.name, now)
    return attempt


def _record_delivered(
    session: Session, actor: User, delivery: Delivery, claim: Claim, attempt: DeliveryAttempt, now: datetime
) -> None:
    dossier = delivery.dossier
    at_counter = attempt.at_counter
    place = delivery.office.name if at_counter else door_place(delivery)
    who = f"{claim.name} ({claim.relation})" if claim.relation else claim.name
    set_dossier_status(
        session, dossier, DossierStatus.DELIVERED, now, place, actor, event_code="delivered", note=who
    )
    record_custody(
        session,
        dossier,
        CustodyKind.DELIVERED,
        now,
        actor_label(actor),
        place,
        "",
        {
            "recipient": claim.recipient.value,
            "name": claim.name,
            "relation": claim.relation,
            "id_method": claim.method.value,
            "attempt": attempt.number,
            "at_counter": at_counter,
            "far_from_address": attempt.far_from_address,
        },
    )
    # The delivery task is the door's work: a citizen who came to the counter instead is not billed
    # for it (the collection from the unit was, when the result reached the office).
    outcome = str(_l("Collected at the post office") if at_counter else _l("Delivered"))
    finish_tasks(session, dossier, TaskType.RESULT_DELIVERY, now, actor, outcome, not at_counter)

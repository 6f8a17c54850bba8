"""The unit says a dossier's result is ready: the citizen is told, and the post's work on it begins.

For a result that comes back through the post (to the door, or to a post office) the contract must
cover collecting it (and, for the door, delivering it): otherwise the unit is told so and keeps the
result, to hand it over at its own counter.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.coverage import require_coverage
from postal_hub.contracts.status import TaskType
from postal_hub.contracts.tasks import create_task
from postal_hub.core.errors import Conflict
from postal_hub.core.geo.geocoder import Geocoder, locate_address
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery import notices
from postal_hub.delivery.events import record_event
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus, ResultDelivery
from postal_hub.pickup.models import Pickup

MAX_AMOUNT_DUE = 100_000_000


@dataclass(frozen=True)
class ResultReady:
    summary: str
    result_delivery: str | None = None  # None keeps the citizen's choice
    amount_due: int = 0  # fees the post collects on handover for the unit (VND)


def _validate(data: ResultReady) -> tuple[str, str | None, int]:
    errors = FieldErrors()
    summary = errors.require("summary", data.summary, 500)
    choice = data.result_delivery or None
    if choice is not None and choice not in {r.value for r in ResultDelivery}:
        errors.add("result_delivery", _l("Choose home, post_office or counter."))
    amount = data.amount_due
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT_DUE:
        errors.add("amount_due", _l("Enter the fee due on delivery in VND, from 0 to 100,000,000."))
    errors.raise_if_any()
    return summary, choice, amount


def mark_result_ready(
    session: Session,
    actor: User | None,
    who: str,
    dossier: Dossier,
    data: ResultReady,
    now: datetime,
    geocoder: Geocoder,
) -> Delivery | None:
    """Only a dossier the unit has received can have its result ready. The citizen's choice of how
    the result comes back may be changed now (they asked the unit by phone). Returns the delivery the
    post will carry out, or None when the unit hands the result over at its own counter."""
    summary, choice, amount = _validate(data)
    session.refresh(dossier, ["status"], with_for_update=True)
    if dossier.status != DossierStatus.RECEIVED.value:
        raise Conflict(
            str(
                _l("The result of %(code)s cannot be ready: the unit has not received it.", code=dossier.code)
            )
        )
    method = choice or dossier.result_delivery
    delivery = None
    if method != ResultDelivery.COUNTER.value:
        delivery = _start_delivery(session, actor, dossier, method, summary, amount, now, geocoder)
    elif amount:
        errors = FieldErrors()
        errors.add(
            "amount_due", _l("Only the post collects a fee on delivery; the unit's counter takes it itself.")
        )
        errors.raise_if_any()
    dossier.result_delivery = method
    set_status(
        session, dossier, DossierStatus.RESULT_READY, now, dossier.unit.name, actor, note=summary, via=who
    )
    notices.result_ready(session, dossier, delivery, now)
    return delivery


def _start_delivery(
    session: Session,
    actor: User | None,
    dossier: Dossier,
    method: str,
    summary: str,
    amount: int,
    now: datetime,
    geocoder: Geocoder,
) -> Delivery:
    office = dossier.office
    collection = require_coverage(
        session, TaskType.RESULT_COLLECTION, dossier.procedure, dossier.unit, office, now
    )
    if method == DeliveryMethod.HOME.value:
        require_coverage(session, TaskType.RESULT_DELIVERY, dossier.procedure, dossier.unit, office, now)
    create_task(
        session,
        TaskType.RESULT_COLLECTION,
        dossier.unit,
        office,
        now,
        dossier.procedure,
        dossier.code,
        actor=actor,
    )
    if method == DeliveryMethod.HOME.value:
        create_task(
            session,
            TaskType.RESULT_DELIVERY,
            dossier.unit,
            office,
            now,
            dossier.procedure,
            dossier.code,
            actor=actor,
        )
    pickup = session.scalar(sa.select(Pickup).where(Pickup.dossier_id == dossier.id))
    lat = lon = None
    source = ""
    language = "vi"
    if pickup is not None:
        # The door the postman already found at pickup time is the best point there is.
        lat, lon, source, language = pickup.lat, pickup.lon, pickup.point_source, pickup.language
    elif method == DeliveryMethod.HOME.value:
        point = locate_address(
            geocoder,
            dossier.applicant_province_code,
            dossier.applicant_commune_code,
            dossier.applicant_street,
        )
        if point is not None:
            lat, lon, source = point.lat, point.lon, point.source
    version = collection.version
    delivery = Delivery(
        dossier_id=dossier.id,
        status=DeliveryStatus.AT_UNIT.value,
        method=method,
        unit_id=dossier.unit_id,
        operator_id=office.operator_id,
        office_id=office.id,
        contract_id=collection.contract.id,
        summary=summary,
        province_code=dossier.applicant_province_code,
        commune_code=dossier.applicant_commune_code,
        street=dossier.applicant_street,
        lat=lat,
        lon=lon,
        point_source=source[:80],
        amount_due=amount,
        attempts=0,
        max_attempts=version.delivery_attempts,
        hold_days=version.collection_hold_days,
        id_failures=0,
        manage_salt=secrets.token_hex(16),
        language=language,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            str(_l("The result of %(code)s is already on its way back.", code=dossier.code))
        ) from None
    record_event(session, delivery, "created", now, actor, summary)
    return delivery

"""What the citizen is told at each step of the result's way back, through the message outbox.

Links and one-time codes travel as symbolic references (`delivery:<code>`, `delivery-code:<code>:<n>`)
that the worker renders only when it sends the message: neither is ever stored in the outbox.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from postal_hub.core.clock import to_local
from postal_hub.core.messaging import services as messages
from postal_hub.core.messaging.services import LINK
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import FAILURE_LABELS, DeliveryMethod, FailureReason
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import ResultDelivery

MANAGE = "delivery:"
CODE = "delivery-code:"


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def window_text(delivery: Delivery) -> str:
    if delivery.window_start is None or delivery.window_end is None:
        return f"{delivery.day:%d/%m/%Y}" if delivery.day else ""
    start, end = to_local(delivery.window_start), to_local(delivery.window_end)
    return f"{start:%H:%M}–{end:%H:%M}, {start:%d/%m/%Y}"


def manage_ref(delivery: Delivery) -> str:
    return MANAGE + delivery.dossier.code


def code_ref(delivery: Delivery) -> str:
    return f"{CODE}{delivery.dossier.code}:{delivery.code_round}"


def _send(session: Session, delivery: Delivery, kind: str, body: str, at: datetime, link: str) -> None:
    dossier = delivery.dossier
    messages.queue(
        session, dossier.applicant_phone, kind, dossier.code, body, at, link=link, language=delivery.language
    )


def result_ready(session: Session, dossier: Dossier, delivery: Delivery | None, at: datetime) -> None:
    """Told the moment the unit decides, with where and from when the result can be had."""
    language = delivery.language if delivery else "vi"
    appointment = f"{to_local(dossier.appointment_at):%d/%m/%Y}"
    with force_locale(language):
        if dossier.result_delivery == ResultDelivery.HOME.value:
            body = gettext(
                "The result of dossier %(code)s is ready. The post brings it to your address and will "
                "text you the day. Follow it: %(url)s",
                code=dossier.code,
                url=LINK,
            )
        elif dossier.result_delivery == ResultDelivery.POST_OFFICE.value:
            body = gettext(
                "The result of dossier %(code)s is ready. It goes to %(office)s; we will text you when "
                "you can collect it. Follow it: %(url)s",
                code=dossier.code,
                office=dossier.office.name,
                url=LINK,
            )
        else:
            body = gettext(
                "The result of dossier %(code)s is ready at the counter of %(unit)s (appointment "
                "%(date)s). Bring your citizen ID card.",
                code=dossier.code,
                unit=dossier.unit.name,
                date=appointment,
            )
    link = manage_ref(delivery) if delivery else ""
    if delivery is None:
        messages.queue(session, dossier.applicant_phone, "delivery.result_ready", dossier.code, body, at)
        return
    _send(session, delivery, "delivery.result_ready", body, at, link)


def waiting_at_office(session: Session, delivery: Delivery, at: datetime) -> None:
    """Collection at the office: where, until when, and the one-time code to show with the ID card."""
    assert delivery.hold_until is not None
    with force_locale(delivery.language):
        body = gettext(
            "The result of dossier %(code)s is waiting at %(office)s until %(date)s. Bring your "
            "citizen ID card; your collection code is %(url)s.",
            code=delivery.dossier.code,
            office=delivery.office.name,
            date=f"{to_local(delivery.hold_until):%d/%m/%Y}",
            url=LINK,
        )
    _send(session, delivery, "delivery.at_office", body, at, code_ref(delivery))


def window_set(session: Session, delivery: Delivery, at: datetime) -> None:
    with force_locale(delivery.language):
        body = gettext(
            "The result of dossier %(code)s will be brought to you on %(window)s%(due)s. "
            "Change the time or collect it at the office: %(url)s",
            code=delivery.dossier.code,
            window=window_text(delivery),
            due=due_text(delivery),
            url=LINK,
        )
    _send(session, delivery, "delivery.window", body, at, manage_ref(delivery))


def due_text(delivery: Delivery) -> str:
    if not delivery.amount_due:
        return ""
    return gettext("; fee due on delivery %(amount)s", amount=money(delivery.amount_due))


def out_for_delivery(session: Session, delivery: Delivery, at: datetime) -> None:
    """The code is sent when the item leaves the office, for the handover at the door only."""
    postman = delivery.postman.full_name if delivery.postman else ""
    with force_locale(delivery.language):
        body = gettext(
            "Postman %(postman)s brings the result of dossier %(code)s today (%(window)s). Give them "
            "this one-time code or show your citizen ID card: %(url)s",
            postman=postman,
            code=delivery.dossier.code,
            window=window_text(delivery),
            url=LINK,
        )
    _send(session, delivery, "delivery.out", body, at, code_ref(delivery))


def failed(session: Session, delivery: Delivery, reason: FailureReason, at: datetime) -> None:
    with force_locale(delivery.language):
        body = gettext(
            "We could not deliver the result of dossier %(code)s: %(reason)s (attempt %(n)d of %(max)d). "
            "Choose a new time or collect it at %(office)s: %(url)s",
            code=delivery.dossier.code,
            reason=str(FAILURE_LABELS[reason]),
            n=delivery.attempts,
            max=delivery.max_attempts,
            office=delivery.office.name,
            url=LINK,
        )
    _send(session, delivery, "delivery.failed", body, at, manage_ref(delivery))


def to_return(session: Session, delivery: Delivery, at: datetime) -> None:
    with force_locale(delivery.language):
        if delivery.method == DeliveryMethod.POST_OFFICE.value:
            body = gettext(
                "The result of dossier %(code)s was not collected in time and goes back to %(unit)s; "
                "ask the unit for it.",
                code=delivery.dossier.code,
                unit=delivery.unit.name,
            )
        else:
            body = gettext(
                "The result of dossier %(code)s could not be delivered and goes back to %(unit)s; "
                "ask the unit for it.",
                code=delivery.dossier.code,
                unit=delivery.unit.name,
            )
    _send(session, delivery, "delivery.to_return", body, at, "")


def delivered(session: Session, delivery: Delivery, recipient_name: str, at: datetime) -> None:
    with force_locale(delivery.language):
        body = gettext(
            "The result of dossier %(code)s was handed to %(name)s at %(time)s. How did we do? Rate the "
            "post and the unit: %(url)s",
            code=delivery.dossier.code,
            name=recipient_name,
            time=f"{to_local(at):%H:%M %d/%m/%Y}",
            url=LINK,
        )
    _send(session, delivery, "delivery.delivered", body, at, manage_ref(delivery))

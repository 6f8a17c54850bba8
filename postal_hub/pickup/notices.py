"""What the citizen is told at each step, in the language they booked in, through the message outbox."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from postal_hub.core.clock import to_local
from postal_hub.core.messaging import services as messages
from postal_hub.core.messaging.services import LINK
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import FAILURE_LABELS, FailureReason


def window_text(pickup: Pickup) -> str:
    start, end = to_local(pickup.slot_start), to_local(pickup.slot_end)
    return f"{start:%H:%M}–{end:%H:%M}, {start:%d/%m/%Y}"


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


MANAGE = "pickup-manage:"


def manage_link_ref(pickup: Pickup) -> str:
    """What is stored instead of the manage URL: the worker renders the token only when sending."""
    return MANAGE + pickup.reference


def _send(
    session: Session, pickup: Pickup, kind: str, body: str, at: datetime, lang: str, with_link: bool = True
) -> None:
    """The manage link travels as a placeholder; the worker renders it, with its token, when sending."""
    symbolic = manage_link_ref(pickup) if with_link else ""
    messages.queue(
        session, pickup.applicant_phone, kind, pickup.reference, body, at, link=symbolic, language=lang
    )


def booked(session: Session, pickup: Pickup, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext(
            "Home pickup %(ref)s booked: %(window)s by %(office)s. Fee %(fee)s. "
            "Have your documents ready. Change or cancel: %(url)s",
            ref=pickup.reference,
            window=window_text(pickup),
            office=pickup.office.name,
            fee=_money(pickup.fee),
            url=LINK,
        )
    _send(session, pickup, "pickup.booked", body, at, language)


def rescheduled(session: Session, pickup: Pickup, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext(
            "Home pickup %(ref)s moved to %(window)s (%(office)s), fee %(fee)s. Manage: %(url)s",
            ref=pickup.reference,
            window=window_text(pickup),
            office=pickup.office.name,
            fee=_money(pickup.fee),
            url=LINK,
        )
    _send(session, pickup, "pickup.rescheduled", body, at, language)


def cancelled(session: Session, pickup: Pickup, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext("Home pickup %(ref)s is cancelled.", ref=pickup.reference)
    _send(session, pickup, "pickup.cancelled", body, at, language, with_link=False)


def failed(session: Session, pickup: Pickup, reason: FailureReason, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext(
            "We could not pick up dossier %(ref)s: %(reason)s. Choose a new window: %(url)s",
            ref=pickup.reference,
            reason=str(FAILURE_LABELS[reason]),
            url=LINK,
        )
    _send(session, pickup, "pickup.failed", body, at, language)


def completed(session: Session, pickup: Pickup, dossier_code: str, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext(
            "Dossier %(code)s was picked up and accepted (booking %(ref)s). Receipt and tracking: %(url)s",
            code=dossier_code,
            ref=pickup.reference,
            url=LINK,
        )
    _send(session, pickup, "pickup.completed", body, at, language)


def reminder(session: Session, pickup: Pickup, at: datetime) -> None:
    with force_locale(pickup.language):
        body = gettext(
            "Reminder: a postman of %(office)s comes for dossier %(ref)s at %(window)s. "
            "Have your documents and ID card ready. Change or cancel: %(url)s",
            office=pickup.office.name,
            ref=pickup.reference,
            window=window_text(pickup),
            url=LINK,
        )
    _send(session, pickup, "pickup.reminder", body, at, pickup.language)


def link_again(session: Session, pickup: Pickup, at: datetime, language: str) -> None:
    with force_locale(language):
        body = gettext(
            "The link to your home pickup %(ref)s (%(window)s): %(url)s",
            ref=pickup.reference,
            window=window_text(pickup),
            url=LINK,
        )
    _send(session, pickup, "pickup.link", body, at, language)

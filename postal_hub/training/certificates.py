"""Certificates: issued once on a pass, valid until expiry unless revoked, verifiable by number."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.counters import next_value
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.text import mask_name
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.access import may_revoke, require_runs_session
from postal_hub.training.enrolment import lock
from postal_hub.training.models import Certificate, Enrolment, TrainingSession
from postal_hub.training.status import EnrolmentStatus, SessionStatus


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31/01 + 1 → 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def issue(session: Session, actor: User, enrolment: Enrolment, now: datetime) -> Certificate:
    """Only a pass earns a certificate, and one enrolment earns one: a second request is refused."""
    require_runs_session(actor, enrolment.session)
    lock(session, enrolment.session)  # a cancel at the same moment is seen, not raced
    if SessionStatus(enrolment.session.status) == SessionStatus.CANCELLED:
        raise Conflict(str(_l("This session was cancelled: it leads to no certificate.")))
    if enrolment.certificate is not None:
        raise Conflict(
            str(
                _l(
                    "Certificate %(number)s was already issued on this result.",
                    number=enrolment.certificate.number,
                )
            )
        )
    if enrolment.status != EnrolmentStatus.PASSED:
        raise Conflict(
            str(
                _l(
                    "%(name)s did not pass: a certificate is issued only on a pass.",
                    name=enrolment.user.full_name,
                )
            )
        )
    course = enrolment.session.course
    today = to_local(now).date()
    try:
        with session.begin_nested():
            number = f"CC-{today.year}-{next_value(session, f'certificate:{today.year}'):06d}"
            certificate = Certificate(
                number=number,
                holder_id=enrolment.user_id,
                enrolment_id=enrolment.id,
                course_id=course.id,
                issuer_id=course.organization_id,
                issued_on=today,
                expires_on=add_months(today, course.validity_months),
                issued_at=now,
                issued_by_id=actor.id,
                groups=list(course.groups),
            )
            session.add(certificate)
            session.flush()
    except IntegrityError:
        raise Conflict(str(_l("A certificate was already issued on this result."))) from None
    session.refresh(enrolment, attribute_names=["certificate"])
    audit.record(
        session,
        actor.id,
        "certificate.issued",
        "certificate",
        certificate.number,
        {"holder": enrolment.user_id, "groups": [g.code for g in certificate.groups]},
        at=now,
    )
    return certificate


def issue_all_passed(
    session: Session, actor: User, record: TrainingSession, now: datetime
) -> list[Certificate]:
    require_runs_session(actor, record)
    return [
        issue(session, actor, e, now)
        for e in record.enrolments
        if e.status == EnrolmentStatus.PASSED and e.certificate is None
    ]


def revoke(session: Session, actor: User, certificate: Certificate, reason: str, now: datetime) -> None:
    """A revoked certificate stops counting at once, at the gate and on the verification page."""
    if not may_revoke(actor, certificate):
        raise PermissionDenied(str(_l("Only the issuing organization's trainers revoke its certificates.")))
    if certificate.revoked_at is not None:
        raise Conflict(str(_l("This certificate is already revoked.")))
    errors = FieldErrors()
    text = errors.require("reason", reason, 2000)
    errors.raise_if_any()
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoke_reason = now, actor.id, text
    session.flush()
    audit.record(
        session, actor.id, "certificate.revoked", "certificate", certificate.number, {"reason": text}, at=now
    )


def valid_certificates(session: Session, user_id: int, day: date) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.holder_id == user_id,
                Certificate.revoked_at.is_(None),
                Certificate.issued_on <= day,
                Certificate.expires_on >= day,
            )
            .options(selectinload(Certificate.groups))
            .order_by(Certificate.expires_on.desc())
        )
    )


@dataclass(frozen=True)
class Verification:
    """What the public page may say about a certificate number, and nothing more: whether it is valid,
    for whom (masked) and until when."""

    number: str
    found: bool
    state: str = "unknown"  # valid, expired, revoked, not_yet_valid, unknown
    holder: str = ""
    expires_on: date | None = None


def verify(session: Session, number: str, today: date) -> Verification:
    text = " ".join((number or "").split()).upper()[:32]
    certificate = session.scalar(sa.select(Certificate).where(Certificate.number == text))
    if certificate is None:
        return Verification(text, False)
    if certificate.revoked_at is not None:
        state = "revoked"
    elif today > certificate.expires_on:
        state = "expired"
    elif today < certificate.issued_on:
        state = "not_yet_valid"
    else:
        state = "valid"
    return Verification(
        number=certificate.number,
        found=True,
        state=state,
        holder=mask_name(certificate.holder.full_name),
        expires_on=certificate.expires_on,
    )

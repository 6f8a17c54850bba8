"""Certificate reads for the training screens, eager-loading what each page shows (templates never query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from postal_hub.core.errors import NotFound
from postal_hub.core.pagination import Page, paginate, search_filter
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import User
from postal_hub.training.access import scope_certificates
from postal_hub.training.models import Certificate, Enrolment
from postal_hub.training.status import EXPIRY_HORIZONS

CERTIFICATE_STATE_LABELS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
    "not_yet_valid": _l("Not yet valid"),
}


def certificate_state(certificate: Certificate, today: date) -> str:
    if certificate.revoked_at is not None:
        return "revoked"
    if today > certificate.expires_on:
        return "expired"
    if today < certificate.issued_on:
        return "not_yet_valid"
    return "valid"


def _certificate_options() -> list[Any]:
    return [
        selectinload(Certificate.groups),
        joinedload(Certificate.course),
        joinedload(Certificate.issuer),
        joinedload(Certificate.holder).joinedload(User.organization),
        joinedload(Certificate.holder).joinedload(User.post_office),
    ]


# ---- the hub ------------------------------------------------------------------------------------------


def my_certificates(session: Session, user: User) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(Certificate.holder_id == user.id)
            .options(*_certificate_options())
            .order_by(Certificate.expires_on.desc(), Certificate.id.desc())
        ).unique()
    )


# ---- certificates -------------------------------------------------------------------------------------

CERTIFICATE_STATES = ("valid", "expired", "revoked")


@dataclass(frozen=True)
class CertificateFilters:
    state: str = ""
    within: int | None = None
    group_id: int | None = None
    q: str = ""


def certificates_page(
    session: Session, actor: User, filters: CertificateFilters, today: date, page: int, per_page: int
) -> Page[Certificate]:
    stmt = scope_certificates(actor, sa.select(Certificate).join(Certificate.holder))
    not_revoked = Certificate.revoked_at.is_(None)
    if filters.state == "valid":
        stmt = stmt.where(not_revoked, Certificate.issued_on <= today, Certificate.expires_on >= today)
    elif filters.state == "expired":
        stmt = stmt.where(not_revoked, Certificate.expires_on < today)
    elif filters.state == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    if filters.within in EXPIRY_HORIZONS:
        stmt = stmt.where(
            not_revoked,
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=filters.within),
        )
    if filters.group_id is not None:
        stmt = stmt.where(Certificate.groups.any(ProcedureGroup.id == filters.group_id))
    text = " ".join(filters.q.split())[:80]
    if text:
        by_number = Certificate.number.contains(text.upper(), autoescape=True)
        by_name = search_filter(User.search_key, text)
        stmt = stmt.where(sa.or_(by_number, by_name) if by_name is not None else by_number)
    if filters.within is not None:
        stmt = stmt.order_by(Certificate.expires_on, Certificate.id)
    else:
        stmt = stmt.order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    return paginate(session, stmt.options(*_certificate_options()), page, per_page)


def certificate_for_page(session: Session, actor: User, certificate_id: int) -> Certificate:
    found = session.scalar(
        scope_certificates(
            actor,
            sa.select(Certificate)
            .where(Certificate.id == certificate_id)
            .options(
                *_certificate_options(),
                joinedload(Certificate.enrolment).joinedload(Enrolment.session),
            )
            .execution_options(populate_existing=True),
        )
    )
    if found is None:
        raise NotFound(str(_l("There is no such certificate, or it is not yours to see.")))
    return found

"""The daily reminder: holders and their managers hear of a certificate's expiry once per threshold."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from postal_hub.core.clock import to_local
from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import Role, User
from postal_hub.training.models import Certificate, CertificateReminder
from postal_hub.training.status import REMINDER_THRESHOLDS


def _managers(session: Session, holder: User) -> list[User]:
    """The managers of the holder's office; failing those, the operator's managers without an office."""
    base = sa.select(User).where(
        User.active.is_(True), User.role == Role.POSTAL_MANAGER.value, User.id != holder.id
    )
    if holder.post_office_id is not None:
        found = list(session.scalars(base.where(User.post_office_id == holder.post_office_id)))
        if found:
            return found
    if holder.organization_id is None:
        return []
    return list(
        session.scalars(
            base.where(User.organization_id == holder.organization_id, User.post_office_id.is_(None))
        )
    )


def _renewed(session: Session, certificate: Certificate, today: date) -> bool:
    later = session.scalars(
        sa.select(Certificate)
        .where(
            Certificate.holder_id == certificate.holder_id,
            Certificate.id != certificate.id,
            Certificate.revoked_at.is_(None),
            Certificate.issued_on <= today,
            Certificate.expires_on > certificate.expires_on,
        )
        .options(selectinload(Certificate.groups))
    ).all()
    wanted = {g.id for g in certificate.groups}
    return any(wanted <= {g.id for g in c.groups} for c in later)


def remind_expiring(session: Session, notifier: Notifier, now: datetime) -> int:
    """Certificates expiring within the largest threshold that have not had that threshold's reminder.

    A certificate first seen with 5 days left gets one reminder (the 7-day one), and the 30-day one is
    marked as covered: two messages at once would say the same thing twice. The unique key on
    (certificate, threshold) makes a second run, or a second worker, send nothing."""
    today = to_local(now).date()
    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS))
    candidates = session.scalars(
        sa.select(Certificate)
        .where(
            Certificate.revoked_at.is_(None),
            Certificate.expires_on >= today,
            Certificate.expires_on <= horizon,
        )
        .options(joinedload(Certificate.holder), joinedload(Certificate.course))
        .order_by(Certificate.expires_on, Certificate.id)
    ).all()
    done = {
        (c, t)
        for c, t in session.execute(
            sa.select(CertificateReminder.certificate_id, CertificateReminder.threshold_days).where(
                CertificateReminder.certificate_id.in_([c.id for c in candidates])
            )
        )
    }
    sent = 0
    for certificate in candidates:
        if _renewed(session, certificate, today):
            continue  # a newer certificate already covers its groups: nothing to do, nobody to tell
        left = (certificate.expires_on - today).days
        due = [t for t in REMINDER_THRESHOLDS if left <= t and (certificate.id, t) not in done]
        if not due:
            continue
        try:
            with session.begin_nested():
                for threshold in due:
                    session.add(
                        CertificateReminder(
                            certificate_id=certificate.id, threshold_days=threshold, sent_at=now
                        )
                    )
                session.flush()
        except IntegrityError:
            continue  # another worker sent it first
        holder = certificate.holder
        recipients = [holder, *_managers(session, holder)] if holder.active else _managers(session, holder)
        for user in recipients:
            with force_locale(user.locale or "vi"):
                subject = str(
                    _l(
                        "Certificate %(number)s of %(name)s expires on %(day)s",
                        number=certificate.number,
                        name=holder.full_name,
                        day=certificate.expires_on.strftime("%d/%m/%Y"),
                    )
                )
                left_text = (
                    ngettext("%(num)d day left.", "%(num)d days left.", left)
                    if left
                    else gettext("It expires today.")
                )
                body = " ".join(
                    (
                        left_text,
                        gettext(
                            "Without a valid certificate for %(groups)s, the counter, pickup and "
                            "digitization screens will refuse these dossiers. "
                            "Enrol in a refresher session in time.",
                            groups=", ".join(g.name for g in certificate.groups),
                        ),
                    )
                )
            notifier.notify(session, user, subject, body, f"/training/certificates/{certificate.id}", now)
        session.execute(
            sa.update(CertificateReminder)
            .where(
                CertificateReminder.certificate_id == certificate.id,
                CertificateReminder.threshold_days.in_(due),
            )
            .values(recipients=len(recipients))
        )
        sent += 1
    session.flush()
    return sent

"""Telling people about hand-offs in their inbox: the receiving side when envelopes are on their way,
the sending side when one is refused or the manifest is closed with discrepancies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.notifications import Notifier
from postal_hub.core.users.models import Role, User
from postal_hub.handoff.models import Manifest
from postal_hub.handoff.status import Direction, LineStatus


def _link(manifest: Manifest) -> str:
    return f"/manifests/{manifest.number}"


def unit_officers(session: Session, manifest: Manifest) -> list[User]:
    return list(
        session.scalars(
            sa.select(User).where(
                User.role == Role.UNIT_OFFICER.value,
                User.active.is_(True),
                User.organization_id == manifest.unit_id,
            )
        )
    )


def office_people(session: Session, manifest: Manifest) -> list[User]:
    """Who prepared it, and the postal managers of its office (or of the operator when it has none)."""
    managers = sa.select(User).where(
        User.role == Role.POSTAL_MANAGER.value,
        User.active.is_(True),
        User.organization_id == manifest.operator_id,
    )
    people = list(session.scalars(managers.where(User.post_office_id == manifest.office_id))) or list(
        session.scalars(managers)
    )
    if manifest.created_by is not None and manifest.created_by.active and manifest.created_by not in people:
        people.append(manifest.created_by)
    return people


def office_staff(session: Session, manifest: Manifest) -> list[User]:
    """Who receives results at the office: its clerks and postal managers."""
    return list(
        session.scalars(
            sa.select(User).where(
                User.role.in_([Role.POSTAL_CLERK.value, Role.POSTAL_MANAGER.value]),
                User.active.is_(True),
                User.post_office_id == manifest.office_id,
            )
        )
    )


def _from_unit(manifest: Manifest) -> bool:
    return manifest.direction == Direction.TO_POST.value


def receivers(session: Session, manifest: Manifest) -> list[User]:
    return office_staff(session, manifest) if _from_unit(manifest) else unit_officers(session, manifest)


def senders(session: Session, manifest: Manifest) -> list[User]:
    return unit_officers(session, manifest) if _from_unit(manifest) else office_people(session, manifest)


def dispatched(session: Session, notifier: Notifier, manifest: Manifest, now: datetime) -> None:
    subject = _l(
        "Manifest %(number)s is on its way: %(n)d envelopes from %(sender)s",
        number=manifest.number,
        n=len(manifest.lines),
        sender=manifest.unit.name if _from_unit(manifest) else manifest.office.name,
    )
    body = _l("Confirm or refuse each envelope when it arrives.")
    for user in receivers(session, manifest):
        notifier.notify(session, user, str(subject), str(body), _link(manifest), now)


def refused(
    session: Session, notifier: Notifier, manifest: Manifest, dossier_code: str, now: datetime
) -> None:
    receiver = manifest.office.name if _from_unit(manifest) else manifest.unit.name
    subject = _l("%(unit)s refused %(code)s", unit=receiver, code=dossier_code)
    body = _l("Manifest %(number)s. The postman brings the envelope back.", number=manifest.number)
    for user in senders(session, manifest):
        notifier.notify(session, user, str(subject), str(body), _link(manifest), now)


def closed(session: Session, notifier: Notifier, manifest: Manifest, now: datetime) -> None:
    """Only a manifest closed with envelopes not received or extra ones needs the office's attention."""
    missing = sum(1 for line in manifest.lines if line.status == LineStatus.MISSING.value)
    if not missing and not manifest.extras:
        return
    subject = _l(
        "Manifest %(number)s closed with discrepancies: %(missing)d not received, %(extra)d extra",
        number=manifest.number,
        missing=missing,
        extra=len(manifest.extras),
    )
    body = _l("Find the envelopes and explain each discrepancy to the receiving side.")
    for user in senders(session, manifest):
        notifier.notify(session, user, str(subject), str(body), _link(manifest), now)

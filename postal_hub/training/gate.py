"""The gate: only staff holding a valid certificate for a procedure's group accept, pick up or digitize it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.audit import AuditEntry
from postal_hub.core.clock import to_local
from postal_hub.core.errors import PermissionDenied
from postal_hub.core.permissions import require_admin
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.settings import get_flag, get_setting, set_flag
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.training.models import Certificate, certificate_groups

GATE_KEY = "training.gate"
OVERRIDE_ACTION = "training.gate_overridden"


class GateAction(StrEnum):
    COUNTER = "counter_acceptance"
    PICKUP = "home_pickup"
    DIGITIZATION = "digitization"


GATE_ACTION_LABELS = {
    GateAction.COUNTER: _l("accept it at the counter"),
    GateAction.PICKUP: _l("take it at a home pickup"),
    GateAction.DIGITIZATION: _l("digitize it"),
}


class NotCertified(PermissionDenied):
    code = "not_certified"


def gate_on(session: Session) -> bool:
    return get_flag(session, GATE_KEY, default=True)


def switch(session: Session, actor: User, on: bool, reason: str, now: datetime) -> None:
    """Only an administrator switches the gate, and only with a reason: the audit log keeps both."""
    require_admin(actor)
    errors = FieldErrors()
    text = errors.require("reason", reason, 2000)
    errors.raise_if_any()
    set_flag(session, GATE_KEY, on, actor.id, text, now)


def gate_setting(session: Session) -> tuple[bool, str, datetime | None, int | None]:
    setting = get_setting(session, GATE_KEY)
    if setting is None:
        return True, "", None, None
    return setting.value == "on", setting.reason, setting.updated_at, setting.updated_by_id


def _covering(session: Session, user_id: int, group_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .join(certificate_groups, certificate_groups.c.certificate_id == Certificate.id)
            .where(Certificate.holder_id == user_id, certificate_groups.c.group_id == group_id)
            .order_by(Certificate.expires_on.desc())
        )
    )


def missing_certification(
    session: Session, user: User, procedure: Procedure, day: date, action: GateAction
) -> str:
    """'' when the user may act; otherwise the message that names what certification is missing."""
    what = GATE_ACTION_LABELS[action]
    group = procedure.group
    if group is None:
        return str(
            _l(
                "Procedure %(code)s is in no procedure group yet, so no certificate covers it: "
                "an administrator must give it a group before anyone can %(what)s.",
                code=procedure.code,
                what=what,
            )
        )
    held = _covering(session, user.id, group.id)
    if any(c.valid_on(day) for c in held):
        return ""
    latest = held[0] if held else None
    if latest is not None and latest.revoked_at is not None:
        return str(
            _l(
                "Your certificate %(number)s for the group “%(group)s” was revoked: you cannot %(what)s.",
                number=latest.number,
                group=group.name,
                what=what,
            )
        )
    if latest is not None and latest.expires_on < day:
        return str(
            _l(
                "Your certificate %(number)s for the group “%(group)s” expired on %(day)s: "
                "you need refresher training before you can %(what)s.",
                number=latest.number,
                group=group.name,
                day=latest.expires_on.strftime("%d/%m/%Y"),
                what=what,
            )
        )
    return str(
        _l(
            "You hold no valid certificate for the procedure group “%(group)s” (%(code)s), "
            "so you cannot %(what)s. Ask your manager to enrol you in a course for this group.",
            group=group.name,
            code=group.code,
            what=what,
        )
    )


def require(
    session: Session, actor: User | None, procedure: Procedure, action: GateAction, now: datetime
) -> str:
    """Refuse an uncertified actor while the gate is on. With the gate off, the problem is returned so the
    caller logs the let-through once the action has really happened (log_override); '' when all is well.

    No actor means an organization's own system through the API, which answers for its staff itself."""
    if actor is None:
        return ""
    problem = missing_certification(session, actor, procedure, to_local(now).date(), action)
    if problem and gate_on(session):
        raise NotCertified(problem)
    return problem


def log_override(
    session: Session,
    actor: User,
    procedure: Procedure,
    action: GateAction,
    problem: str,
    reference: str,
    now: datetime,
) -> AuditEntry:
    return audit.record(
        session,
        actor.id,
        OVERRIDE_ACTION,
        "procedure",
        procedure.code,
        {
            "action": action.value,
            "group": procedure.group.code if procedure.group else "",
            "reference": reference,
            "problem": problem,
        },
        at=now,
    )


def check(
    session: Session,
    actor: User | None,
    procedure: Procedure,
    action: GateAction,
    now: datetime,
    reference: str = "",
) -> None:
    """require() and, for an action that happens right away, the override logged at once."""
    problem = require(session, actor, procedure, action, now)
    if problem and actor is not None:
        log_override(session, actor, procedure, action, problem, reference, now)


def certified_among(session: Session, user_ids: list[int], group_id: int | None, day: date) -> set[int]:
    """Which of these users hold a valid certificate for the group today (for assignment screens)."""
    if group_id is None or not user_ids:
        return set()
    return set(
        session.scalars(
            sa.select(Certificate.holder_id)
            .join(certificate_groups, certificate_groups.c.certificate_id == Certificate.id)
            .where(
                Certificate.holder_id.in_(user_ids),
                certificate_groups.c.group_id == group_id,
                Certificate.revoked_at.is_(None),
                Certificate.issued_on <= day,
                Certificate.expires_on >= day,
            )
        )
    )

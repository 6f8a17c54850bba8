"""Reads for the gate's switch page: its state, who changed it last, and the log of let-throughs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.audit import AuditEntry
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.pagination import Page
from postal_hub.core.users.models import User
from postal_hub.training.gate import OVERRIDE_ACTION, gate_setting


@dataclass(frozen=True)
class GateStatus:
    on: bool
    reason: str
    changed_at: datetime | None
    changed_by: User | None


def gate_status(session: Session) -> GateStatus:
    on, reason, changed_at, changed_by_id = gate_setting(session)
    by = session.get(User, changed_by_id) if changed_by_id is not None else None
    return GateStatus(on, reason, changed_at, by)


@dataclass(frozen=True)
class Override:
    """One let-through: the actor's office is the one they are attached to now."""

    at: datetime
    actor_name: str
    actor_username: str
    office_code: str
    office_name: str
    action: str
    procedure_code: str
    group: str
    reference: str
    problem: str


def _text(details: object, key: str) -> str:
    value = details.get(key, "") if isinstance(details, dict) else ""
    return value if isinstance(value, str) else str(value)


def override_log(session: Session, page: int, per_page: int) -> Page[Override]:
    """Newest first; a page beyond the last shows the last."""
    where = AuditEntry.action == OVERRIDE_ACTION
    total = int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(where)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    rows = session.execute(
        sa.select(AuditEntry, User.full_name, User.username, PostOffice.code, PostOffice.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(PostOffice, PostOffice.id == User.post_office_id)
        .where(where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [
        Override(
            at=entry.at,
            actor_name=name or "",
            actor_username=username or "",
            office_code=office_code or "",
            office_name=office_name or "",
            action=_text(entry.details, "action"),
            procedure_code=entry.entity_id,
            group=_text(entry.details, "group"),
            reference=_text(entry.details, "reference"),
            problem=_text(entry.details, "problem"),
        )
        for entry, name, username, office_code, office_name in rows
    ]
    return Page(items, page, per_page, total)

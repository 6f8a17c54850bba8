"""Citizens' satisfaction with the post and with the unit (Circular 01/2018/TT-VPCP), once per dossier.

Each submission rates both subjects. The counts feed the monitoring of the satisfaction target: the
share of "very satisfied" and "satisfied" among all ratings, against 95 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from postal_hub.contracts.access import managed_ids
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.delivery.status import SATISFIED_LEVELS, RatingLevel, RatingReason, RatingSubject
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus

TARGET = 0.95  # satisfaction of at least 95 % (DOMAIN.md's targets, after the Circular's criteria)
MAX_COMMENT = 1000
RECENT = 50

# The unit's handling may fail on any criterion; the post's service has no documents to ask for again
# and no result of its own to get wrong.
REASONS: dict[RatingSubject, tuple[RatingReason, ...]] = {
    RatingSubject.POSTAL: (
        RatingReason.ATTITUDE,
        RatingReason.LATE,
        RatingReason.GUIDANCE,
        RatingReason.FEES,
        RatingReason.OTHER,
    ),
    RatingSubject.UNIT: tuple(RatingReason),
}


@dataclass(frozen=True)
class RatingInput:
    level: str
    reasons: tuple[str, ...] = ()
    comment: str = ""


def already_rated(session: Session, dossier_id: int) -> bool:
    found = session.scalar(
        sa.select(SatisfactionRating.id).where(SatisfactionRating.dossier_id == dossier_id).limit(1)
    )
    return found is not None


def _already(dossier: Dossier) -> Conflict:
    return Conflict(
        str(_l("Dossier %(code)s has already been rated; a dossier is rated only once.", code=dossier.code))
    )


def _clean(errors: FieldErrors, subject: RatingSubject, data: RatingInput) -> tuple[str, str, str]:
    """(level, reasons, comment); field names are `<subject>_level`, `_reasons`, `_comment`."""
    prefix = subject.value
    level = data.level if data.level in {v.value for v in RatingLevel} else ""
    if not level:
        errors.add(f"{prefix}_level", _l("Choose one of the three answers."))
    comment = errors.optional_text(f"{prefix}_comment", data.comment, MAX_COMMENT)
    if level != RatingLevel.NOT_SATISFIED.value:
        return level, "", comment  # reasons explain dissatisfaction only
    allowed = REASONS[subject]
    given = set(data.reasons)
    if given - {r.value for r in allowed}:
        errors.add(f"{prefix}_reasons", _l("Choose among the reasons shown."))
    chosen = [r.value for r in allowed if r.value in given]
    if not chosen:
        errors.add(f"{prefix}_reasons", _l("Tick at least one reason you were not satisfied."))
    if RatingReason.OTHER.value in chosen and not comment:
        errors.add(f"{prefix}_comment", _l("You ticked another reason: say in a few words what it was."))
    return level, ",".join(chosen), comment


def rate(
    session: Session, dossier: Dossier, postal: RatingInput, unit: RatingInput, now: datetime
) -> list[SatisfactionRating]:
    """Once the result has been handed over, the citizen rates the post and the unit, once: a second
    submission (even one racing the first) is refused and changes nothing."""
    if dossier.status != DossierStatus.DELIVERED.value:
        raise Conflict(
            str(_l("Dossier %(code)s can be rated once its result has been handed over.", code=dossier.code))
        )
    if already_rated(session, dossier.id):
        raise _already(dossier)
    errors = FieldErrors()
    answers = {
        s: _clean(errors, s, d) for s, d in ((RatingSubject.POSTAL, postal), (RatingSubject.UNIT, unit))
    }
    errors.raise_if_any()
    rows = [
        SatisfactionRating(
            dossier_id=dossier.id,
            unit_id=dossier.unit_id,
            operator_id=dossier.operator_id,
            office_id=dossier.office_id,
            subject=subject.value,
            level=level,
            reasons=reasons,
            comment=comment,
            rated_at=now,
        )
        for subject, (level, reasons, comment) in answers.items()
    ]
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except sa.exc.IntegrityError:
        raise _already(dossier) from None  # a submission racing this one got there first
    return rows


# --- reading them back ------------------------------------------------------------------------------


@dataclass
class SubjectSummary:
    counts: dict[str, int] = field(default_factory=lambda: {level.value: 0 for level in RatingLevel})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(self.counts[level.value] for level in SATISFIED_LEVELS)

    @property
    def rate(self) -> float | None:
        """(very satisfied + satisfied) / all; None when nobody has rated yet."""
        return self.satisfied / self.total if self.total else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= TARGET


def _filters(
    unit_ids: list[int] | None, operator_id: int | None, start: datetime, end: datetime
) -> list[sa.ColumnElement[bool]]:
    found = [SatisfactionRating.rated_at >= start, SatisfactionRating.rated_at < end]
    if unit_ids is not None:
        found.append(SatisfactionRating.unit_id.in_(unit_ids))
    if operator_id is not None:
        found.append(SatisfactionRating.operator_id == operator_id)
    return found


def satisfaction_summary(
    session: Session,
    unit_ids: list[int] | None = None,
    operator_id: int | None = None,
    *,
    start: datetime,
    end: datetime,
) -> dict[RatingSubject, SubjectSummary]:
    """Counts per subject and level for ratings given in [start, end), counted by the database.
    unit_ids None: every unit; operator_id None: every operator."""
    stmt = (
        sa.select(SatisfactionRating.subject, SatisfactionRating.level, sa.func.count())
        .where(*_filters(unit_ids, operator_id, start, end))
        .group_by(SatisfactionRating.subject, SatisfactionRating.level)
    )
    summary = {subject: SubjectSummary() for subject in RatingSubject}
    for subject, level, n in session.execute(stmt):
        summary[RatingSubject(subject)].counts[level] = int(n)
    return summary


@dataclass(frozen=True)
class Scope:
    """Whose ratings a staff member sees: None in a field means no restriction on it."""

    unit_ids: list[int] | None
    operator_id: int | None


def scope_for(session: Session, actor: User) -> Scope:
    """A unit's staff see their units' ratings (an agency its units'); a postal manager their
    operator's; an administrator all; nobody else any."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return Scope(None, None)
    if actor.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        return Scope(managed_ids(session, actor), None)
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return Scope(None, actor.organization_id)
    raise PermissionDenied(str(_l("Your account may not see satisfaction ratings.")))


@dataclass(frozen=True)
class RatingRow:
    """One rating as the staff page lists it: no applicant, no phone, no ID."""

    rated_at: datetime
    dossier_code: str
    unit_name: str
    office_name: str
    subject: str
    level: str
    reasons: tuple[str, ...]
    comment: str


def recent(
    session: Session, scope: Scope, start: datetime, end: datetime, limit: int = RECENT
) -> list[RatingRow]:
    unit = aliased(Organization)
    stmt = (
        sa.select(
            SatisfactionRating.rated_at,
            Dossier.code,
            unit.name,
            PostOffice.name,
            SatisfactionRating.subject,
            SatisfactionRating.level,
            SatisfactionRating.reasons,
            SatisfactionRating.comment,
        )
        .join(Dossier, Dossier.id == SatisfactionRating.dossier_id)
        .join(unit, unit.id == SatisfactionRating.unit_id)
        .join(PostOffice, PostOffice.id == SatisfactionRating.office_id)
        .where(*_filters(scope.unit_ids, scope.operator_id, start, end))
        .order_by(SatisfactionRating.rated_at.desc(), SatisfactionRating.id.desc())
        .limit(limit)
    )
    return [
        RatingRow(
            at, code, unit_name, office, subject, level, tuple(r for r in reasons.split(",") if r), comment
        )
        for at, code, unit_name, office, subject, level, reasons, comment in session.execute(stmt)
    ]

"""Coverage for planning: which groups each office can serve today, what expires soon, who was never
trained. Counted in SQL, grouped by office, so the operator's whole network is a handful of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from postal_hub.core.errors import NotFound
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.pagination import search_filter
from postal_hub.core.places.models import Province
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import POSTAL_ROLES, Role, User
from postal_hub.training.models import Certificate, Enrolment, certificate_groups
from postal_hub.training.status import EXPIRY_HORIZONS, EnrolmentStatus

# Who serves a group at the counter: clerks, and managers, who may accept too.
COUNTER_ROLES = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER)


@dataclass
class OfficeCoverage:
    office: PostOffice
    staff: int = 0
    certified_staff: int = 0
    served: list[ProcedureGroup] = field(default_factory=list)
    unserved: list[ProcedureGroup] = field(default_factory=list)
    expiring: dict[int, int] = field(default_factory=dict)
    never_trained: int = 0


def _id(value: int | None) -> int:
    assert value is not None  # grouped by the office of staff filtered to have one
    return value


def scope_coverage_offices(actor: User, stmt: sa.Select) -> sa.Select:
    """Administrators see every office; the operator's managers and trainers see the operator's."""
    if actor.has_role(Role.SYSTEM_ADMIN):
        return stmt
    if actor.has_role(Role.POSTAL_MANAGER, Role.TRAINER) and actor.organization_id is not None:
        return stmt.where(PostOffice.operator_id == actor.organization_id)
    return stmt.where(sa.false())


def _valid_on(day: date) -> list[sa.ColumnElement[bool]]:
    return [Certificate.revoked_at.is_(None), Certificate.issued_on <= day, Certificate.expires_on >= day]


def _staff(office_ids: sa.Select, roles: tuple[Role, ...] = POSTAL_ROLES) -> list[sa.ColumnElement[bool]]:
    return [
        User.active.is_(True),
        User.role.in_([r.value for r in roles]),
        User.post_office_id.in_(office_ids),
    ]


def office_coverage(
    session: Session,
    actor: User,
    today: date,
    province_code: str = "",
    q: str = "",
    office_id: int | None = None,
) -> list[OfficeCoverage]:
    ids = scope_coverage_offices(actor, sa.select(PostOffice.id).where(PostOffice.active.is_(True)))
    if province_code:
        ids = ids.where(PostOffice.province_code == province_code)
    if (words := search_filter(PostOffice.search_key, q)) is not None:
        ids = ids.where(words)
    if office_id is not None:
        ids = ids.where(PostOffice.id == office_id)
    offices = list(
        session.scalars(
            sa.select(PostOffice)
            .where(PostOffice.id.in_(ids))
            .options(joinedload(PostOffice.province))
            .order_by(PostOffice.province_code, PostOffice.code)
        )
    )
    rows = {o.id: OfficeCoverage(o, expiring={h: 0 for h in EXPIRY_HORIZONS}) for o in offices}
    if not rows:
        return []
    for office_id, n in session.execute(
        sa.select(User.post_office_id, sa.func.count()).where(*_staff(ids)).group_by(User.post_office_id)
    ):
        rows[_id(office_id)].staff = n
    for office_id, n in session.execute(
        sa.select(User.post_office_id, sa.func.count(sa.distinct(User.id)))
        .join(Certificate, Certificate.holder_id == User.id)
        .where(*_staff(ids), *_valid_on(today))
        .group_by(User.post_office_id)
    ):
        rows[_id(office_id)].certified_staff = n
    groups = list(
        session.scalars(
            sa.select(ProcedureGroup).where(ProcedureGroup.active.is_(True)).order_by(ProcedureGroup.code)
        )
    )
    served: dict[int, set[int]] = defaultdict(set)
    for office_id, group_id in session.execute(
        sa.select(User.post_office_id, certificate_groups.c.group_id)
        .join(Certificate, Certificate.holder_id == User.id)
        .join(certificate_groups, certificate_groups.c.certificate_id == Certificate.id)
        .where(*_staff(ids, COUNTER_ROLES), *_valid_on(today))
        .distinct()
    ):
        served[_id(office_id)].add(group_id)
    for office_id, row in rows.items():
        row.served = [g for g in groups if g.id in served[office_id]]
        row.unserved = [g for g in groups if g.id not in served[office_id]]
    horizon = max(EXPIRY_HORIZONS)
    for office_id, expires_on in session.execute(
        sa.select(User.post_office_id, Certificate.expires_on)
        .join(Certificate, Certificate.holder_id == User.id)
        .where(*_staff(ids), *_valid_on(today), Certificate.expires_on <= today + timedelta(days=horizon))
    ):
        left = (expires_on - today).days
        for h in EXPIRY_HORIZONS:
            if left <= h:
                rows[_id(office_id)].expiring[h] += 1
    assessed = sa.select(Enrolment.user_id).where(
        Enrolment.status.in_([EnrolmentStatus.PASSED.value, EnrolmentStatus.FAILED.value])
    )
    for office_id, n in session.execute(
        sa.select(User.post_office_id, sa.func.count())
        .where(*_staff(ids), User.id.not_in(assessed))
        .group_by(User.post_office_id)
    ):
        rows[_id(office_id)].never_trained = n
    return list(rows.values())


@dataclass
class StaffLine:
    user: User
    certificates: list[Certificate]
    trained: bool

    def valid(self, today: date) -> list[Certificate]:
        return [c for c in self.certificates if c.valid_on(today)]


def office_staff(session: Session, office: PostOffice) -> list[StaffLine]:
    """The office's postal staff, each with every certificate they ever held (newest first)."""
    users = list(
        session.scalars(
            sa.select(User)
            .where(
                User.post_office_id == office.id,
                User.active.is_(True),
                User.role.in_([r.value for r in POSTAL_ROLES]),
            )
            .order_by(User.full_name)
        )
    )
    ids = [u.id for u in users]
    certificates: dict[int, list[Certificate]] = defaultdict(list)
    for c in session.scalars(
        sa.select(Certificate)
        .where(Certificate.holder_id.in_(ids))
        .options(joinedload(Certificate.course), joinedload(Certificate.groups))
        .order_by(Certificate.expires_on.desc())
    ).unique():
        certificates[c.holder_id].append(c)
    trained = set(
        session.scalars(
            sa.select(Enrolment.user_id).where(
                Enrolment.user_id.in_(ids),
                Enrolment.status.in_([EnrolmentStatus.PASSED.value, EnrolmentStatus.FAILED.value]),
            )
        )
    )
    return [StaffLine(u, certificates[u.id], u.id in trained) for u in users]


@dataclass(frozen=True)
class Staffing:
    offices: int
    staff: int
    trained: int


def staffing_in_area(
    session: Session, operator_id: int, province_codes: list[str] | None, today: date
) -> Staffing:
    """An operator's offices and postal staff in a service area (None: nationwide), and how many of the
    staff hold a valid certificate today: what a contract's capacity assessment records."""
    offices = sa.select(PostOffice.id).where(
        PostOffice.operator_id == operator_id, PostOffice.active.is_(True)
    )
    if province_codes is not None:
        offices = offices.where(PostOffice.province_code.in_(province_codes))
    office_count = session.scalar(sa.select(sa.func.count()).select_from(offices.subquery())) or 0
    staff = session.scalar(sa.select(sa.func.count()).select_from(User).where(*_staff(offices))) or 0
    trained = (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(User.id)))
            .join(Certificate, Certificate.holder_id == User.id)
            .where(*_staff(offices), *_valid_on(today))
        )
        or 0
    )
    return Staffing(int(office_count), int(staff), int(trained))


# --- Reads for the coverage screens (the list's filter, one office's page, the totals row) ------------


def coverage_provinces(session: Session, actor: User) -> list[Province]:
    """The provinces where the actor can see an active office: the choices of the screen's filter."""
    offices = scope_coverage_offices(
        actor, sa.select(PostOffice.province_code).where(PostOffice.active.is_(True))
    )
    return list(
        session.scalars(sa.select(Province).where(Province.code.in_(offices)).order_by(Province.name))
    )


def get_coverage_office(session: Session, actor: User, office_id: int) -> PostOffice:
    """An active office in the actor's scope; unknown and not-yours are the same 404."""
    found = session.scalar(
        scope_coverage_offices(
            actor,
            sa.select(PostOffice)
            .where(PostOffice.id == office_id, PostOffice.active.is_(True))
            .options(joinedload(PostOffice.province), joinedload(PostOffice.operator)),
        )
    )
    if found is None:
        raise NotFound(str(_l("There is no such post office, or it is not yours to see.")))
    return found


def one_office_coverage(session: Session, actor: User, office: PostOffice, today: date) -> OfficeCoverage:
    """The list's row for one office."""
    rows = office_coverage(session, actor, today, office_id=office.id)
    return rows[0] if rows else OfficeCoverage(office, expiring={h: 0 for h in EXPIRY_HORIZONS})


@dataclass
class CoverageTotals:
    """The totals row: sums, and the groups some office listed serves and those none of them does."""

    offices: int = 0
    staff: int = 0
    certified_staff: int = 0
    served: list[ProcedureGroup] = field(default_factory=list)
    unserved: list[ProcedureGroup] = field(default_factory=list)
    expiring: dict[int, int] = field(default_factory=lambda: {h: 0 for h in EXPIRY_HORIZONS})
    never_trained: int = 0


def coverage_totals(rows: list[OfficeCoverage]) -> CoverageTotals:
    totals = CoverageTotals(offices=len(rows))
    served: dict[int, ProcedureGroup] = {}
    everything: dict[int, ProcedureGroup] = {}
    for row in rows:
        totals.staff += row.staff
        totals.certified_staff += row.certified_staff
        totals.never_trained += row.never_trained
        for h in EXPIRY_HORIZONS:
            totals.expiring[h] += row.expiring.get(h, 0)
        for g in row.served:
            served[g.id] = everything[g.id] = g
        for g in row.unserved:
            everything.setdefault(g.id, g)
    ordered = sorted(everything.values(), key=lambda g: g.code)
    totals.served = [g for g in ordered if g.id in served]
    totals.unserved = [g for g in ordered if g.id not in served]
    return totals

"""Demo hand-offs to the Hà Nội service centre: one manifest received and closed, one awaiting the
officer's confirmation, so both sides' screens and the custody log have something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.errors import DomainError
from postal_hub.core.notifications import InboxNotifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.handoff import receiving, services
from postal_hub.handoff.models import Manifest
from postal_hub.intake.custody import actor_label
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, accept

UNIT_CODE = "000.00.01.H26"
PROCEDURE_CODE = "1.012783"  # a province-level land certificate: the Hà Nội service centre decides it
# (name, citizen ID, phone, commune, street, days ago)
APPLICANTS = [
    ("Phạm Văn Dũng", "001085003456", "0913456789", "00070", "3 Hàng Bài", 3),
    ("Ngô Thị Hạnh", "001190007890", "0978123456", "00166", "21 Nguyễn Khang", 2),
    ("Đinh Quốc Khánh", "001088002468", "0356789012", "00004", "7 Trần Phú", 1),
]


def _accept_demo(session: Session, clerk: User, office: PostOffice, now: datetime) -> list[Dossier]:
    procedure = session.scalar(sa.select(Procedure).where(Procedure.code == PROCEDURE_CODE))
    if procedure is None:
        return []
    made = []
    for name, cccd, phone, commune, street, days in APPLICANTS:
        result = accept(
            session,
            clerk,
            office,
            AcceptanceInput(
                procedure_id=procedure.id,
                applicant=ApplicantInput(name, cccd, phone, "01", commune, street),
                present={c.code for c in procedure.components},
            ),
            now - timedelta(days=days, hours=2),
        )
        if isinstance(result, Dossier):
            made.append(result)
    return made


def seed_manifests(session: Session, now: datetime) -> list[str]:
    if session.scalar(sa.select(sa.func.count()).select_from(Manifest)):
        ids = [a[1] for a in APPLICANTS]
        return list(
            session.scalars(
                sa.select(Dossier.code).where(Dossier.applicant_citizen_id.in_(ids)).order_by(Dossier.id)
            )
        )
    clerk = session.scalar(sa.select(User).where(User.username == "clerk"))
    officer = session.scalar(sa.select(User).where(User.username == "officer"))
    office = session.scalar(sa.select(PostOffice).where(PostOffice.code == "100000"))
    unit = session.scalar(sa.select(Organization).where(Organization.code == UNIT_CODE))
    if clerk is None or officer is None or office is None or unit is None:
        return []
    try:
        with session.begin_nested():
            dossiers = _accept_demo(session, clerk, office, now)
            if len(dossiers) < len(APPLICANTS):
                return []
            first_day = now - timedelta(days=3)
            done = services.create_manifest(
                session, clerk, office, unit, [services.LineInput(dossiers[0].code, "HN-0001001")], first_day
            )
            services.dispatch(session, clerk, done, first_day + timedelta(hours=1))
            who = actor_label(officer)
            arrived = first_day + timedelta(hours=5)
            receiving.confirm_line(session, officer, who, done, done.lines[0], True, None, "", arrived)
            receiving.close(session, officer.id, who, done, arrived + timedelta(minutes=10))
            yesterday = now - timedelta(days=1)
            waiting = services.create_manifest(
                session,
                clerk,
                office,
                unit,
                [services.LineInput(d.code, f"HN-000{n}002") for n, d in enumerate(dossiers[1:], start=1)],
                yesterday,
                "Chuyến chiều",
            )
            services.dispatch(session, clerk, waiting, yesterday + timedelta(hours=1), InboxNotifier())
    except DomainError:
        return []  # the demo contracts changed; the rest of the demo still loads
    return [d.code for d in dossiers]

"""Demo dossiers: a few accepted at the Hà Nội central post office for units elsewhere, one digitized."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.files import FileStore
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.intake.digitization import mark_digitized, upload_scan
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, accept

# (procedure code, name, citizen ID, phone, province, commune, street, days ago)
DEMO_APPLICANTS = [
    ("1.001193", "Nguyễn Văn An", "001090012345", "0912345678", "01", "00070", "12 Hàng Trống", 5),
    ("1.000894", "Trần Thị Bình", "079185000321", "0987654321", "79", "26929", "45 Xô Viết Nghệ Tĩnh", 1),
    ("1.004873", "Lê Hoàng Cường", "048092004567", "0905123456", "01", "00166", "8 Trần Duy Hưng", 0),
]
# A one-page PDF made here, so the demo needs no file from outside.
DEMO_SCAN = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n3 0 obj <</Type /Page /Parent 2 0 R>> endobj\n%%EOF\n"  # noqa: E501


def seed_dossiers(session: Session, now: datetime, store: FileStore) -> list[str]:
    if session.scalar(sa.select(sa.func.count()).select_from(Dossier)):
        ids = [a[2] for a in DEMO_APPLICANTS]
        return list(
            session.scalars(
                sa.select(Dossier.code).where(Dossier.applicant_citizen_id.in_(ids)).order_by(Dossier.id)
            )
        )
    clerk = session.scalar(sa.select(User).where(User.username == "clerk"))
    office = session.scalar(sa.select(PostOffice).where(PostOffice.code == "100000"))
    if clerk is None or office is None:
        return []
    codes = []
    for code, name, cccd, phone, province, commune, street, days in DEMO_APPLICANTS:
        procedure = session.scalar(sa.select(Procedure).where(Procedure.code == code))
        if procedure is None:
            continue
        when = now - timedelta(days=days)
        result = accept(
            session,
            clerk,
            office,
            AcceptanceInput(
                procedure_id=procedure.id,
                applicant=ApplicantInput(name, cccd, phone, province, commune, street),
                present={c.code for c in procedure.components},
            ),
            when,
        )
        if not isinstance(result, Dossier):
            continue
        codes.append(result.code)
        if days >= 5:
            for component in result.components:
                upload_scan(
                    session,
                    clerk,
                    result,
                    component.code,
                    f"{component.code}.pdf",
                    DEMO_SCAN,
                    store,
                    when + timedelta(hours=1),
                    20 * 1024 * 1024,
                )
            mark_digitized(session, clerk, result, when + timedelta(hours=2))
    return codes

"""Digitization: scans checked by their content, stored content-addressed, documents reused with consent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.contracts.tasks import complete_task
from postal_hub.core import audit
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.files import FileStore
from postal_hub.core.users.models import Role, User
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier, DossierComponent, DossierFile
from postal_hub.intake.status import COMPLETED, DossierStatus
from postal_hub.training import gate
from postal_hub.training.gate import GateAction

# Detected from the first bytes, never from the name.
SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def detect_type(data: bytes) -> tuple[str, set[str]] | None:
    for magic, content_type, extensions in SIGNATURES:
        if data.startswith(magic):
            return content_type, extensions
    return None


def count_pages(data: bytes, content_type: str) -> int:
    if content_type != "application/pdf":
        return 1
    return max(1, len(_PDF_PAGE.findall(data)))


def _require_digitizer(session: Session, actor: User | None, dossier: Dossier, now: datetime) -> None:
    if actor is None:
        return
    allowed = (actor.has_role(Role.POSTAL_CLERK) and actor.post_office_id == dossier.office_id) or (
        actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id == dossier.operator_id
    )
    if not allowed:
        raise PermissionDenied(str(_l("Only the accepting office digitizes this dossier.")))
    gate.check(session, actor, dossier.procedure, GateAction.DIGITIZATION, now, reference=dossier.code)


def _open_component(dossier: Dossier, code: str) -> DossierComponent:
    if dossier.status != DossierStatus.ACCEPTED:
        raise Conflict(str(_l("This dossier is already digitized.")))
    component = next((c for c in dossier.components if c.code == code), None)
    if component is None:
        raise ValidationFailed(
            str(_l("Choose a component of this dossier.")), {"component": str(_l("Unknown component."))}
        )
    return component


def upload_scan(
    session: Session,
    actor: User | None,
    dossier: Dossier,
    component_code: str,
    filename: str,
    data: bytes,
    store: FileStore,
    now: datetime,
    max_bytes: int,
) -> DossierFile:
    """A PDF, JPEG or PNG scan of one component; its type is read from its content and must match its name."""
    _require_digitizer(session, actor, dossier, now)
    _open_component(dossier, component_code)
    if not data:
        raise ValidationFailed(str(_l("The file is empty.")), {"file": str(_l("The file is empty."))})
    if len(data) > max_bytes:
        limit = _l("%(mb)d MB", mb=max_bytes // (1024 * 1024))
        raise ValidationFailed(
            str(_l("The file is larger than %(limit)s.", limit=limit)),
            {"file": str(_l("The file is larger than %(limit)s.", limit=limit))},
        )
    detected = detect_type(data)
    if detected is None:
        raise ValidationFailed(
            str(_l("Only PDF, JPEG and PNG scans are accepted.")),
            {"file": str(_l("This is not a PDF, JPEG or PNG file."))},
        )
    content_type, extensions = detected
    if PurePath(filename or "").suffix.lower() not in extensions:
        raise ValidationFailed(
            str(_l("The file is not what its name says.")),
            {"file": str(_l("The name says one type, the content is %(type)s.", type=content_type))},
        )
    scan = DossierFile(
        component_code=component_code,
        filename=PurePath(filename).name[-255:],
        content_type=content_type,
        size=len(data),
        pages=count_pages(data, content_type),
        sha256=store.put(data),
        uploaded_at=now,
        uploaded_by_id=actor.id if actor else None,
    )
    dossier.files.append(scan)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "dossier.scan_uploaded",
        "dossier",
        dossier.code,
        {"component": component_code, "sha256": scan.sha256, "pages": scan.pages},
        at=now,
    )
    return scan


@dataclass(frozen=True)
class ReuseOffer:
    component_code: str
    file: DossierFile
    from_code: str


def reuse_offers(session: Session, dossier: Dossier) -> list[ReuseOffer]:
    """Documents the same citizen already gave in an earlier, completed dossier, for components not
    yet scanned here: the citizen need not be asked for them again."""
    scanned = {f.component_code for f in dossier.files} | {
        c.code for c in dossier.components if c.reused_file_id
    }
    wanted = {c.kind_key: c.code for c in dossier.components if c.code not in scanned}
    if not wanted:
        return []
    rows = session.execute(
        sa.select(DossierFile, DossierComponent.kind_key, Dossier.code)
        .join(Dossier, DossierFile.dossier_id == Dossier.id)
        .join(
            DossierComponent,
            sa.and_(
                DossierComponent.dossier_id == Dossier.id, DossierComponent.code == DossierFile.component_code
            ),
        )
        .where(
            Dossier.applicant_citizen_id == dossier.applicant_citizen_id,
            Dossier.id != dossier.id,
            Dossier.status.in_([s.value for s in COMPLETED]),
            DossierComponent.kind_key.in_(list(wanted)),
        )
        .order_by(DossierFile.uploaded_at.desc())
    ).all()
    offers: dict[str, ReuseOffer] = {}
    for scan, kind_key, code in rows:
        offers.setdefault(wanted[kind_key], ReuseOffer(wanted[kind_key], scan, code))
    return list(offers.values())


def reuse(
    session: Session,
    actor: User | None,
    dossier: Dossier,
    component_code: str,
    file_id: int,
    consent: bool,
    now: datetime,
) -> None:
    """Use a document already on file instead of collecting it again; the citizen's consent is recorded."""
    _require_digitizer(session, actor, dossier, now)
    component = _open_component(dossier, component_code)
    if not consent:
        raise ValidationFailed(
            str(_l("Ask the citizen first: reuse needs their consent.")),
            {"consent": str(_l("Tick to record the citizen's consent."))},
        )
    offer = next(
        (
            o
            for o in reuse_offers(session, dossier)
            if o.component_code == component_code and o.file.id == file_id
        ),
        None,
    )
    if offer is None:
        raise ValidationFailed(
            str(_l("That document cannot be reused here.")),
            {"component": str(_l("No such earlier document for this citizen."))},
        )
    component.reused_file_id = offer.file.id
    component.reuse_consent_at = now
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "dossier.document_reused",
        "dossier",
        dossier.code,
        {"component": component_code, "from": offer.from_code},
        at=now,
    )


def mark_digitized(session: Session, actor: User | None, dossier: Dossier, now: datetime) -> None:
    """Every component scanned or reused: the dossier is digitized and the digitization task completed."""
    _require_digitizer(session, actor, dossier, now)
    scanned = {f.component_code for f in dossier.files}
    missing = [c.name for c in dossier.components if c.code not in scanned and c.reused_file_id is None]
    if missing:
        raise ValidationFailed(
            str(_l("Scan every component first. Missing: %(names)s", names="; ".join(missing))),
            {"component": str(_l("Some components have no scan."))},
        )
    set_status(session, dossier, DossierStatus.DIGITIZED, now, dossier.office.name, actor)
    dossier.digitized_at = now
    task = session.scalar(
        sa.select(Task).where(
            Task.dossier_code == dossier.code,
            Task.task_type == TaskType.DIGITIZATION,
            Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
        )
    )
    if task is not None:
        complete_task(
            session,
            task,
            now,
            outcome=str(_l("Digitized")),
            pages=sum(f.pages for f in dossier.files),
            actor=actor,
        )

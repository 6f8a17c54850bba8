"""The tenant-isolation world: two organizations of each kind (operators with an office, agencies, their
one-stop units), a user of every staff role in each, an API key for each organization that can hold one,
and real records behind every identifier a route takes, each side with distinctive names and numbers
(so that a body carrying the other side's data is recognised by its strings).

Built through the existing factories (tests/factories*.py); only the renaming and the few records no
factory makes (contract document, statement, scan, proof file, outbox message, checkpoint) are added here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.files import FileStore
from postal_hub.core.orgs.models import Organization
from postal_hub.core.users.models import Role, User
from tests import factories as f
from tests import factories_delivery as fd
from tests import factories_training as ft

PDF = b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 1>>\n<</Type /Page>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"isolation-strokes"
STAFF_ROLES = (
    Role.POSTAL_CLERK,
    Role.POSTMAN,
    Role.POSTAL_MANAGER,
    Role.TRAINER,
    Role.AGENCY_SUPERVISOR,
    Role.UNIT_OFFICER,
)

# Per side: the unit's commune (a commune has one unit here), the applicant, the office's point.
_SIDES = {
    "A": {
        "commune": "00097",
        "word": "Alpha",
        "people": "Alphonse",
        "applicant": ("Phạm Thị Alphana", "0911000111", "001191011111"),
        "point": (21.0400, 105.8500),
        "pickup_point": f.PICKUP_POINT,
    },
    "B": {
        "commune": "00004",
        "word": "Betaville",
        "people": "Bertrand",
        "applicant": ("Hoàng Văn Betaxa", "0988777666", "001095022222"),
        "point": (21.0360, 105.8350),
        "pickup_point": (21.0340, 105.8330),
    },
}


@dataclass
class Side:
    """One organization of each kind and everything they own; `strings` are the side's distinctive data."""

    label: str
    operator: Organization
    agency: Organization
    unit: Organization
    office: Any
    users: dict[Role, User]
    keys: dict[str, str]  # "unit" / "operator" -> plaintext API key
    key_ids: dict[str, int]
    records: dict[str, Any]
    strings: list[str] = field(default_factory=list)

    def user(self, role: Role) -> User:
        return self.users[role]


def neutral_training_shelf(session: Session) -> None:
    """The course factories_training.certify writes its certificates on, run by a third operator: left to
    itself it would belong to the first side's operator, whose trainers would then see (by design) the
    certificates of the other side's staff as their own organization's."""
    from postal_hub.training.models import Course, TrainingSession
    from postal_hub.training.status import SessionStatus

    centre = f.operator(session, name="Trung tâm đào tạo chung")
    trainer = ft.trainer(session, centre)
    course = Course(
        code="KH-FACTORY",
        title="Khóa thử",
        outline="",
        duration_hours=8,
        pass_mark=50,
        min_attendance=0,
        validity_months=36,
        organization_id=centre.id,
        active=True,
        created_at=ft.WHEN,
    )
    session.add(course)
    session.flush()
    course.sessions.append(
        TrainingSession(
            course_id=course.id,
            starts_on=ft.VALID_FROM,
            ends_on=ft.VALID_FROM,
            trainer_id=trainer.id,
            place="Hà Nội",
            capacity=500,
            status=SessionStatus.COMPLETED.value,
            created_at=ft.WHEN,
        )
    )
    session.flush()


def _applicant(name: str, phone: str, citizen_id: str, commune: str) -> Any:
    from postal_hub.intake.services import ApplicantInput

    return ApplicantInput(
        name=name,
        citizen_id=citizen_id,
        phone=phone,
        province_code="01",
        commune_code=commune,
        street=f"{commune} Phố Thử",
    )


def build_side(session: Session, label: str, now: datetime, store: FileStore, secret_key: str) -> Side:
    from postal_hub.contracts import services as contract_services
    from postal_hub.contracts import statements
    from postal_hub.core.custody.services import make_checkpoint
    from postal_hub.core.users.api_keys import create_api_key
    from postal_hub.delivery.models import DeliveryAttempt
    from postal_hub.intake.digitization import upload_scan
    from postal_hub.pickup.booking import Place
    from postal_hub.services import pickup_settings
    from postal_hub.training.certificates import issue
    from postal_hub.webhooks.outbox import enqueue

    spec = _SIDES[label]
    word, commune, people = str(spec["word"]), str(spec["commune"]), str(spec["people"])
    name, phone, citizen_id = spec["applicant"]  # type: ignore[misc]
    world = fd.delivery_world(session, unit_commune=commune, office_point=spec["point"])
    operator, unit, office = world["operator"], world["unit"], world["office"]
    agency = session.get(Organization, unit.parent_id)
    assert agency is not None
    operator.name = f"Bưu chính {word}"
    agency.name = f"UBND {word}"
    unit.name = f"Bộ phận Một cửa {word}"
    office.name = f"Bưu cục {word}"
    users = {
        Role.POSTAL_CLERK: world["clerk"],
        Role.POSTMAN: world["postman"],
        Role.POSTAL_MANAGER: world["manager"],
        Role.TRAINER: ft.trainer(session, operator),
        Role.AGENCY_SUPERVISOR: f.user(session, Role.AGENCY_SUPERVISOR, organization=agency),
        Role.UNIT_OFFICER: world["officer"],
    }
    for role, person in users.items():
        person.full_name = f"{people} {role.value.replace('_', ' ').title()}"
    world["second_postman"].full_name = f"{people} Second Postman"
    session.flush()

    def applicant(**overrides: Any) -> Any:
        return _applicant(name, phone, citizen_id, commune)

    def dossier(**overrides: Any) -> Any:
        return f.accepted_dossier(session, world, now, applicant=applicant(), **overrides)

    records: dict[str, Any] = {"world": world}
    # Contract: a document, a monthly statement.
    made = world["contract"]
    records["contract"] = made
    # Each side's files carry its word, so a download of the other side's file is recognised.
    records["document"] = contract_services.attach_document(
        session,
        users[Role.AGENCY_SUPERVISOR],
        made,
        f"hop-dong-{word}.pdf",
        "application/pdf",
        PDF + f"% {word}-document\n".encode(),
        store,
        now,
    )
    # Dossiers at each step (their tasks come with them).
    desk = dossier()
    records["scan"] = upload_scan(
        session,
        users[Role.POSTAL_CLERK],
        desk,
        "TP1",
        "to-khai.pdf",
        PDF + f"% {word}-scan\n".encode(),
        store,
        now,
        20_000_000,
    )
    records["desk"] = desk
    sent = dossier()
    records["manifest"] = f.manifest_for(session, world, [sent], now)
    records["sent"] = sent
    draft_dossier = dossier()
    records["draft_manifest"] = f.manifest_for(session, world, [draft_dossier], now, dispatch=False)
    records["draft_dossier"] = draft_dossier
    records["received"] = fd.received_dossier(session, world, now, applicant=applicant())
    records["at_office"] = fd.delivery_at_office(session, world, now, applicant=applicant())
    records["collect"] = fd.delivery_at_office(
        session, world, now, result_delivery="post_office", applicant=applicant()
    )
    records["counter"] = fd.ready_result(
        session, world, now, result_delivery="counter", applicant=applicant()
    )[0]
    records["out"] = fd.out_for_delivery(session, world, now, applicant=applicant())
    delivered = fd.delivered_result(session, world, now, applicant=applicant())
    delivered.attempts_made.append(
        DeliveryAttempt(
            number=1,
            outcome="delivered",
            at=now,
            signature_sha256=store.put(PNG + word.encode() + b"-signature"),
        )
    )
    records["delivered"] = delivered
    # A home pickup booked by the side's citizen near the side's office.
    lat, lon = spec["pickup_point"]  # type: ignore[misc]
    # The office index is re-read at most every few seconds: let this side's new office be found now.
    pickup_settings().cache.pop("office_index", None)
    records["pickup"] = f.booked_pickup(
        session,
        world,
        now,
        name=name,
        phone=phone,
        citizen_id=citizen_id,
        place=Place("01", commune, f"{commune} Phố Thử", lat, lon),
    )
    # Training: the operator's course and session, an enrolment and a certificate earned there.
    group = ft.procedure_group(session, ft.DEFAULT_GROUP)
    trainer = users[Role.TRAINER]
    course = ft.course(session, trainer, operator, [group], title=f"Khóa học {word}")
    run = ft.training_session(session, trainer, course, now, place=f"Phòng học {word}")
    (enrolment,) = ft.enrolled(session, trainer, run, world["second_postman"], now=now)
    passed = ft.passed(session, trainer, run, users[Role.POSTAL_MANAGER], now)
    records.update(course=course, session=run, enrolment=enrolment, passed=passed)
    records["certificate"] = issue(session, trainer, passed, now)
    # Webhooks: an endpoint of the unit, one of the operator, and a message to the unit's.
    records["endpoint"], _ = f.webhook_endpoint(
        session, unit, url=f"https://hooks.example.com/{word.lower()}"
    )
    records["operator_endpoint"], _ = f.webhook_endpoint(
        session, operator, url=f"https://hooks.example.com/ops-{word.lower()}"
    )
    (records["message"],) = enqueue(
        session, [unit.id], "dossier.accepted", {"dossier_code": desk.code}, desk.code, now
    )
    # API keys, and a custody checkpoint of each custody chain.
    keys, key_ids = {}, {}
    for kind, org in (("unit", unit), ("operator", operator)):
        key, plaintext = create_api_key(session, org, f"Khóa API {word} {kind}", now)
        keys[kind], key_ids[kind] = plaintext, key.id
    records["unit_checkpoint"] = make_checkpoint(session, unit, now, secret_key)
    records["operator_checkpoint"] = make_checkpoint(session, operator, now, secret_key)
    records["statement"] = statements.prepare(session, users[Role.POSTAL_MANAGER], made, 2026, 11, now)
    session.flush()
    side = Side(label, operator, agency, unit, office, users, keys, key_ids, records)
    side.strings = _distinctive(session, side, name, phone, citizen_id)
    side.strings += [f"{word}-document", f"{word}-scan", f"{word}-signature"]
    return side


def _distinctive(session: Session, side: Side, *personal: str) -> list[str]:
    """What counts as the side's data in a body: its organizations', office's, staff's, course's, session's,
    document's, endpoints' and API keys' names, its citizen's personal data, its dossier and item numbers,
    manifest numbers, contract number, pickup reference and certificate number."""
    from postal_hub.core.users.models import ApiKey
    from postal_hub.intake.models import Dossier

    r = side.records
    strings = [*personal, side.operator.name, side.agency.name, side.unit.name, side.office.name]
    strings += [u.full_name for u in side.users.values()] + [r["world"]["second_postman"].full_name]
    strings += [r["course"].title, r["session"].place, r["document"].filename]
    strings += [r["endpoint"].url, r["operator_endpoint"].url]
    keys = sa.select(ApiKey).where(ApiKey.id.in_(side.key_ids.values()))
    strings += [k.name for k in session.scalars(keys)]
    for d in session.scalars(sa.select(Dossier).where(Dossier.unit_id == side.unit.id)):
        strings += [d.code, d.item_number]
    strings += [r["manifest"].number, r["draft_manifest"].number, r["contract"].number]
    strings += [r["pickup"].reference, r["certificate"].number]
    return [s for s in strings if s]

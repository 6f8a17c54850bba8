"""Demo results on their way back from the Hà Nội service centre, at each step, so the unit's, the
office's, the postman's and the citizen's screens all have something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.errors import DomainError
from postal_hub.core.files import FileStore
from postal_hub.core.geo.geocoder import GazetteerGeocoder
from postal_hub.core.notifications import InboxNotifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.delivery import runs
from postal_hub.delivery.handover import HandoverInput, hand_over
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.ratings import RatingInput, rate
from postal_hub.delivery.ready import ResultReady, mark_result_ready
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus, RatingLevel
from postal_hub.handoff import receiving, services
from postal_hub.handoff.status import Direction
from postal_hub.intake.custody import actor_label
from postal_hub.intake.models import Dossier
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, accept

UNIT_CODE = "000.00.01.H26"
PROCEDURE_CODE = "1.012783"
# (name, citizen ID, phone, commune, street, how the result comes back, fee due on delivery, stage)
RESULTS = [
    ("Bùi Thị Thanh", "001187010203", "0912100101", "00070", "18 Hàng Bông", "home", 0, "at_unit"),
    ("Quách Văn Long", "001083020304", "0912100202", "00082", "4 Hai Bà Trưng", "post_office", 0, "sent"),
    (
        "Kiều Thị Nga",
        "001191030405",
        "0912100303",
        "00004",
        "27 Hàng Cót",
        "post_office",
        50_000,
        "at_office",
    ),
    ("Đoàn Minh Phát", "001086040506", "0912100404", "00097", "6 Phúc Xá", "home", 30_000, "at_office"),
    ("Lưu Thị Quyên", "001193050607", "0912100505", "00070", "33 Hàng Buồm", "home", 0, "at_office"),
    ("Phan Thị Hoa", "001189060708", "0912100606", "00082", "11 Lý Thái Tổ", "post_office", 0, "delivered"),
]
# A 1x1 white PNG: the demo's handover at the counter needs a proof picture.
DEMO_SIGNATURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4b10000000049454e44ae426082"
)


def seed_deliveries(session: Session, now: datetime, secret: str, store: FileStore) -> int:
    """Returns how many demo results were made (0 when they exist already or the world is missing)."""
    if session.scalar(sa.select(sa.func.count()).select_from(Delivery)):
        return 0
    clerk = session.scalar(sa.select(User).where(User.username == "clerk"))
    officer = session.scalar(sa.select(User).where(User.username == "officer"))
    office = session.scalar(sa.select(PostOffice).where(PostOffice.code == "100000"))
    unit = session.scalar(sa.select(Organization).where(Organization.code == UNIT_CODE))
    procedure = session.scalar(sa.select(Procedure).where(Procedure.code == PROCEDURE_CODE))
    if None in (clerk, officer, office, unit, procedure):
        return 0
    assert clerk and officer and office and unit and procedure
    try:
        with session.begin_nested():
            made = _seed(session, clerk, officer, office, unit, procedure, now)
            _on_the_postmans_run(session, office, now)
            _handed_over_and_rated(session, clerk, now, secret, store)
            return made
    except DomainError:
        return 0  # the demo contracts changed; the rest of the demo still loads


def _seed(
    session: Session,
    clerk: User,
    officer: User,
    office: PostOffice,
    unit: Organization,
    procedure: Procedure,
    now: datetime,
) -> int:
    accepted_at = now - timedelta(days=12)
    dossiers: list[tuple[Dossier, str, int, str]] = []
    for name, cccd, phone, commune, street, method, due, stage in RESULTS:
        result = accept(
            session,
            clerk,
            office,
            AcceptanceInput(
                procedure_id=procedure.id,
                applicant=ApplicantInput(name, cccd, phone, "01", commune, street),
                present={c.code for c in procedure.components},
                result_delivery=method,
            ),
            accepted_at,
        )
        if isinstance(result, Dossier):
            dossiers.append((result, method, due, stage))
    if len(dossiers) < len(RESULTS):
        return 0
    carried = services.create_manifest(
        session,
        clerk,
        office,
        unit,
        [services.LineInput(d.code, f"HN-KQ{n:04d}") for n, (d, *_rest) in enumerate(dossiers, start=1)],
        accepted_at + timedelta(hours=2),
    )
    services.dispatch(session, clerk, carried, accepted_at + timedelta(hours=3))
    who = actor_label(officer)
    received_at = accepted_at + timedelta(hours=6)
    for line in carried.lines:
        receiving.confirm_line(session, officer, who, carried, line, True, None, "", received_at)
    receiving.close(session, officer.id, who, carried, received_at + timedelta(minutes=5))
    decided = now - timedelta(days=2)
    geocoder = GazetteerGeocoder()
    for dossier, _method, due, _stage in dossiers:
        summary = f"Giấy chứng nhận quyền sử dụng đất số {dossier.id:06d}"
        mark_result_ready(session, officer, who, dossier, ResultReady(summary, None, due), decided, geocoder)
    on_the_way = [d for d, _m, _due, stage in dossiers if stage in ("sent", "at_office", "delivered")]
    results = services.create_manifest(
        session,
        officer,
        office,
        unit,
        [services.LineInput(d.code, f"KQ-HN{d.id:05d}") for d in on_the_way],
        decided + timedelta(hours=1),
        "Kết quả trả qua bưu điện",
        direction=Direction.TO_POST,
    )
    sent_at = now - timedelta(days=1)
    services.dispatch(session, officer, results, sent_at)
    clerk_name = actor_label(clerk)
    for line, (_d, _m, _due, stage) in zip(
        results.lines, [x for x in dossiers if x[3] in ("sent", "at_office", "delivered")], strict=True
    ):
        if stage in ("at_office", "delivered"):
            receiving.confirm_line(
                session, clerk, clerk_name, results, line, True, None, "", sent_at + timedelta(hours=3)
            )
    session.flush()
    return len(dossiers)


def _on_the_postmans_run(session: Session, office: PostOffice, now: datetime) -> None:
    """The home deliveries waiting at the office go on the demo postman's run of their day: he can
    start the run and hand them over; the manager sees them on the day's plan."""
    manager = session.scalar(sa.select(User).where(User.username == "manager"))
    postman = session.scalar(sa.select(User).where(User.username == "postman"))
    if manager is None or postman is None:
        return
    waiting = session.scalars(
        sa.select(Delivery).where(
            Delivery.office_id == office.id,
            Delivery.method == DeliveryMethod.HOME.value,
            Delivery.status == DeliveryStatus.AT_OFFICE.value,
        )
    )
    for delivery in waiting:
        runs.assign(session, manager, delivery, postman, now)


def _handed_over_and_rated(
    session: Session, clerk: User, now: datetime, secret: str, store: FileStore
) -> None:
    """One result collected at the counter this morning, with the ID check and a signature, and rated."""
    delivery = session.scalar(
        sa.select(Delivery)
        .join(Dossier, Dossier.id == Delivery.dossier_id)
        .where(Dossier.applicant_name == "Phan Thị Hoa", Delivery.status == DeliveryStatus.AT_OFFICE.value)
    )
    if delivery is None:
        return
    dossier = delivery.dossier
    data = HandoverInput(id_digits=dossier.applicant_citizen_id[-4:], signature=DEMO_SIGNATURE)
    hand_over(session, clerk, delivery, data, now - timedelta(hours=1), secret, store, InboxNotifier())
    rate(
        session,
        dossier,
        RatingInput(RatingLevel.VERY_SATISFIED.value),
        RatingInput(RatingLevel.SATISFIED.value),
        now - timedelta(minutes=30),
    )

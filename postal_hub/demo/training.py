"""Demo training: procedure groups, courses of VNPost's training centre and of the Hà Nội service centre,
past sessions whose results leave certificates in every state, and an upcoming session with a waiting list.

Everything goes through the training services with past moments, so the dates, audit log and certificate
numbers read as if the trainers had done it; a second run finds each thing by its code or note and stops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import Role, User
from postal_hub.core.users.services import UserInput, save_user
from postal_hub.training import catalogue, certificates, enrolment, results, sessions
from postal_hub.training.models import Course, TrainingSession
from postal_hub.training.status import SessionStatus

DATA = Path(__file__).resolve().parent / "data"
OPERATOR_CODE = "VNPOST"
UNIT_CODE = "000.00.01.H26"

# (username, full name, role, organization code, office code): the unit's trainer and the postal staff
# whose results give the coverage screen, the reminders and the gate something to show.
TRAINING_USERS = [
    ("trainer2", "Đinh Thị Thảo", Role.TRAINER, UNIT_CODE, None),
    ("clerk2", "Phạm Thị Hồng", Role.POSTAL_CLERK, OPERATOR_CODE, "100000"),
    ("clerk3", "Đặng Văn Khoa", Role.POSTAL_CLERK, OPERATOR_CODE, "100000"),
    ("clerk4", "Bùi Thị Ngọc", Role.POSTAL_CLERK, OPERATOR_CODE, "100000"),
    ("postman2", "Ngô Văn Tài", Role.POSTMAN, OPERATOR_CODE, "100000"),
    ("clerk5", "Hoàng Thị Thu", Role.POSTAL_CLERK, OPERATOR_CODE, "122000"),
    ("clerk6", "Lý Văn Minh", Role.POSTAL_CLERK, OPERATOR_CODE, "122000"),
    ("manager2", "Trịnh Thị Yến", Role.POSTAL_MANAGER, OPERATOR_CODE, "122000"),
    ("postman3", "Kiều Văn Sơn", Role.POSTMAN, OPERATOR_CODE, "122000"),  # never trained
]

VNPOST_PLACE = "Trung tâm Đào tạo Bưu điện Việt Nam, Số 5 Phạm Hùng, Phường Từ Liêm, Thành phố Hà Nội"
UNIT_PLACE = "Hội trường tầng 2, 258 Võ Chí Công, Phường Phú Thượng, Thành phố Hà Nội"
# The training programme began this long ago: groups, then courses, then the first sessions.
PROGRAMME_START = timedelta(days=600)


@dataclass(frozen=True)
class DemoCourse:
    code: str
    title: str
    org_code: str
    trainer: str
    groups: tuple[str, ...]
    hours: int  # a session lasts hours / 8 days
    pass_mark: int
    validity_months: int
    outline: str


COURSES = [
    DemoCourse(
        "BD-HTTP-01",
        "Tiếp nhận hồ sơ hộ tịch, tư pháp và chứng thực qua dịch vụ bưu chính công ích",
        OPERATOR_CODE,
        "trainer",
        ("HT", "TP"),
        16,
        70,
        24,
        "Thành phần hồ sơ hộ tịch và chứng thực; kiểm tra giấy tờ tùy thân; lệ phí; số hóa hồ sơ.",
    ),
    DemoCourse(
        "BD-KDLD-01",
        "Tiếp nhận hồ sơ đăng ký kinh doanh và lao động – bảo hiểm xã hội",
        OPERATOR_CODE,
        "trainer",
        ("DKKD", "LDXH"),
        16,
        70,
        24,
        "Hồ sơ hộ kinh doanh, doanh nghiệp tư nhân; trợ cấp thất nghiệp; giấy phép lao động.",
    ),
    DemoCourse(
        "BD-GTXNC-01",
        "Tiếp nhận hồ sơ giao thông vận tải và xuất nhập cảnh",
        OPERATOR_CODE,
        "trainer",
        ("GT", "XNC"),
        8,
        75,
        12,
        "Đổi giấy phép lái xe; hộ chiếu phổ thông: ảnh, tờ khai, đối chiếu căn cước.",
    ),
    DemoCourse(
        "HCC-DDXD-01",
        "Quy trình tiếp nhận hồ sơ đất đai và xây dựng của Trung tâm Phục vụ hành chính công Hà Nội",
        UNIT_CODE,
        "trainer2",
        ("DD", "XD"),
        24,
        75,
        12,
        "Giấy chứng nhận quyền sử dụng đất: đăng ký biến động, cấp đổi, cấp lại, tách thửa; giấy phép "
        "xây dựng nhà ở riêng lẻ; bàn giao hồ sơ cho Trung tâm.",
    ),
]


@dataclass(frozen=True)
class DemoSession:
    course: str
    note: str  # with the course, what a second run finds the session by
    months_ago: int  # the last day is this many months before today...
    days_later: int  # ...plus these days (moved back to fit the working week)
    capacity: int
    # (username, score, days absent): the absences are the first days of the session
    trainees: list[tuple[str, int, int]]
    revoked: dict[str, str] = field(default_factory=dict)  # username -> reason


STAFF = "nhân viên Bưu điện Trung tâm Hà Nội và Bưu cục Cầu Giấy"
SESSIONS = [
    # Expired three months ago: the holder is on the waiting list of the refresher below.
    DemoSession("BD-GTXNC-01", f"Khóa 1 — {STAFF}", 15, 0, 20, [("clerk6", 88, 0)]),
    # Issued a year ago less 20 days, valid 12 months: expires within 30 days (the reminder job's case).
    DemoSession("BD-GTXNC-01", f"Khóa 2 — {STAFF}", 12, 20, 20, [("clerk2", 84, 0)]),
    # Valid 12 months, expires in 60 to 90 days.
    DemoSession("HCC-DDXD-01", "Khóa 1 — bưu điện trên địa bàn Hà Nội", 12, 75, 20, [("clerk5", 90, 0)]),
    DemoSession(
        "BD-HTTP-01",
        f"Khóa 1 — {STAFF}",
        5,
        0,
        25,
        [
            ("clerk", 92, 0),
            ("postman", 81, 0),
            ("manager", 88, 0),
            ("clerk2", 86, 0),
            ("clerk3", 79, 0),
            ("clerk4", 85, 1),  # a good score, but one of the two days missed: fails on attendance
            ("postman2", 55, 0),  # below the pass mark
            ("clerk5", 83, 0),
            ("manager2", 90, 0),
        ],
    ),
    DemoSession(
        "HCC-DDXD-01",
        "Khóa 2 — bưu điện trên địa bàn Hà Nội",
        4,
        0,
        20,
        [("clerk", 89, 0), ("postman", 80, 0), ("manager", 91, 0), ("clerk2", 82, 0), ("manager2", 86, 0)],
        revoked={
            "manager2": "Biên bản kiểm tra của Trung tâm: tiếp nhận hồ sơ đất đai khi thiếu bản chính "
            "Giấy chứng nhận. Phải học lại trước khi tiếp nhận hồ sơ đất đai, xây dựng."
        },
    ),
    DemoSession(
        "BD-KDLD-01",
        f"Khóa 1 — {STAFF}",
        3,
        0,
        25,
        [("clerk", 87, 0), ("postman", 78, 0), ("manager", 90, 0)],
    ),
    DemoSession(
        "BD-GTXNC-01",
        f"Khóa 3 — {STAFF}",
        2,
        0,
        20,
        [("clerk", 93, 0), ("postman", 85, 0), ("manager", 89, 0)],
    ),
]
# Planned in a few weeks: three seats for four people, so the last to ask waits.
UPCOMING = DemoSession("BD-HTTP-01", f"Khóa 2 — {STAFF}", 0, 18, 3, [])
UPCOMING_TRAINEES = ["postman2", "clerk4", "postman3", "clerk6"]


@dataclass
class TrainingReport:
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, password)
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local working-day moment, as the aware UTC datetime the services expect."""
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    assert user is not None, username
    return user


def seed_groups(session: Session, now: datetime) -> int:
    """The procedure groups certificates cover, by code; they must exist before procedures are imported."""
    made = 0
    for row in json.loads((DATA / "procedure_groups.json").read_text(encoding="utf-8")):
        if session.scalar(sa.select(ProcedureGroup.id).where(ProcedureGroup.code == row["code"])) is None:
            data = catalogue.GroupInput(row["code"], row["name"], row["description"])
            catalogue.save_group(session, _user(session, "admin"), data, now - PROGRAMME_START)
            made += 1
    return made


def _ensure_users(session: Session, password: str, report: TrainingReport) -> None:
    for username, full_name, role, org_code, office_code in TRAINING_USERS:
        if session.scalar(sa.select(User.id).where(User.username == username)) is None:
            org = session.scalar(sa.select(Organization).where(Organization.code == org_code))
            office = session.scalar(sa.select(PostOffice).where(PostOffice.code == office_code))
            assert org is not None
            save_user(
                session,
                None,
                UserInput(
                    username=username,
                    full_name=full_name,
                    role=role.value,
                    organization_id=org.id,
                    post_office_id=office.id if office is not None else None,
                    password=password,
                ),
            )
            report.counts["training_users_created"] += 1
        report.users.append((role.label, username, password))


def _ensure_course(session: Session, spec: DemoCourse, now: datetime) -> Course:
    course = session.scalar(sa.select(Course).where(Course.code == spec.code))
    if course is not None:
        return course
    org = session.scalar(sa.select(Organization).where(Organization.code == spec.org_code))
    assert org is not None
    groups = session.scalars(sa.select(ProcedureGroup.id).where(ProcedureGroup.code.in_(spec.groups)))
    data = catalogue.CourseInput(
        code=spec.code,
        title=spec.title,
        organization_id=org.id,
        duration_hours=spec.hours,
        pass_mark=spec.pass_mark,
        validity_months=spec.validity_months,
        min_attendance=80,
        outline=spec.outline,
        group_ids=list(groups),
    )
    return catalogue.save_course(session, _user(session, spec.trainer), data, now)


def _days(today: date, spec: DemoSession, length: int) -> tuple[date, date]:
    """First and last day, the whole session inside one Monday-to-Friday week."""
    last = certificates.add_months(today, -spec.months_ago) + timedelta(days=spec.days_later)
    while not length - 1 <= last.weekday() <= 4:
        last -= timedelta(days=1)
    return last - timedelta(days=length - 1), last


def _plan(
    session: Session, course: Course, spec: DemoSession, trainer: User, today: date
) -> TrainingSession | None:
    """A new session, planned a month ahead of its first day; None when a first run made it already."""
    if session.scalar(
        sa.select(TrainingSession.id).where(
            TrainingSession.course_id == course.id, TrainingSession.note == spec.note
        )
    ):
        return None
    first, last = _days(today, spec, max(1, course.duration_hours // 8))
    place = VNPOST_PLACE if course.organization.code == OPERATOR_CODE else UNIT_PLACE
    data = sessions.SessionInput(first, last, trainer.id, spec.capacity, place=place, note=spec.note)
    return sessions.save_session(session, trainer, course, data, _at(first - timedelta(days=30), 9))


def _run_past(session: Session, course: Course, trainer: User, spec: DemoSession, today: date) -> int:
    """Enrol, take attendance each day, score on the last day, certify the passes, close; then revoke."""
    record = _plan(session, course, spec, trainer, today)
    if record is None:
        return 0
    enrolled_at = _at(record.starts_on - timedelta(days=21), 9)
    trainees = []
    for n, (username, score, absent) in enumerate(spec.trainees):
        staff = _user(session, username)
        moment = enrolled_at + timedelta(minutes=10 * n)
        trainees.append((enrolment.enrol(session, trainer, record, staff, moment), score, absent))
    for index, day in enumerate(record.days):
        for entry, _score, absent in trainees:
            results.record_attendance(session, trainer, entry, day, index >= absent, _at(day, 16, 30))
    assessed = _at(record.ends_on, 17)
    for entry, score, _absent in trainees:
        results.record_score(session, trainer, entry, score, assessed)
    issued = certificates.issue_all_passed(session, trainer, record, assessed + timedelta(minutes=30))
    sessions.set_session_status(
        session, trainer, record, SessionStatus.COMPLETED, assessed + timedelta(hours=1)
    )
    for certificate in issued:
        reason = spec.revoked.get(certificate.holder.username)
        if reason:
            certificates.revoke(
                session, trainer, certificate, reason, _at(record.ends_on + timedelta(days=40), 10)
            )
    return len(issued)


def _plan_upcoming(session: Session, course: Course, trainer: User, today: date, now: datetime) -> None:
    """The manager puts four of the operator's staff down for three seats: the last to ask waits."""
    record = _plan(session, course, UPCOMING, trainer, today)
    if record is None:
        return
    manager = _user(session, "manager")
    for n, username in enumerate(UPCOMING_TRAINEES):
        moment = now - timedelta(days=6) + timedelta(hours=n)
        enrolment.enrol(session, manager, record, _user(session, username), moment)


def seed_training(session: Session, password: str, now: datetime) -> TrainingReport:
    """Certificates for the demo clerk, postman and manager in every group, issued months before any demo
    dossier is accepted, so the gate lets the other demo seeds through; the others show each other state."""
    report = TrainingReport(
        counts=dict.fromkeys(("training_users_created", "courses_created", "certificates_issued"), 0)
    )
    _ensure_users(session, password, report)
    today = to_local(now).date()
    courses: dict[str, tuple[Course, User]] = {}
    for course_spec in COURSES:
        known = session.scalar(sa.select(Course.id).where(Course.code == course_spec.code)) is not None
        course = _ensure_course(session, course_spec, now - PROGRAMME_START + timedelta(days=30))
        courses[course_spec.code] = (course, _user(session, course_spec.trainer))
        report.counts["courses_created"] += 0 if known else 1
    for spec in SESSIONS:
        report.counts["certificates_issued"] += _run_past(session, *courses[spec.course], spec, today)
    _plan_upcoming(session, *courses[UPCOMING.course], today, now)
    session.flush()
    return report

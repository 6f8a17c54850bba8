"""Course → session → enrolment → attendance → assessment → certificate, with the refusals on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from postal_hub.training import certificates, enrolment, results
from postal_hub.training.catalogue import (
    CourseInput,
    GroupInput,
    assign_field,
    save_course,
    save_group,
    set_course_active,
    set_group_active,
)
from postal_hub.training.models import Certificate, Enrolment
from postal_hub.training.sessions import SessionInput, save_session, set_session_status
from postal_hub.training.status import EnrolmentStatus, SessionStatus
from tests import factories
from tests.factories_training import course, procedure_group, training_session

DAY1 = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday, 09:00 in Hanoi
DAY2 = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # Tuesday, 16:00 in Hanoi


def _world(session: Session, capacity: int = 10) -> dict[str, Any]:
    op = factories.operator(session)
    office = factories.post_office(session, op)
    trainer = factories.user(session, Role.TRAINER, organization=op)
    group = procedure_group(session)
    made = course(session, trainer, op, [group], pass_mark=70, min_attendance=80, validity_months=24)
    run = training_session(session, trainer, made, DAY1, capacity=capacity)
    clerks = [
        factories.user(session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
        for _ in range(3)
    ]
    return {
        "operator": op,
        "office": office,
        "trainer": trainer,
        "group": group,
        "course": made,
        "run": run,
        "clerks": clerks,
    }


def _attend(session: Session, w: dict[str, Any], line: Enrolment, days: int = 2) -> None:
    for day in w["run"].days[:days]:
        results.record_attendance(session, w["trainer"], line, day, True, DAY2)


def test_a_trainee_who_attends_and_scores_the_pass_mark_gets_a_certificate_for_the_course_groups(
    session: Session,
) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    assert results.record_score(session, w["trainer"], line, 70, DAY2) is True
    cert = certificates.issue(session, w["trainer"], line, DAY2)
    assert cert.number.startswith("CC-2026-")
    assert [g.code for g in cert.groups] == [w["group"].code]
    assert (cert.issued_on, cert.expires_on) == (date(2026, 11, 17), date(2028, 11, 17))
    assert cert.issuer_id == w["operator"].id
    assert line.status == EnrolmentStatus.PASSED


def test_a_good_score_with_too_little_attendance_is_a_fail(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line, days=1)  # 50% of two days, the rule is 80%
    assert results.record_score(session, w["trainer"], line, 95, DAY2) is False
    assert line.status == EnrolmentStatus.FAILED


def test_a_certificate_for_a_fail_is_refused(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 40, DAY2)
    with pytest.raises(Conflict, match=w["clerks"][0].full_name):
        certificates.issue(session, w["trainer"], line, DAY2)


def test_issuing_twice_for_one_enrolment_is_refused(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 80, DAY2)
    first = certificates.issue(session, w["trainer"], line, DAY2)
    with pytest.raises(Conflict, match=first.number):
        certificates.issue(session, w["trainer"], line, DAY2)
    assert session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


@pytest.mark.parametrize("score", [-1, 101, None])
def test_a_score_outside_0_to_100_is_refused_naming_the_field(session: Session, score: int | None) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(ValidationFailed) as caught:
        results.record_score(session, w["trainer"], line, score, DAY2)
    assert f"score-{line.id}" in caught.value.fields
    assert line.score is None


def test_attendance_for_a_day_outside_the_session_is_refused(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(ValidationFailed) as caught:
        results.record_attendance(session, w["trainer"], line, date(2026, 11, 18), True, DAY2)
    assert "18/11/2026" in caught.value.fields["day"]


def test_attendance_for_a_day_still_to_come_is_refused(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(ValidationFailed):
        results.record_attendance(session, w["trainer"], line, date(2026, 11, 17), True, DAY1)


def test_enrolment_past_capacity_goes_on_the_waiting_list(session: Session) -> None:
    w = _world(session, capacity=2)
    lines = [enrolment.enrol(session, w["trainer"], w["run"], c, DAY1) for c in w["clerks"]]
    assert [e.status for e in lines] == ["enrolled", "enrolled", "waitlisted"]


def test_enrolment_past_capacity_without_a_waiting_list_is_refused(session: Session) -> None:
    w = _world(session, capacity=1)
    enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(Conflict, match="1"):
        enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][1], DAY1, waitlist=False)


def test_a_withdrawal_gives_the_seat_to_the_first_on_the_waiting_list(session: Session) -> None:
    w = _world(session, capacity=1)
    first = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    second = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][1], DAY1)
    enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][2], DAY1)
    promoted = enrolment.withdraw(session, w["trainer"], first, DAY1)
    assert promoted is second and second.status == EnrolmentStatus.ENROLLED
    assert enrolment.seats_taken(w["run"]) == 1


def test_enrolling_the_same_person_twice_is_refused(session: Session) -> None:
    w = _world(session)
    enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(Conflict, match=w["clerks"][0].full_name):
        enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)


def test_a_manager_enrols_their_own_staff_but_not_another_operators(session: Session) -> None:
    w = _world(session)
    manager = factories.user(session, Role.POSTAL_MANAGER, organization=w["operator"])
    other = factories.user(session, Role.POSTAL_CLERK, organization=factories.operator(session))
    assert enrolment.enrol(session, manager, w["run"], w["clerks"][0], DAY1).status == "enrolled"
    with pytest.raises(PermissionDenied):
        enrolment.enrol(session, manager, w["run"], other, DAY1)


def test_only_postal_staff_are_enrolled(session: Session) -> None:
    w = _world(session)
    officer = factories.user(session, Role.UNIT_OFFICER)
    with pytest.raises(ValidationFailed) as caught:
        enrolment.enrol(session, w["trainer"], w["run"], officer, DAY1)
    assert "user_id" in caught.value.fields


def test_revoking_without_a_reason_is_refused(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 90, DAY2)
    cert = certificates.issue(session, w["trainer"], line, DAY2)
    with pytest.raises(ValidationFailed) as caught:
        certificates.revoke(session, w["trainer"], cert, "   ", DAY2)
    assert "reason" in caught.value.fields
    assert cert.revoked_at is None


def test_a_revoked_certificate_is_no_longer_valid(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 90, DAY2)
    cert = certificates.issue(session, w["trainer"], line, DAY2)
    certificates.revoke(session, w["trainer"], cert, "Vi phạm quy trình tiếp nhận", DAY2)
    assert certificates.valid_certificates(session, w["clerks"][0].id, date(2026, 11, 18)) == []


def test_results_cannot_change_once_a_certificate_is_issued(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 90, DAY2)
    certificates.issue(session, w["trainer"], line, DAY2)
    with pytest.raises(Conflict):
        results.record_score(session, w["trainer"], line, 10, DAY2)


def test_a_session_completes_only_when_every_trainee_is_assessed(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(Conflict, match=w["clerks"][0].full_name):
        set_session_status(session, w["trainer"], w["run"], SessionStatus.COMPLETED, DAY2)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 90, DAY2)
    set_session_status(session, w["trainer"], w["run"], SessionStatus.COMPLETED, DAY2)
    assert w["run"].status == SessionStatus.COMPLETED


def test_cancelling_a_session_needs_a_reason_and_withdraws_everyone(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(ValidationFailed):
        set_session_status(session, w["trainer"], w["run"], SessionStatus.CANCELLED, DAY1)
    set_session_status(session, w["trainer"], w["run"], SessionStatus.CANCELLED, DAY1, "Giảng viên ốm")
    assert line.status == EnrolmentStatus.WITHDRAWN


def test_a_clerk_cannot_record_scores(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    with pytest.raises(PermissionDenied):
        results.record_score(session, w["clerks"][1], line, 90, DAY2)


def test_a_trainer_of_another_organization_cannot_add_sessions_to_the_course(session: Session) -> None:
    w = _world(session)
    stranger = factories.user(session, Role.TRAINER, organization=factories.operator(session))
    data = SessionInput(date(2026, 12, 1), date(2026, 12, 2), stranger.id, 10, place="Hà Nội")
    with pytest.raises(PermissionDenied):
        save_session(session, stranger, w["course"], data, DAY1)


def test_a_session_ending_before_it_starts_is_refused(session: Session) -> None:
    w = _world(session)
    data = SessionInput(date(2026, 12, 2), date(2026, 12, 1), w["trainer"].id, 10, place="Hà Nội")
    with pytest.raises(ValidationFailed) as caught:
        save_session(session, w["trainer"], w["course"], data, DAY1)
    assert "ends_on" in caught.value.fields


def test_a_course_needs_a_group_and_a_pass_mark_within_0_to_100(session: Session) -> None:
    w = _world(session)
    data = CourseInput("KH-X", "Khóa", w["operator"].id, 8, 120, 12, group_ids=[])
    with pytest.raises(ValidationFailed) as caught:
        save_course(session, w["trainer"], data, DAY1)
    assert {"pass_mark", "group_ids"} <= set(caught.value.fields)


def test_assigning_a_field_puts_its_procedures_in_the_group(session: Session) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    group = save_group(session, admin, GroupInput("dd", "Đất đai"), DAY1)
    land = factories.procedure(session, field="Đất đai")
    other = factories.procedure(session, field="Hộ tịch")
    assert assign_field(session, admin, group, "Đất đai", DAY1) == 1
    assert (land.group_id, other.group_id != group.id) == (group.id, True)
    assert group.code == "DD"


def test_add_months_keeps_the_day_or_falls_back_to_the_months_end() -> None:
    assert certificates.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert certificates.add_months(date(2026, 11, 17), 24) == date(2028, 11, 17)
    assert certificates.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_no_certificate_is_issued_on_a_cancelled_session(session: Session) -> None:
    w = _world(session)
    line = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    _attend(session, w, line)
    results.record_score(session, w["trainer"], line, 90, DAY2)
    set_session_status(session, w["trainer"], w["run"], SessionStatus.CANCELLED, DAY2, "Phòng học hỏng")
    with pytest.raises(Conflict):
        certificates.issue(session, w["trainer"], line, DAY2)


def test_completing_a_session_withdraws_those_still_waiting(session: Session) -> None:
    w = _world(session, capacity=1)
    seated = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][0], DAY1)
    waiting = enrolment.enrol(session, w["trainer"], w["run"], w["clerks"][1], DAY1)
    _attend(session, w, seated)
    results.record_score(session, w["trainer"], seated, 90, DAY2)
    set_session_status(session, w["trainer"], w["run"], SessionStatus.COMPLETED, DAY2)
    assert waiting.status == EnrolmentStatus.WITHDRAWN


def test_a_session_is_run_by_a_trainer_of_the_courses_organization(session: Session) -> None:
    w = _world(session)
    outsider = factories.user(session, Role.TRAINER, organization=factories.operator(session))
    data = SessionInput(date(2026, 12, 1), date(2026, 12, 2), outsider.id, 10, place="Hà Nội")
    with pytest.raises(ValidationFailed) as caught:
        save_session(session, w["trainer"], w["course"], data, DAY1)
    assert "trainer_id" in caught.value.fields


def test_an_inactive_course_takes_no_new_session(session: Session) -> None:
    w = _world(session)
    set_course_active(session, w["trainer"], w["course"], False, DAY1)
    data = SessionInput(date(2026, 12, 1), date(2026, 12, 2), w["trainer"].id, 10, place="Hà Nội")
    with pytest.raises(Conflict):
        save_session(session, w["trainer"], w["course"], data, DAY1)


def test_attendance_is_taken_on_working_days_only(session: Session) -> None:
    w = _world(session)
    friday_to_monday = training_session(
        session, w["trainer"], w["course"], DAY1, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 23)
    )
    assert friday_to_monday.days == [date(2026, 11, 20), date(2026, 11, 23)]


def test_a_group_with_active_procedures_cannot_be_deactivated(session: Session) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    group = procedure_group(session)
    factories.procedure(session, group_id=group.id)
    with pytest.raises(Conflict):
        set_group_active(session, admin, group, False, DAY1)
    assert group.active is True


def test_a_procedure_keeps_its_group_when_edited_after_the_group_was_deactivated(session: Session) -> None:
    from postal_hub.core.procedures.services import ComponentInput, ProcedureInput, save_procedure

    group = procedure_group(session)
    procedure = factories.procedure(session, group_id=group.id)
    group.active = False
    session.flush()
    data = ProcedureInput(
        code=procedure.code,
        name="Tên mới",
        competent_level="commune",
        processing_days=3,
        group_id=group.id,
        components=[ComponentInput("TP1", "Tờ khai", True, 1)],
    )
    assert save_procedure(session, None, data, procedure).group_id == group.id

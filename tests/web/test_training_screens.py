"""Training screens: the hub, the catalogue (groups, courses, new sessions) and the certificates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.procedures.models import Procedure, ProcedureGroup
from postal_hub.core.users.models import Role, User
from postal_hub.training.models import Certificate, Course, TrainingSession
from tests import factories
from tests.conftest import AuthActions
from tests.factories_training import (
    certificate,
    course,
    enrolled,
    expiring_in,
    procedure_group,
    training_session,
)
from tests.fakes import FixedClock

TODAY = date(2026, 11, 20)  # the FixedClock's day in Hanoi


def sign_in(client: FlaskClient, auth: AuthActions, user: User) -> None:
    """Signed in, and in English: the assertions read the English messages."""
    auth.sign_in(user.username)
    client.post("/language", data={"language": "en", "next": "/"})


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    op = factories.operator(session)
    office = factories.post_office(session, op)
    other_op = factories.operator(session)
    trainer = factories.user(session, Role.TRAINER, organization=op)
    group = procedure_group(session, name="Hộ tịch")
    made = course(session, trainer, op, [group], title="Tiếp nhận hồ sơ hộ tịch")
    people = {
        "admin": factories.user(session, Role.SYSTEM_ADMIN),
        "trainer": trainer,
        "manager": factories.user(session, Role.POSTAL_MANAGER, organization=op),
        "clerk": factories.user(
            session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id, full_name="Trần Thị Bích"
        ),
        "other_clerk": factories.user(session, Role.POSTAL_CLERK, organization=other_op),
        "other_trainer": factories.user(session, Role.TRAINER, organization=other_op),
        "officer": factories.user(session, Role.UNIT_OFFICER),
    }
    session.commit()
    return {
        "operator": op,
        "office": office,
        "other_operator": other_op,
        "group": group,
        "course": made,
        **people,
    }


# ---- the hub ------------------------------------------------------------------------------------------


def test_the_hub_shows_a_clerk_their_certificate_with_its_groups_and_expiry(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["clerk"])
    page = page_of(client, "/training")
    assert f'href="/training/certificates/{cert.id}"' in page
    assert "Hộ tịch" in page and cert.expires_on.strftime("%d/%m/%Y") in page


def test_the_hub_greys_an_expired_certificate(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    expiring_in(session, world["clerk"], [world["group"]], TODAY, -5)
    session.commit()
    sign_in(client, auth, world["clerk"])
    assert "cert-item--expired" in page_of(client, "/training")


def test_the_hub_lists_a_clerks_own_enrolments_with_their_status(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    run = training_session(session, world["trainer"], world["course"], clock.now(), capacity=1)
    enrolled(session, world["trainer"], run, world["other_clerk"], world["clerk"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["clerk"])
    page = page_of(client, "/training")
    assert "Tiếp nhận hồ sơ hộ tịch" in page and "On the waiting list" in page


def test_the_hub_shows_a_trainer_upcoming_sessions_with_seats_and_waiting_list(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    run = training_session(
        session,
        world["trainer"],
        world["course"],
        clock.now(),
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 2),
        capacity=1,
    )
    enrolled(session, world["trainer"], run, world["clerk"], world["other_clerk"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    page = page_of(client, "/training")
    assert f'href="/training/sessions/{run.id}"' in page
    assert "1/1" in page and "01/12/2026" in page and world["trainer"].full_name in page


def test_the_hub_links_to_courses_and_certificates_for_a_postal_manager(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["manager"])
    page = page_of(client, "/training")
    assert 'href="/training/courses"' in page and 'href="/training/certificates"' in page


def test_the_hub_is_closed_to_a_one_stop_unit_officer(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["officer"])
    assert client.get("/training").status_code == 403


def test_the_hub_asks_a_visitor_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/training")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# ---- procedure groups ---------------------------------------------------------------------------------


def test_an_admin_creates_a_procedure_group(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["admin"])
    response = client.post(
        "/training/groups/new", data={"code": "dd", "name": "Đất đai", "description": "Thủ tục đất đai"}
    )
    assert response.status_code == 302
    made = session.scalar(sa.select(ProcedureGroup).where(ProcedureGroup.code == "DD"))
    assert made is not None and made.name == "Đất đai"


def test_the_group_list_counts_the_procedures_of_each_group(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    for _ in range(3):
        factories.procedure(session, group_id=world["group"].id)
    session.commit()
    sign_in(client, auth, world["admin"])
    page = page_of(client, "/training/groups")
    row = page[page.index(f'/training/groups/{world["group"].id}"') :]
    assert '<td data-label="Procedures" class="num">3</td>' in row[: row.index("</tr>")]


def test_a_group_code_already_used_is_refused_on_the_field(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["admin"])
    response = client.post("/training/groups/new", data={"code": world["group"].code, "name": "Trùng"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="code-err"' in page
    assert "Another group already uses this code." in page


def test_assigning_a_field_puts_all_its_procedures_in_the_group(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    land = procedure_group(session, "DD", "Đất đai")
    procedures = [factories.procedure(session, field="Đất đai") for _ in range(2)]
    other = factories.procedure(session, field="Hộ tịch")
    session.commit()
    sign_in(client, auth, world["admin"])
    assert "Đất đai (2)" in page_of(client, f"/training/groups/{land.id}")
    response = client.post(f"/training/groups/{land.id}/assign-field", data={"field": "Đất đai"})
    assert response.status_code == 302
    session.expire_all()
    assert {p.group_id for p in procedures} == {land.id}
    assert session.get(Procedure, other.id).group_id != land.id  # type: ignore[union-attr]


def test_a_trainer_cannot_open_the_procedure_groups(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    assert client.get("/training/groups").status_code == 403


def test_an_unknown_group_answers_404(client: FlaskClient, auth: AuthActions, world: dict[str, Any]) -> None:
    sign_in(client, auth, world["admin"])
    assert client.get("/training/groups/999999").status_code == 404


# ---- courses ------------------------------------------------------------------------------------------


def _course_form(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "DT-HT-09",
        "title": "Hộ tịch nâng cao",
        "organization_id": str(world["operator"].id),
        "group_ids": [str(world["group"].id)],
        "outline": "Khai sinh; kết hôn",
        "duration_hours": "12",
        "pass_mark": "75",
        "min_attendance": "80",
        "validity_months": "24",
    }
    data.update(overrides)
    return data


def test_a_trainer_creates_a_course_for_their_own_organization(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post("/training/courses/new", data=_course_form(world))
    assert response.status_code == 302
    made = session.scalar(sa.select(Course).where(Course.code == "DT-HT-09"))
    assert made is not None and made.pass_mark == 75 and [g.id for g in made.groups] == [world["group"].id]


def test_a_trainer_is_offered_only_their_own_organization(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    page = page_of(client, "/training/courses/new")
    assert world["operator"].name in page and world["other_operator"].name not in page


def test_a_course_without_groups_is_refused_with_a_message_on_the_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post("/training/courses/new", data=_course_form(world, group_ids=[]))
    assert response.status_code == 200
    assert "Choose at least one active procedure group" in response.get_data(as_text=True)
    assert session.scalar(sa.select(Course).where(Course.code == "DT-HT-09")) is None


def test_a_pass_mark_over_100_is_refused_on_its_field(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    page = client.post("/training/courses/new", data=_course_form(world, pass_mark="120")).get_data(
        as_text=True
    )
    assert 'id="pass_mark-err"' in page and "The pass mark is a score from 0 to 100." in page


def test_a_trainer_edits_their_course(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    made = world["course"]
    assert made.title in page_of(client, f"/training/courses/{made.id}/edit")
    response = client.post(
        f"/training/courses/{made.id}/edit", data=_course_form(world, code=made.code, title="Đổi tên")
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Course, made.id).title == "Đổi tên"  # type: ignore[union-attr]


def test_a_trainer_of_another_operator_cannot_edit_the_course(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["other_trainer"])
    assert client.get(f"/training/courses/{world['course'].id}/edit").status_code == 403


def test_the_course_list_filters_by_organization(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    theirs = course(
        session, world["other_trainer"], world["other_operator"], [world["group"]], title="Khóa khác"
    )
    session.commit()
    sign_in(client, auth, world["manager"])
    page = page_of(client, f"/training/courses?organization={world['operator'].id}")
    assert world["course"].code in page and theirs.code not in page


def test_a_clerk_cannot_open_the_course_list(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["clerk"])
    assert client.get("/training/courses").status_code == 403


def test_an_unknown_course_answers_404(client: FlaskClient, auth: AuthActions, world: dict[str, Any]) -> None:
    sign_in(client, auth, world["trainer"])
    assert client.get("/training/courses/999999").status_code == 404


def test_the_course_page_lists_its_sessions(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    run = training_session(session, world["trainer"], world["course"], clock.now())
    session.commit()
    sign_in(client, auth, world["manager"])
    page = page_of(client, f"/training/courses/{world['course'].id}")
    assert f'href="/training/sessions/{run.id}"' in page and "New session" not in page


# ---- new and edited sessions --------------------------------------------------------------------------


def _session_form(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "starts_on": "07/12/2026",
        "ends_on": "08/12/2026",
        "trainer_id": str(world["trainer"].id),
        "place": "Phòng 301, Bưu điện Hà Nội",
        "online_url": "",
        "capacity": "20",
        "note": "",
    }
    data.update(overrides)
    return data


def test_a_new_session_takes_dates_typed_day_first(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/courses/{world['course'].id}/sessions/new", data=_session_form(world))
    assert response.status_code == 302
    made = session.scalar(sa.select(TrainingSession).where(TrainingSession.course_id == world["course"].id))
    assert made is not None and (made.starts_on, made.ends_on) == (date(2026, 12, 7), date(2026, 12, 8))


def test_the_trainer_select_offers_the_courses_trainers_and_not_others(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/courses/{world['course'].id}/sessions/new")
    assert world["trainer"].full_name in page and world["other_trainer"].full_name not in page


def test_a_session_ending_before_it_starts_is_refused_on_the_last_day(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/courses/{world['course'].id}/sessions/new",
        data=_session_form(world, ends_on="01/12/2026"),
    )
    page = response.get_data(as_text=True)
    assert 'id="ends_on-err"' in page and "The last day cannot come before the first." in page


def test_a_date_that_is_not_a_date_is_refused(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/courses/{world['course'].id}/sessions/new",
        data=_session_form(world, starts_on="31/02/2026"),
    )
    assert 'id="starts_on-err"' in response.get_data(as_text=True)


def test_a_trainer_changes_the_capacity_of_a_planned_session(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    run = training_session(session, world["trainer"], world["course"], clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    assert "16/11/2026" in page_of(client, f"/training/sessions/{run.id}/edit")
    response = client.post(
        f"/training/sessions/{run.id}/edit",
        data=_session_form(world, starts_on="16/11/2026", ends_on="17/11/2026", capacity="30"),
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(TrainingSession, run.id).capacity == 30  # type: ignore[union-attr]


def test_a_postal_manager_cannot_create_a_session(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["manager"])
    assert client.get(f"/training/courses/{world['course'].id}/sessions/new").status_code == 403


# ---- certificates -------------------------------------------------------------------------------------


def test_a_clerk_opens_their_own_certificate(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["clerk"])
    page = page_of(client, f"/training/certificates/{cert.id}")
    assert cert.number in page and "Trần Thị Bích" in page and "Hộ tịch" in page
    assert "Revoke this certificate" not in page


def test_a_clerk_cannot_open_another_operators_certificate(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["other_clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["clerk"])
    assert client.get(f"/training/certificates/{cert.id}").status_code == 404


def test_an_unknown_certificate_answers_404(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["admin"])
    assert client.get("/training/certificates/999999").status_code == 404


def test_a_manager_lists_only_their_operators_certificates(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    mine = certificate(session, world["clerk"], [world["group"]])
    theirs = certificate(session, world["other_clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["manager"])
    page = page_of(client, "/training/certificates")
    assert mine.number in page and theirs.number not in page


def test_the_list_shows_the_certificates_expiring_within_30_days(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    soon = expiring_in(session, world["clerk"], [world["group"]], TODAY, 20)
    later = expiring_in(session, world["clerk"], [world["group"]], TODAY, 80)
    session.commit()
    sign_in(client, auth, world["manager"])
    page = page_of(client, "/training/certificates?within=30")
    assert soon.number in page and later.number not in page


def test_the_list_shows_only_revoked_certificates_when_asked(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    revoked = expiring_in(session, world["clerk"], [world["group"]], TODAY, 200, revoked=True)
    valid = expiring_in(session, world["clerk"], [world["group"]], TODAY, 200)
    session.commit()
    sign_in(client, auth, world["trainer"])
    page = page_of(client, "/training/certificates?state=revoked")
    assert revoked.number in page and valid.number not in page


def test_the_list_filters_by_procedure_group(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    land = procedure_group(session, "DD", "Đất đai")
    civil = expiring_in(session, world["clerk"], [world["group"]], TODAY, 200)
    on_land = expiring_in(session, world["clerk"], [land], TODAY, 200)
    session.commit()
    sign_in(client, auth, world["admin"])
    page = page_of(client, f"/training/certificates?group={land.id}")
    assert on_land.number in page and civil.number not in page


def test_the_list_finds_a_certificate_by_the_holders_name_without_accents(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    hers = certificate(session, world["clerk"], [world["group"]])
    other = certificate(session, world["manager"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["admin"])
    page = page_of(client, "/training/certificates?q=tran+thi+bich")
    assert hers.number in page and other.number not in page


def test_the_list_pages_through_many_certificates(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    for n in range(27):
        expiring_in(session, world["clerk"], [world["group"]], TODAY, 100 + n)
    session.commit()
    sign_in(client, auth, world["admin"])
    page = page_of(client, "/training/certificates")
    assert "Page 1 of 2" in page and "page=2" in page


def test_revoking_without_a_reason_is_refused(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/certificates/{cert.id}/revoke", data={"reason": "  "})
    assert response.status_code == 422 and 'id="reason-err"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Certificate, cert.id).revoked_at is None  # type: ignore[union-attr]


def test_a_trainer_of_the_issuer_revokes_a_certificate_with_a_reason(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/certificates/{cert.id}/revoke",
        data={"reason": "Vi phạm quy trình"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "is revoked" in page and "Vi phạm quy trình" in page and "status--cert-revoked" in page


def test_a_postal_manager_sees_no_revoke_form_and_cannot_revoke(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["manager"])
    assert "Revoke this certificate" not in page_of(client, f"/training/certificates/{cert.id}")
    assert client.post(f"/training/certificates/{cert.id}/revoke", data={"reason": "x"}).status_code == 403


def test_the_print_page_has_the_qr_code_the_verification_url_and_the_full_name(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["clerk"])
    page = page_of(client, f"/training/certificates/{cert.id}/print")
    assert '<svg role="img" aria-label="QR" class="qr"' in page
    assert f"http://127.0.0.1:5000/verify/certificates/{cert.number}" in page  # PUBLIC_BASE_URL
    assert "Trần Thị Bích" in page and "Hộ tịch" in page and "js-print" in page


def test_the_print_page_of_a_revoked_certificate_is_stamped_revoked(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]], revoked=True)
    session.commit()
    sign_in(client, auth, world["clerk"])
    assert "certificate__stamp" in page_of(client, f"/training/certificates/{cert.id}/print")


def test_the_print_page_of_another_operators_certificate_answers_404(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["other_clerk"], [world["group"]])
    session.commit()
    sign_in(client, auth, world["manager"])
    assert client.get(f"/training/certificates/{cert.id}/print").status_code == 404


def test_the_printed_verification_link_opens_the_public_check(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    cert = certificate(session, world["clerk"], [world["group"]], expires_on=TODAY + timedelta(days=300))
    session.commit()
    auth.sign_out()
    assert client.get(f"/verify/certificates/{cert.number}").status_code == 200

"""The session screens as a trainer runs them, a postal manager fills them and a clerk reads them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role, User
from postal_hub.training.models import Attendance, Certificate, Enrolment, TrainingSession
from postal_hub.training.status import EnrolmentStatus, SessionStatus
from tests import factories
from tests.conftest import AuthActions
from tests.factories_training import course, enrolled, passed, procedure_group, training_session
from tests.fakes import FixedClock

DAY1, DAY2 = date(2026, 11, 16), date(2026, 11, 17)  # the default session's days, before the clock's today


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
    office = factories.post_office(session, op, code="HN0101")
    other_op = factories.operator(session)
    trainer = factories.user(session, Role.TRAINER, organization=op)
    group = procedure_group(session, name="Hộ tịch")
    made = course(session, trainer, op, [group], pass_mark=70, min_attendance=80)
    run = training_session(session, trainer, made, clock.now(), capacity=2)

    def clerk(name: str, org: Any = op, **kw: Any) -> User:
        return factories.user(session, Role.POSTAL_CLERK, organization=org, full_name=name, **kw)

    people = {
        "trainer": trainer,
        "manager": factories.user(session, Role.POSTAL_MANAGER, organization=op),
        "other_manager": factories.user(session, Role.POSTAL_MANAGER, organization=other_op),
        "other_trainer": factories.user(session, Role.TRAINER, organization=other_op),
        "an": clerk("Nguyễn Văn An", post_office_id=office.id),
        "binh": clerk("Lê Thị Bình"),
        "cuong": clerk("Phạm Văn Cường"),
        "dung": clerk("Đỗ Thị Dung", other_op),
    }
    session.commit()
    return {"operator": op, "office": office, "group": group, "course": made, "run": run, **people}


def _line(session: Session, run: TrainingSession, user: User) -> Enrolment:
    found = session.scalar(
        sa.select(Enrolment).where(Enrolment.session_id == run.id, Enrolment.user_id == user.id)
    )
    assert found is not None
    return found


# ---- the path through the screens ---------------------------------------------------------------------


def test_a_trainer_takes_a_trainee_from_course_to_certificate_through_the_screens(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/courses/{world['course'].id}/sessions/new",
        data={
            "starts_on": "16/11/2026",
            "ends_on": "17/11/2026",
            "trainer_id": str(world["trainer"].id),
            "place": "Phòng 2",
            "capacity": "5",
        },
    )
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert world["an"].full_name in page_of(client, f"/training/sessions/{run_id}")
    client.post(f"/training/sessions/{run_id}/enrol", data={"user_id": str(world["an"].id)})
    line = session.scalar(sa.select(Enrolment).where(Enrolment.session_id == run_id))
    assert line is not None and line.status == EnrolmentStatus.ENROLLED
    cells = [f"{line.id}:{d.isoformat()}" for d in (DAY1, DAY2)]
    ticks = {f"att-{line.id}-{d.isoformat()}": "1" for d in (DAY1, DAY2)}
    client.post(f"/training/sessions/{run_id}/attendance", data={"cell": cells, **ticks})
    client.post(f"/training/sessions/{run_id}/scores", data={f"score-{line.id}": "85"})
    page = page_of(client, f"/training/sessions/{run_id}")
    assert "100%" in page and "status--enrol-passed" in page
    response = client.post(f"/training/sessions/{run_id}/enrolments/{line.id}/issue", follow_redirects=True)
    cert = session.scalar(sa.select(Certificate).where(Certificate.enrolment_id == line.id))
    assert cert is not None and cert.number in response.get_data(as_text=True)


# ---- enrolment ----------------------------------------------------------------------------------------


def test_enrolment_past_capacity_lands_on_the_waiting_list_and_the_page_says_so(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    run = world["run"]
    sign_in(client, auth, world["trainer"])
    for who in ("an", "binh"):
        client.post(f"/training/sessions/{run.id}/enrol", data={"user_id": str(world[who].id)})
    response = client.post(
        f"/training/sessions/{run.id}/enrol", data={"user_id": str(world["cuong"].id)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "The session is full: Phạm Văn Cường is on the waiting list (number 1)" in page
    assert 'id="waiting"' in page
    assert _line(session, run, world["cuong"]).status == EnrolmentStatus.WAITLISTED


def test_a_full_session_warns_before_enrolling(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    enrolled(session, world["trainer"], world["run"], world["an"], world["binh"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "anyone enrolled now goes on the waiting list" in page and "Put on the waiting list" in page


def test_withdrawing_a_trainee_gives_the_seat_to_the_first_on_the_waiting_list(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    run = world["run"]
    lines = enrolled(
        session, world["trainer"], run, world["an"], world["binh"], world["cuong"], now=clock.now()
    )
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/sessions/{run.id}/enrolments/{lines[0].id}/withdraw", follow_redirects=True
    )
    assert "Phạm Văn Cường takes the freed seat" in response.get_data(as_text=True)
    session.expire_all()
    assert _line(session, run, world["cuong"]).status == EnrolmentStatus.ENROLLED


def test_a_manager_enrols_a_clerk_of_their_own_operator(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["manager"])
    response = client.post(
        f"/training/sessions/{world['run'].id}/enrol", data={"user_id": str(world["an"].id)}
    )
    assert response.status_code == 302
    assert _line(session, world["run"], world["an"]).enrolled_by_id == world["manager"].id


def test_a_manager_is_offered_only_their_own_operators_staff(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["manager"])
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "Nguyễn Văn An" in page and "Đỗ Thị Dung" not in page


def test_a_manager_of_one_operator_cannot_enrol_staff_of_another(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["other_manager"])
    response = client.post(
        f"/training/sessions/{world['run'].id}/enrol", data={"user_id": str(world["an"].id)}
    )
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_the_trainer_finds_staff_to_enrol_by_office_code(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/sessions/{world['run'].id}?q=hn01")
    assert "Nguyễn Văn An" in page and "Lê Thị Bình" not in page


def test_the_trainer_finds_staff_to_enrol_by_name_without_accents(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/sessions/{world['run'].id}?q=le+thi+binh")
    assert "Lê Thị Bình" in page and "Nguyễn Văn An" not in page


def test_enrolling_someone_already_on_the_list_is_refused_with_a_message(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/sessions/{world['run'].id}/enrol",
        data={"user_id": str(world["an"].id)},
        follow_redirects=True,
    )
    assert "is already on this session" in response.get_data(as_text=True)


# ---- attendance ---------------------------------------------------------------------------------------


def test_attendance_saves_every_ticked_day_in_one_post(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    a, b = enrolled(session, world["trainer"], world["run"], world["an"], world["binh"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    cells = [f"{e.id}:{d.isoformat()}" for e in (a, b) for d in (DAY1, DAY2)]
    ticks = {f"att-{a.id}-{DAY1.isoformat()}": "1", f"att-{a.id}-{DAY2.isoformat()}": "1"}
    ticks[f"att-{b.id}-{DAY1.isoformat()}"] = "1"
    response = client.post(
        f"/training/sessions/{world['run'].id}/attendance",
        data={"cell": cells, **ticks},
        follow_redirects=True,
    )
    assert "3 marks changed" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 3


def test_unticking_a_day_records_the_absence(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.training.results import record_attendance

    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    record_attendance(session, world["trainer"], a, DAY1, True, clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    client.post(
        f"/training/sessions/{world['run'].id}/attendance", data={"cell": [f"{a.id}:{DAY1.isoformat()}"]}
    )
    session.expire_all()
    mark = session.scalar(sa.select(Attendance).where(Attendance.enrolment_id == a.id))
    assert mark is not None and mark.present is False


def test_attendance_for_a_day_outside_the_session_is_refused_naming_the_trainee_and_the_day(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(
        f"/training/sessions/{world['run'].id}/attendance",
        data={
            "cell": [f"{a.id}:{DAY1.isoformat()}", f"{a.id}:2026-11-19"],
            f"att-{a.id}-{DAY1.isoformat()}": "1",
            f"att-{a.id}-2026-11-19": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nguyễn Văn An, 19/11/2026" in page and "is not a day of this session" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0  # not even day one


def test_days_still_to_come_cannot_be_ticked(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    later = training_session(
        session,
        world["trainer"],
        world["course"],
        clock.now(),
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 21),
    )
    (a,) = enrolled(session, world["trainer"], later, world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/sessions/{later.id}")
    assert f'name="att-{a.id}-2026-11-20"' in page and f'name="att-{a.id}-2026-11-21"' not in page


# ---- scores and certificates --------------------------------------------------------------------------


def test_a_score_of_101_is_refused_with_a_message_on_the_field(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/sessions/{world['run'].id}/scores", data={f"score-{a.id}": "101"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="score-{a.id}-err">A score is a whole number from 0 to 100.</p>' in page
    assert 'value="101"' in page


def test_one_refused_score_saves_none_of_the_others(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    a, b = enrolled(session, world["trainer"], world["run"], world["an"], world["binh"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    client.post(
        f"/training/sessions/{world['run'].id}/scores", data={f"score-{a.id}": "80", f"score-{b.id}": "abc"}
    )
    session.expire_all()
    assert session.get(Enrolment, a.id).score is None  # type: ignore[union-attr]


def test_the_results_show_attendance_and_fail_a_trainee_who_missed_days(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.training.results import record_attendance

    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    record_attendance(session, world["trainer"], a, DAY1, True, clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    client.post(f"/training/sessions/{world['run'].id}/scores", data={f"score-{a.id}": "95"})
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "50%" in page and "status--enrol-failed" in page


def test_issuing_twice_is_refused(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    line = passed(session, world["trainer"], world["run"], world["an"], clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    url = f"/training/sessions/{world['run'].id}/enrolments/{line.id}/issue"
    client.post(url)
    response = client.post(url, follow_redirects=True)
    assert "was already issued on this result" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_issuing_to_all_who_passed_skips_those_who_failed(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.training.results import record_score

    passed(session, world["trainer"], world["run"], world["an"], clock.now())
    (failed,) = enrolled(session, world["trainer"], world["run"], world["binh"], now=clock.now())
    record_score(session, world["trainer"], failed, 30, clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/sessions/{world['run'].id}/issue", follow_redirects=True)
    assert "1 certificate issued" in response.get_data(as_text=True)
    holders = session.scalars(sa.select(Certificate.holder_id)).all()
    assert holders == [world["an"].id]


def test_completing_a_session_with_a_trainee_not_assessed_is_refused(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/sessions/{world['run'].id}/complete", follow_redirects=True)
    assert "Not assessed: Nguyễn Văn An" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(TrainingSession, world["run"].id).status == SessionStatus.PLANNED  # type: ignore[union-attr]


def test_a_completed_session_shows_its_results_without_inputs(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    line = passed(session, world["trainer"], world["run"], world["an"], clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    client.post(f"/training/sessions/{world['run'].id}/complete")
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "status--completed" in page and f'name="score-{line.id}"' not in page


def test_cancelling_without_a_reason_is_refused(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    response = client.post(f"/training/sessions/{world['run'].id}/cancel", data={"reason": ""})
    assert response.status_code == 422 and 'id="reason-err"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(TrainingSession, world["run"].id).status == SessionStatus.PLANNED  # type: ignore[union-attr]


def test_cancelling_with_a_reason_withdraws_everyone(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["trainer"])
    client.post(f"/training/sessions/{world['run'].id}/cancel", data={"reason": "Giảng viên ốm"})
    session.expire_all()
    assert session.get(Enrolment, a.id).status == EnrolmentStatus.WITHDRAWN  # type: ignore[union-attr]


def test_a_cancelled_session_offers_no_certificate_to_a_trainee_assessed_before(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    from postal_hub.training.sessions import set_session_status

    passed(session, world["trainer"], world["run"], world["an"], clock.now())
    set_session_status(session, world["trainer"], world["run"], SessionStatus.CANCELLED, clock.now(), "Hủy")
    session.commit()
    sign_in(client, auth, world["trainer"])
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "Issue certificates to all who passed" not in page and 'form="issue-' not in page


# ---- who sees what ------------------------------------------------------------------------------------


def test_a_clerk_sees_the_session_read_only_with_only_their_own_line(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    enrolled(session, world["trainer"], world["run"], world["an"], world["binh"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["an"])
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    assert "Nguyễn Văn An" in page and "Lê Thị Bình" not in page
    assert 'type="checkbox"' not in page and "Save scores" not in page and "Withdraw" not in page


def test_a_clerk_cannot_record_attendance(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["an"])
    response = client.post(
        f"/training/sessions/{world['run'].id}/attendance",
        data={"cell": [f"{a.id}:{DAY1.isoformat()}"], f"att-{a.id}-{DAY1.isoformat()}": "1"},
    )
    assert response.status_code == 403


def test_a_trainer_of_another_operator_cannot_record_scores(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    (a,) = enrolled(session, world["trainer"], world["run"], world["an"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["other_trainer"])
    response = client.post(f"/training/sessions/{world['run'].id}/scores", data={f"score-{a.id}": "90"})
    assert response.status_code == 403


def test_a_manager_sees_only_their_own_staff_on_the_roster(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    enrolled(session, world["trainer"], world["run"], world["an"], world["dung"], now=clock.now())
    session.commit()
    sign_in(client, auth, world["manager"])
    page = page_of(client, f"/training/sessions/{world['run'].id}")
    roster = page[page.index('id="roster"') :]
    assert "Nguyễn Văn An" in roster and "Đỗ Thị Dung" not in roster


def test_an_unknown_session_answers_404(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    sign_in(client, auth, world["trainer"])
    assert client.get("/training/sessions/999999").status_code == 404


def test_a_unit_officer_cannot_open_a_session(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER)
    session.commit()
    sign_in(client, auth, officer)
    assert client.get(f"/training/sessions/{world['run'].id}").status_code == 403


def test_the_session_list_shows_upcoming_sessions_and_past_ones_on_request(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    later = training_session(
        session,
        world["trainer"],
        world["course"],
        clock.now(),
        starts_on=date(2026, 12, 3),
        ends_on=date(2026, 12, 3),
    )
    session.commit()
    sign_in(client, auth, world["manager"])
    upcoming = page_of(client, "/training/sessions")
    past = page_of(client, "/training/sessions?when=past")
    assert (
        f'/training/sessions/{later.id}"' in upcoming
        and f'/training/sessions/{world["run"].id}"' not in upcoming
    )
    assert f'/training/sessions/{world["run"].id}"' in past


@contextmanager
def counting(connection: sa.Connection) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)


def test_the_session_page_costs_the_same_queries_for_two_trainees_or_five(
    session: Session,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, Any],
    clock: FixedClock,
    connection: sa.Connection,
) -> None:
    run = training_session(session, world["trainer"], world["course"], clock.now(), capacity=10)
    sign_in(client, auth, world["trainer"])
    passed(session, world["trainer"], run, world["an"], clock.now())
    enrolled(session, world["trainer"], run, world["binh"], now=clock.now())
    session.commit()
    with counting(connection) as few:
        page_of(client, f"/training/sessions/{run.id}")
    more = [factories.user(session, Role.POSTAL_CLERK, organization=world["operator"]) for _ in range(3)]
    enrolled(session, world["trainer"], run, *more, now=clock.now())
    session.commit()
    with counting(connection) as many:
        page_of(client, f"/training/sessions/{run.id}")
    assert few and len(many) == len(few)

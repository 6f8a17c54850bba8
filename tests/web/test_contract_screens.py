"""Contract screens as agency supervisors and postal managers use them, and what others cannot see."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.contracts import statements
from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import ContractStatus, TaskType
from postal_hub.contracts.tasks import create_task
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions, count
from tests.fakes import FixedClock


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    agency = factories.agency(session)
    unit = factories.unit(session, agency)
    operator = factories.operator(session)
    made = factories.contract(session, unit, operator)
    office = factories.post_office(session, operator)
    task = create_task(
        session, TaskType.HOME_PICKUP, unit, office, clock.now(), dossier_code="000.00.01.H26-261120-0001"
    )
    people = {
        "supervisor": factories.user(session, Role.AGENCY_SUPERVISOR, organization=agency),
        "officer": factories.user(session, Role.UNIT_OFFICER, organization=unit),
        "manager": factories.user(session, Role.POSTAL_MANAGER, organization=operator),
        "other_supervisor": factories.user(session, Role.AGENCY_SUPERVISOR),
        "other_manager": factories.user(session, Role.POSTAL_MANAGER),
        "clerk": factories.user(session, Role.POSTAL_CLERK, organization=operator),
    }
    session.commit()
    return {"contract": made, "unit": unit, "operator": operator, "agency": agency, "task": task, **people}


def _contract_form(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "number": "15/2026/HĐ-MỚI",
        "unit_id": str(world["unit"].id),
        "operator_id": str(world["operator"].id),
        "procurement_method": "open_bidding",
        "award_decision": "QĐ 15/QĐ-UBND",
        "signed_on": "2026-11-01",
        "valid_from": "2026-12-01",
        "valid_to": "2027-12-31",
        "home_pickup_on": "y",
        "home_pickup_sla": "8",
        "home_pickup_price": "30.000",
        "working_hours": "1",
        "all_procedures": "1",
        "nationwide": "0",
        "province_codes": ["48"],
        "page_price": "0",
        "penalty_per_breach": "10.000",
    }
    data.update(overrides)
    return data


def test_a_supervisor_drafts_assesses_and_activates_a_contract(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    other_operator = factories.operator(session)  # the fixture's contract already covers this operator
    session.commit()
    auth.sign_in(world["supervisor"].username)
    response = client.post("/contracts/new", data=_contract_form(world, operator_id=str(other_operator.id)))
    assert response.status_code == 302
    made = session.scalar(sa.select(Contract).where(Contract.number == "15/2026/HĐ-MỚI"))
    assert made is not None and made.status == ContractStatus.DRAFT
    client.post(
        f"/contracts/{made.id}/assessment",
        data={
            "assessed_on": "2026-11-10",
            "unit_facilities": "Quầy, máy quét",
            "unit_staff": "4",
            "operator_offices": "9",
            "operator_staff": "30",
            "trained_staff": "12",
            "conclusion": "Đủ năng lực",
            "signed_by": "Trần Văn C",
        },
    )
    client.post(f"/contracts/{made.id}/status", data={"target": "active"})
    session.refresh(made)
    assert made.status == ContractStatus.ACTIVE


def test_a_contract_form_with_several_mistakes_reports_each_and_saves_nothing(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    before = count(session, Contract)
    page = client.post(
        "/contracts/new",
        data=_contract_form(
            world,
            number="",
            valid_to="2026-11-30",
            home_pickup_sla="0",
            home_pickup_price="-5",
            province_codes=[],
        ),
    ).get_data(as_text=True)
    for field in ("number", "valid_to", "home_pickup_sla", "province_codes"):
        assert f'name="{field}"' in page
    assert page.count('class="error"') >= 5
    assert count(session, Contract) == before


def test_activation_without_an_assessment_is_refused_on_screen(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    draft = factories.contract(
        session, world["unit"], world["operator"], activate=False, nationwide=False, province_codes=["48"]
    )
    session.commit()
    auth.sign_in(world["supervisor"].username)
    page = client.post(
        f"/contracts/{draft.id}/status", data={"target": "active"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "đánh giá năng lực" in page.lower() or "capacity assessment" in page.lower()
    session.refresh(draft)
    assert draft.status == ContractStatus.DRAFT


def test_a_backdated_amendment_is_refused_next_to_its_date(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    page = client.post(
        f"/contracts/{world['contract'].id}/amend",
        data={
            "amendment_number": "PL-01",
            "effective_on": "2025-01-01",
            "home_pickup_on": "y",
            "home_pickup_sla": "8",
            "home_pickup_price": "1000",
            "working_hours": "1",
            "all_procedures": "1",
            "nationwide": "1",
            "page_price": "0",
            "penalty_per_breach": "0",
        },
    ).get_data(as_text=True)
    assert 'id="effective_on-err"' in page
    session.refresh(world["contract"])
    assert len(world["contract"].versions) == 1


def test_an_active_contracts_edit_page_sends_you_to_the_amendment(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    response = client.get(f"/contracts/{world['contract'].id}/edit")
    assert response.headers["Location"].endswith(f"/contracts/{world['contract'].id}/amend")


@pytest.mark.parametrize("who", ["other_supervisor", "other_manager"])
def test_another_organizations_contract_answers_404_everywhere(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any], who: str
) -> None:
    auth.sign_in(world[who].username)
    cid = world["contract"].id
    for path in (
        f"/contracts/{cid}",
        f"/contracts/{cid}/edit",
        f"/contracts/{cid}/amend",
        f"/contracts/{cid}/assessment",
    ):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(
        f"/contracts/{cid}/status", data={"target": "suspended", "reason": "x"}
    ).status_code in (403, 404)
    assert world["contract"].number not in client.get("/contracts").get_data(as_text=True)


def test_another_operators_tasks_are_not_listed(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["other_manager"].username)
    assert "261120-0001" not in client.get("/tasks").get_data(as_text=True)


def test_the_unit_officer_and_the_clerk_see_their_tasks(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    for who in ("officer", "clerk"):
        auth.sign_in(world[who].username)
        assert "261120-0001" in client.get("/tasks").get_data(as_text=True)
        auth.sign_out()


def test_an_overdue_task_is_flagged_in_the_list(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    clock.advance(days=10)
    auth.sign_in(world["manager"].username)
    page = client.get("/tasks?flag=overdue").get_data(as_text=True)
    assert "row--overdue" in page and "261120-0001" in page


def test_the_statement_goes_from_the_manager_to_the_supervisor(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    clock.advance(days=15)  # December: November can be billed
    auth.sign_in(world["manager"].username)
    response = client.post(f"/contracts/{world['contract'].id}/statements", data={"month": "2026-11"})
    statement_url = response.headers["Location"]
    client.post(statement_url + "/action", data={"action": "submitted", "comment": "Đề nghị duyệt"})
    auth.sign_out()
    auth.sign_in(world["supervisor"].username)
    client.post(statement_url + "/action", data={"action": "approved"})
    page = client.get(statement_url).get_data(as_text=True)
    assert "status--approved" in page and "Đề nghị duyệt" in page
    export = client.get(statement_url + "/export.xlsx")
    assert export.headers["Content-Disposition"].startswith("attachment")


def test_a_supervisor_cannot_submit_and_a_manager_cannot_approve(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any], clock: FixedClock
) -> None:
    clock.advance(days=15)
    statement = statements.prepare(session, None, world["contract"], 2026, 11, clock.now())
    session.commit()
    auth.sign_in(world["supervisor"].username)
    client.post(f"/statements/{statement.id}/action", data={"action": "submitted"})
    session.refresh(statement)
    assert statement.status == "draft"
    statements.submit(session, None, statement, clock.now())
    session.commit()
    auth.sign_out()
    auth.sign_in(world["manager"].username)
    client.post(f"/statements/{statement.id}/action", data={"action": "approved"})
    session.refresh(statement)
    assert statement.status == "submitted"


def test_an_attached_document_is_downloaded_never_shown_inline(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    cid = world["contract"].id
    client.post(
        f"/contracts/{cid}/documents",
        data={"file": (io.BytesIO(b"%PDF-1.4 hop dong"), "hop-dong.pdf")},
        content_type="multipart/form-data",
    )
    page = client.get(f"/contracts/{cid}").get_data(as_text=True)
    assert "hop-dong.pdf" in page
    link = page.split(f"/contracts/{cid}/documents/")[1].split('"')[0]
    download = client.get(f"/contracts/{cid}/documents/{link}")
    assert download.data == b"%PDF-1.4 hop dong"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"


def test_an_html_file_cannot_be_attached(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    cid = world["contract"].id
    client.post(
        f"/contracts/{cid}/documents",
        data={"file": (io.BytesIO(b"<script>x</script>"), "x.html")},
        content_type="multipart/form-data",
    )
    assert "x.html" not in client.get(f"/contracts/{cid}").get_data(as_text=True)


def test_a_postal_clerk_has_no_contract_screens(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["clerk"].username)
    assert client.get("/contracts").status_code == 403


def test_expired_contracts_stay_readable(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    old = factories.contract(
        session,
        world["unit"],
        factories.operator(session),
        valid_to=date(2026, 11, 19),
        nationwide=False,
        province_codes=["96"],
        now=datetime(2026, 2, 1, tzinfo=UTC),
    )
    session.commit()
    auth.sign_in(world["supervisor"].username)
    assert client.get(f"/contracts/{old.id}").status_code == 200


def test_absurd_ids_and_dates_get_field_messages_not_errors(
    client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    auth.sign_in(world["supervisor"].username)
    for extra in ({"all_procedures": "0", "procedure_ids": ["9" * 25]}, {"valid_from": "0001-01-01"}):
        response = client.post("/contracts/new", data=_contract_form(world, **extra))
        assert response.status_code == 200
        assert 'class="error"' in response.get_data(as_text=True)


def test_attaching_a_document_is_audited(
    session: Session, client: FlaskClient, auth: AuthActions, world: dict[str, Any]
) -> None:
    from postal_hub.core.audit import AuditEntry

    auth.sign_in(world["supervisor"].username)
    client.post(
        f"/contracts/{world['contract'].id}/documents",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "quyet-dinh.pdf")},
        content_type="multipart/form-data",
    )
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == world["supervisor"].id)
    )
    assert "contract.document_attached" in list(actions)

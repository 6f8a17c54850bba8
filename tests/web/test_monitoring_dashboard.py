"""The dashboard and the lists behind its numbers, as each kind of viewer sees them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role, User
from postal_hub.monitoring.refresh import refresh
from tests import factories
from tests import factories_monitoring as fm
from tests.conftest import AuthActions
from tests.fakes import FixedClock

NOVEMBER = "period=custom&start=2026-11-01&end=2026-11-30"


def sign_in(client: FlaskClient, auth: AuthActions, user: User, english: bool = False) -> None:
    auth.sign_in(user.username)
    if english:
        client.post("/language", data={"language": "en", "next": "/"})


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def two_worlds(session: Session, clock: FixedClock) -> dict[str, Any]:
    """Two units with their own offices and operators: three dossiers in the first, one in the second."""
    first = fm.world(session)
    second = fm.second_world(session, first)
    for _ in range(2):
        fm.past_dossier(session, first, fm.delivered_on_time(first))
    late = fm.delivered_on_time(first)
    late.events[-1] = ("delivered", fm.MONDAY + timedelta(days=20))
    late.legs[2] = fm.Leg("carriage", fm.MONDAY, fm.MONDAY + timedelta(days=2))
    fm.past_dossier(session, first, late)
    fm.past_dossier(session, second, fm.delivered_on_time(second))
    refresh(session, clock.now())
    return {"first": first, "second": second}


def card_value(html: str, label: str) -> str:
    match = re.search(
        r'kpi__label">' + re.escape(label) + r'</div>\s*<div class="kpi__value">(?:<a href="[^"]*">)?([^<]+)',
        html,
    )
    assert match, label
    return match.group(1).strip()


def test_an_administrator_sees_every_dossier_counted(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    sign_in(client, auth, admin, english=True)
    html = page_of(client, f"/monitoring?{NOVEMBER}")
    assert card_value(html, "Dossiers") == "4"
    assert card_value(html, "Results on time") == "75.0 %"


def test_a_unit_officer_sees_only_their_unit(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER, organization=two_worlds["second"]["unit"])
    sign_in(client, auth, officer, english=True)
    html = page_of(client, f"/monitoring?{NOVEMBER}")
    assert card_value(html, "Dossiers") == "1"
    assert two_worlds["first"]["office"].name not in html


def test_a_postal_manager_sees_only_their_operator(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    first = two_worlds["first"]
    manager = factories.user(session, Role.POSTAL_MANAGER, organization=first["operator"])
    sign_in(client, auth, manager, english=True)
    html = page_of(client, f"/monitoring?{NOVEMBER}")
    assert card_value(html, "Dossiers") == "3"


def test_a_clerk_has_no_dashboard(client: FlaskClient, auth: AuthActions, session: Session) -> None:
    clerk = factories.user(session, Role.POSTAL_CLERK)
    sign_in(client, auth, clerk)
    assert client.get("/monitoring").status_code == 403


def test_the_late_number_links_to_the_late_dossier(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    sign_in(client, auth, admin)
    html = page_of(client, f"/monitoring/dossiers?measure=late_carriage&{NOVEMBER}")
    assert html.count('href="/desk/dossiers/MON-') == 1


def test_the_list_behind_a_number_keeps_to_the_viewers_scope(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER, organization=two_worlds["second"]["unit"])
    sign_in(client, auth, officer)
    html = page_of(client, f"/monitoring/dossiers?measure=dossiers&{NOVEMBER}")
    assert html.count('href="/desk/dossiers/MON-') == 1


def test_the_task_list_shows_the_late_carriage(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    sign_in(client, auth, admin)
    html = page_of(client, f"/monitoring/tasks?task_type=carriage&state=late&{NOVEMBER}")
    assert html.count('href="/desk/dossiers/MON-') == 1


def test_an_unknown_measure_is_not_found(client: FlaskClient, auth: AuthActions, session: Session) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    assert client.get("/monitoring/dossiers?measure=applicant_name").status_code == 404


def test_a_bad_date_is_named_on_its_field_and_the_page_still_answers(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN), english=True)
    html = page_of(client, "/monitoring?period=custom&start=31/02/2026&end=2026-11-30")
    assert re.search(r'field field--error[^"]*"><label for="f-start"', html)


def test_an_end_before_the_start_is_named_on_the_end_field(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    html = page_of(client, "/monitoring?period=custom&start=2026-11-30&end=2026-11-01")
    assert re.search(r'field field--error[^"]*"><label for="f-end"', html)


def test_a_filter_that_is_not_a_number_is_named_on_its_field(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    html = page_of(client, "/monitoring?unit=abc")
    assert re.search(r'field field--error[^"]*"><label for="f-unit"', html)


def test_the_dashboard_is_in_vietnamese_by_default(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    html = page_of(client, "/monitoring")
    assert 'lang="vi"' in html
    assert "<svg" in html


def test_a_channel_filter_counts_only_that_channel(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN), english=True)
    html = page_of(client, f"/monitoring?{NOVEMBER}&channel=pickup")
    assert card_value(html, "Dossiers") == "0"


@pytest.mark.parametrize(
    "dates",
    ["start=0001-01-01&end=0001-01-31", "start=9999-12-20&end=9999-12-31", "start=0001-01-02&end=2026-01-05"],
)
def test_a_date_at_the_ends_of_the_calendar_is_named_on_its_field(
    client: FlaskClient, auth: AuthActions, session: Session, dates: str
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    html = page_of(client, f"/monitoring?period=custom&{dates}")
    assert re.search(r'field field--error[^"]*"><label for="f-(start|end)"', html)


@pytest.mark.parametrize("path", ["/monitoring/tasks", "/monitoring/dossiers"])
def test_a_list_for_dates_at_the_ends_of_the_calendar_still_answers(
    client: FlaskClient, auth: AuthActions, session: Session, path: str
) -> None:
    sign_in(client, auth, factories.user(session, Role.SYSTEM_ADMIN))
    for dates in ("start=9999-12-01&end=9999-12-31", "start=0001-01-01&end=0001-01-02"):
        assert client.get(f"{path}?period=custom&{dates}").status_code == 200


def test_a_unit_filter_outside_the_viewers_units_counts_no_officers(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    other = two_worlds["first"]["unit"]
    factories.user(session, Role.UNIT_OFFICER, organization=other)
    officer = factories.user(session, Role.UNIT_OFFICER, organization=two_worlds["second"]["unit"])
    sign_in(client, auth, officer, english=True)
    html = page_of(client, f"/monitoring?{NOVEMBER}&unit={other.id}")
    assert "0 unit officers" in html and card_value(html, "Dossiers") == "0"


def test_a_managers_province_filter_cannot_list_another_provinces_offices(
    client: FlaskClient, auth: AuthActions, session: Session, two_worlds: dict[str, Any]
) -> None:
    first = two_worlds["first"]
    elsewhere = factories.post_office(session, first["operator"], province_code="01", name="Bưu cục Nơi Khác")
    manager = factories.user(
        session, Role.POSTAL_MANAGER, organization=first["operator"], post_office_id=first["office"].id
    )
    sign_in(client, auth, manager)
    html = page_of(client, f"/monitoring?{NOVEMBER}&province=01")
    assert elsewhere.name not in html

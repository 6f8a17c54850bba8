"""The alerts page: open and recently resolved alerts in the viewer's scope, filtered by rule and state,
each naming its subject with a link, its figure against the threshold and its times in Vietnam time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from postal_hub.monitoring.models import Alert
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FixedClock

NOW = FixedClock().now()  # 09:00 in Hanoi on Friday 20 November 2026


def alert(session: Session, rule: str, subject_key: str, opened_at: datetime, **values: Any) -> Alert:
    made = Alert(
        rule=rule,
        subject_key=subject_key,
        occurrence=opened_at.date().isoformat(),
        opened_at=opened_at,
        **values,
    )
    session.add(made)
    session.flush()
    return made


@pytest.fixture
def net(session: Session) -> dict[str, Any]:
    """Operator A's contract below its SLA, a stalled dossier and a resolved backlog at its office in
    TP HCM; operator B's office with a backlog; the people who look."""
    a = factories.intake_setup(session)
    b = factories.intake_setup(session, unit_commune="00004")
    unit, office, contract = a["unit"], a["office"], a["contract"]
    ids = {"unit_id": unit.id, "operator_id": office.operator_id}
    alerts = {
        "sla": alert(
            session,
            "contract_sla",
            f"contract:{contract.id}",
            NOW - timedelta(hours=3),
            value=85.5,
            threshold=90,
            details='{"good":47,"of":55}',
            **ids,
        ),
        "stalled": alert(
            session,
            "stalled",
            "dossier:HS-0001",
            NOW - timedelta(hours=1),
            value=52,
            threshold=48,
            office_id=office.id,
            **ids,
        ),
        "backlog": alert(
            session,
            "backlog",
            f"office:{office.id}",
            NOW - timedelta(days=2),
            value=25,
            threshold=20,
            office_id=office.id,
            operator_id=office.operator_id,
            resolved_at=NOW - timedelta(days=1),
        ),
        "old": alert(
            session,
            "backlog",
            f"office:{office.id}",
            NOW - timedelta(days=60),
            value=30,
            threshold=20,
            office_id=office.id,
            operator_id=office.operator_id,
            resolved_at=NOW - timedelta(days=45),
        ),
        "backlog_b": alert(
            session,
            "backlog",
            f"office:{b['office'].id}",
            NOW - timedelta(hours=2),
            value=40,
            threshold=20,
            office_id=b["office"].id,
            operator_id=b["office"].operator_id,
        ),
    }
    people = {
        "admin": factories.user(session, Role.SYSTEM_ADMIN),
        "manager_a": factories.user(session, Role.POSTAL_MANAGER, organization=a["operator"]),
        "manager_b": factories.user(session, Role.POSTAL_MANAGER, organization=b["operator"]),
        "officer": factories.user(session, Role.UNIT_OFFICER, organization=unit),
        "clerk": a["clerk"],
    }
    session.commit()
    return {"a": a, "b": b, **alerts, **people}


def page(client: FlaskClient, url: str = "/monitoring/alerts", status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    return re.findall(r'data-alert="([^"]+)"', html)


def test_an_administrator_sees_open_alerts_first_then_the_recently_resolved(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    listed = rows(page(client))
    office_a, office_b = net["a"]["office"].id, net["b"]["office"].id
    assert listed == [
        "stalled:dossier:HS-0001",
        f"backlog:office:{office_b}",
        f"contract_sla:contract:{net['a']['contract'].id}",
        f"backlog:office:{office_a}",  # resolved yesterday; the one resolved 45 days ago is not listed
    ]


def test_each_alert_links_to_its_subject(client: FlaskClient, auth: AuthActions, net: dict[str, Any]) -> None:
    auth.sign_in(net["admin"].username)
    html = page(client)
    assert 'href="/desk/dossiers/HS-0001"' in html
    assert f'href="/contracts/{net["a"]["contract"].id}"' in html
    assert net["a"]["contract"].number in html and net["a"]["office"].name in html


def test_the_page_is_in_vietnamese_with_figures_written_the_vietnamese_way(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["admin"].username)
    html = page(client)
    assert '<html lang="vi"' in html
    assert "Hợp đồng" in html and "Hồ sơ" in html and "Lọc" in html
    assert "85,5%" in html and "90%" in html


def test_times_are_shown_in_vietnam_time(client: FlaskClient, auth: AuthActions, net: dict[str, Any]) -> None:
    auth.sign_in(net["admin"].username)
    html = page(client)
    assert "20/11/2026 08:00" in html  # the stalled dossier's alert, opened at 01:00 UTC
    assert "19/11/2026 09:00" in html  # the backlog resolved a day ago


def test_a_manager_sees_only_their_operators_alerts(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_b"].username)
    assert rows(page(client)) == [f"backlog:office:{net['b']['office'].id}"]


def test_a_unit_officer_sees_their_units_alerts(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["officer"].username)
    assert sorted(r.split(":")[0] for r in rows(page(client))) == ["contract_sla", "stalled"]


def test_a_clerk_may_not_open_the_alerts_page(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["clerk"].username)
    page(client, status=403)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: FlaskClient, net: dict[str, Any]) -> None:
    response = client.get("/monitoring/alerts")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_alerts_filter_by_rule(client: FlaskClient, auth: AuthActions, net: dict[str, Any]) -> None:
    auth.sign_in(net["manager_a"].username)
    assert rows(page(client, "/monitoring/alerts?rule=stalled")) == ["stalled:dossier:HS-0001"]


def test_the_alerts_filter_by_state(client: FlaskClient, auth: AuthActions, net: dict[str, Any]) -> None:
    auth.sign_in(net["manager_a"].username)
    office = net["a"]["office"].id
    assert rows(page(client, "/monitoring/alerts?state=resolved")) == [f"backlog:office:{office}"]
    assert f"backlog:office:{office}" not in rows(page(client, "/monitoring/alerts?state=open"))


def test_an_unknown_rule_or_state_shows_everything_rather_than_an_error(
    client: FlaskClient, auth: AuthActions, net: dict[str, Any]
) -> None:
    auth.sign_in(net["manager_a"].username)
    assert len(rows(page(client, "/monitoring/alerts?rule=nope&state=%27"))) == 3


def test_no_alert_says_so(client: FlaskClient, auth: AuthActions, session: Session) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    session.commit()
    auth.sign_in(admin.username)
    assert 'class="empty"' in page(client)

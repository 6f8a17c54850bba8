"""A unit's officer or an operator's manager keeps their own organization's API keys."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users import api_keys
from postal_hub.core.users.models import ApiKey, Role
from tests import factories
from tests.conftest import AuthActions, count
from tests.fakes import FixedClock


def test_an_officer_creates_a_key_shown_once_and_it_authenticates(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER)
    session.commit()
    auth.sign_in(officer.username)
    page = client.post("/webhooks/api-keys", data={"name": "Hệ thống một cửa"}).get_data(as_text=True)
    plaintext = page.split('<code class="secret">')[1].split("</code>")[0]
    assert client.get("/webhooks/api-keys").get_data(as_text=True).count(plaintext) == 0
    answer = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {plaintext}"})
    assert answer.status_code == 200


def test_a_key_without_a_name_is_refused_and_nothing_is_made(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER)
    session.commit()
    auth.sign_in(officer.username)
    response = client.post("/webhooks/api-keys", data={"name": "  "})
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert count(session, ApiKey) == 0


def test_an_officer_revokes_their_units_key(
    session: Session, client: FlaskClient, auth: AuthActions, clock: FixedClock
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER)
    key, _plain = api_keys.create_api_key(session, officer.organization, "old", clock.now())
    session.commit()
    auth.sign_in(officer.username)
    client.post(f"/webhooks/api-keys/{key.id}/revoke")
    session.expire_all()
    assert not key.active


def test_another_organizations_key_cannot_be_revoked(
    session: Session, client: FlaskClient, auth: AuthActions, clock: FixedClock
) -> None:
    officer = factories.user(session, Role.UNIT_OFFICER)
    other, _plain = api_keys.create_api_key(session, factories.unit(session), "theirs", clock.now())
    session.commit()
    auth.sign_in(officer.username)
    assert client.post(f"/webhooks/api-keys/{other.id}/revoke").status_code == 404
    assert session.scalar(sa.select(ApiKey.revoked_at).where(ApiKey.id == other.id)) is None


def test_a_clerk_has_no_key_page(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    clerk = factories.user(session, Role.POSTAL_CLERK)
    session.commit()
    auth.sign_in(clerk.username)
    assert client.get("/webhooks/api-keys").status_code == 403

"""Deactivating a procedure group or a course from its page, and who may."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions
from tests.factories_training import course, procedure_group

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_an_administrator_deactivates_a_procedure_group(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    group = procedure_group(session)
    session.commit()
    auth.sign_in(admin.username)
    response = client.post(f"/training/groups/{group.id}/active", data={"active": "0"})
    assert response.status_code == 302
    session.refresh(group)
    assert group.active is False


def test_a_trainer_deactivates_their_course_and_its_page_offers_no_new_session(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    op = factories.operator(session)
    trainer = factories.user(session, Role.TRAINER, organization=op)
    made = course(session, trainer, op, [procedure_group(session)])
    session.commit()
    auth.sign_in(trainer.username)
    client.post(f"/training/courses/{made.id}/active", data={"active": "0"})
    page = client.get(f"/training/courses/{made.id}").get_data(as_text=True)
    assert f"/training/courses/{made.id}/sessions/new" not in page


def test_a_trainer_of_another_organization_cannot_deactivate_the_course(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    op = factories.operator(session)
    trainer = factories.user(session, Role.TRAINER, organization=op)
    made = course(session, trainer, op, [procedure_group(session)])
    stranger = factories.user(session, Role.TRAINER, organization=factories.operator(session))
    session.commit()
    auth.sign_in(stranger.username)
    response = client.post(f"/training/courses/{made.id}/active", data={"active": "0"})
    assert response.status_code in (403, 404)
    session.refresh(made)
    assert made.active is True

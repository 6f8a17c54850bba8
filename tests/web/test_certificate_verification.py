"""The public verification page: valid or not, for whom (masked) and until when, and nothing else."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role, User
from tests import factories
from tests.factories_training import certificate, procedure_group


def _holder(session: Session) -> User:
    op = factories.operator(session)
    office = factories.post_office(session, op)
    return factories.user(
        session,
        Role.POSTAL_CLERK,
        organization=op,
        post_office_id=office.id,
        full_name="Nguyễn Thị Minh Khai",
        email="khai@example.vn",
        phone="0912345678",
    )


def test_a_valid_number_shows_the_masked_holder_and_the_expiry(session: Session, client: FlaskClient) -> None:
    cert = certificate(session, _holder(session), [procedure_group(session, "HT", "Hộ tịch")])
    session.commit()
    page = client.get(f"/verify/certificates/{cert.number}").get_data(as_text=True)
    assert "Nguyễn T. M. K." in page
    assert "31/12/2028" in page
    assert "flash--success" in page


def test_the_page_reveals_no_personal_data_beyond_the_masked_name(
    session: Session, client: FlaskClient
) -> None:
    holder = _holder(session)
    cert = certificate(session, holder, [procedure_group(session, "HT", "Hộ tịch")])
    session.commit()
    page = client.get(f"/verify/certificates/{cert.number}").get_data(as_text=True)
    for secret in ("Minh Khai", "khai@example.vn", "0912345678", holder.username, "Hộ tịch"):
        assert secret not in page


def test_a_revoked_certificate_is_shown_as_not_valid(session: Session, client: FlaskClient) -> None:
    cert = certificate(session, _holder(session), [procedure_group(session)], revoked=True)
    session.commit()
    page = client.get(f"/verify/certificates/{cert.number}").get_data(as_text=True)
    assert "flash--error" in page and "flash--success" not in page


def test_an_expired_certificate_says_when_it_expired(session: Session, client: FlaskClient) -> None:
    cert = certificate(
        session, _holder(session), [procedure_group(session)], date(2024, 1, 1), date(2026, 6, 30)
    )
    session.commit()
    page = client.get(f"/verify/certificates/{cert.number}").get_data(as_text=True)
    assert "30/06/2026" in page and "flash--success" not in page


def test_an_unknown_number_answers_404_with_the_form(client: FlaskClient) -> None:
    response = client.get("/verify/certificates/CC-2026-999999")
    assert response.status_code == 404
    assert 'name="number"' in response.get_data(as_text=True)


def test_the_form_sends_the_number_to_its_page(client: FlaskClient) -> None:
    response = client.get("/verify/certificates?number= cc-2026-000001 ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify/certificates/CC-2026-000001")


def test_lookups_are_rate_limited_per_address(client: FlaskClient) -> None:
    statuses = {client.get(f"/verify/certificates/CC-2026-{n:06d}").status_code for n in range(80)}
    assert 429 in statuses

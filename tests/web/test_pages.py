"""Pages every visitor meets: language, errors, headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions

CATALOGS = Path(__file__).resolve().parents[2] / "postal_hub" / "translations"


def test_pages_are_in_vietnamese_by_default(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_the_language_switch_shows_pages_in_english(client: FlaskClient) -> None:
    client.post("/language", data={"language": "en", "next": "/sign-in"})
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_the_language_switch_ignores_an_unknown_language(client: FlaskClient) -> None:
    client.post("/language", data={"language": "xx"})
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_a_signed_in_users_language_choice_is_remembered(
    session: Session, client: FlaskClient, auth: AuthActions
) -> None:
    user = factories.user(session, Role.CITIZEN)
    session.commit()
    auth.sign_in(user.username)
    client.post("/language", data={"language": "en"})
    session.refresh(user)
    assert user.locale == "en"


def test_every_ui_string_has_a_vietnamese_translation() -> None:
    with (CATALOGS / "messages.pot").open("rb") as pot_file:
        template = read_po(pot_file)
    with (CATALOGS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)

    def translated(msgid: Any) -> bool:
        found = catalog.get(msgid)
        if found is None:
            return False
        # A plural entry holds a tuple of strings; a singular one a string, where "" means untranslated.
        strings = found.string if isinstance(found.string, tuple | list) else (found.string,)
        return all(strings)

    missing = [m.id for m in template if m.id and not translated(m.id)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_an_unknown_page_answers_404_with_a_helpful_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'href="/">Về trang chủ</a>' in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_calm_500_page(app: Flask, client: FlaskClient) -> None:
    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Chưa có dữ liệu nào được lưu" in response.get_data(as_text=True)


def test_a_forbidden_page_answers_403(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.user(session, Role.POSTMAN)
    session.commit()
    auth.sign_in(user.username)
    assert client.get("/admin/procedures").status_code == 403


@pytest.mark.parametrize("path", ["/", "/sign-in", "/no-such-page"])
def test_security_headers_are_on_every_page(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    session.commit()
    auth.sign_in(admin.username)
    for path in ("/", "/admin/offices/new", "/admin/procedures/new"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page


def test_the_commune_list_of_a_province_is_public_json(client: FlaskClient) -> None:
    body = client.get("/places/provinces/48/communes").get_json()
    assert body["total"] == len(body["items"]) > 0
    assert {"code", "name"} <= set(body["items"][0])


def test_visitors_without_an_account_find_the_catalogue_and_tracking_in_the_menu(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/procedures"' in page and 'href="/track"' in page


def test_a_clerks_menu_leads_to_the_counter(session: Session, client: FlaskClient, auth: AuthActions) -> None:
    operator = factories.operator(session)
    office = factories.post_office(session, operator)
    clerk = factories.user(session, Role.POSTAL_CLERK, organization=operator, post_office_id=office.id)
    session.commit()
    auth.sign_in(clerk.username)
    assert 'href="/desk"' in client.get("/").get_data(as_text=True)

"""The transparency pages, as anyone sees them without signing in: figures per province, nothing
personal, small numbers withheld, cacheable, Vietnamese first."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.intake.models import Dossier
from postal_hub.monitoring.refresh import refresh
from tests.conftest import AuthActions
from tests.factories_monitoring import MONDAY, Journey, delivered_on_time, past_dossier, second_world, world
from tests.fakes import FixedClock

PAGES = (
    "/transparency",
    "/transparency?period=this_quarter",
    "/transparency?period=last_quarter",
    "/transparency?period=this_year",
    "/transparency/79",
    "/transparency/79?period=this_quarter",
    "/transparency/48",
)


@pytest.fixture
def made(session: Session, clock: FixedClock) -> dict[str, Any]:
    """Six dossiers taken in at an office in Hồ Chí Minh City (five rated satisfied), two in Đà Nẵng."""
    hcm = world(session)
    danang = second_world(session, hcm, office_province="48")
    rated = {"postal": "satisfied", "unit": "satisfied"}
    dossiers = [past_dossier(session, hcm, delivered_on_time(hcm, ratings=rated)) for _ in range(5)]
    dossiers.append(past_dossier(session, hcm, Journey(accepted_at=MONDAY)))
    dossiers += [past_dossier(session, danang, delivered_on_time(danang)) for _ in range(2)]
    refresh(session, clock.now())
    session.commit()
    return {"worlds": (hcm, danang), "dossiers": dossiers}


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_transparency_page_opens_without_signing_in(client: FlaskClient, made: dict[str, Any]) -> None:
    page = _page(client, "/transparency")

    assert "Thành phố Hồ Chí Minh" in page
    assert "Thành phố Đà Nẵng" in page
    assert "<svg" in page  # the on-time chart


def test_a_province_page_opens_without_signing_in(client: FlaskClient, made: dict[str, Any]) -> None:
    page = _page(client, "/transparency/79")

    assert "<h1>Thành phố Hồ Chí Minh</h1>" in page
    assert "Nhóm thủ tục thử" in page  # the procedure group's name
    assert "100,0%" in page  # five of five closed on time, five of five satisfied


def test_a_province_page_opens_even_with_no_dossiers(client: FlaskClient, made: dict[str, Any]) -> None:
    assert "Tỉnh Cao Bằng" in _page(client, "/transparency/04")


def test_an_unknown_province_is_not_found(client: FlaskClient, made: dict[str, Any]) -> None:
    assert client.get("/transparency/99").status_code == 404


def test_the_pages_show_no_personal_data(client: FlaskClient, made: dict[str, Any]) -> None:
    dossiers: list[Dossier] = made["dossiers"]
    secrets = {"Trần Thị Bình", "tran thi binh", "001190054321", "0987654321", "987 654 321", "5 Phúc Xá"}
    secrets |= {d.code for d in dossiers} | {d.item_number for d in dossiers if d.item_number}
    for w in made["worlds"]:
        secrets |= {w["office"].name, w["office"].code, w["unit"].name, w["clerk"].full_name}
        secrets |= {w["clerk"].username, w["contract"].number}
    for url in PAGES:
        page = _page(client, url)
        leaked = sorted(s for s in secrets if s and s in page)
        assert not leaked, (url, leaked)


def test_a_rate_from_fewer_than_five_is_shown_as_too_few(client: FlaskClient, made: dict[str, Any]) -> None:
    page = _page(client, "/transparency/48")  # two dossiers, both on time

    assert 'class="suppressed"' in page
    assert "100,0" not in page


def test_the_pages_may_be_cached_for_five_minutes(client: FlaskClient, made: dict[str, Any]) -> None:
    for url in ("/transparency", "/transparency/79"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Cookie" in response.headers["Vary"]


def test_a_signed_in_visitor_s_page_is_cached_by_their_browser_only(
    client: FlaskClient, auth: AuthActions, made: dict[str, Any]
) -> None:
    auth.sign_in(made["worlds"][0]["clerk"].username)

    response = client.get("/transparency")

    assert response.headers["Cache-Control"] == "private, max-age=300"


def test_the_pages_are_in_vietnamese_by_default(client: FlaskClient, made: dict[str, Any]) -> None:
    page = _page(client, "/transparency")

    assert '<html lang="vi">' in page
    assert "Chuyển đến nội dung chính" in page
    assert "Tất cả tỉnh/thành phố" in page


def test_the_language_switch_shows_them_in_english(client: FlaskClient, made: dict[str, Any]) -> None:
    client.post("/language", data={"language": "en", "next": "/transparency"})

    page = _page(client, "/transparency/79")

    assert '<html lang="en">' in page
    assert "100.0%" in page


def test_the_footer_links_to_the_transparency_page(client: FlaskClient) -> None:
    assert 'href="/transparency"' in _page(client, "/")

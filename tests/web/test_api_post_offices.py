"""GET /api/v1/post-offices: the nearest active offices by geodesic distance, whatever the province."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.core.orgs.services import set_post_office_active
from postal_hub.core.users.models import Role
from tests import factories


def _near(client: FlaskClient, lat: float, lon: float, limit: int = 3) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/post-offices?lat={lat}&lon={lon}&limit={limit}")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def test_the_nearest_office_is_found_across_a_province_border(session: Session, client: FlaskClient) -> None:
    op = factories.operator(session)
    # A village in Bắc Ninh just over the line from Hà Nội: the Bắc Ninh office 3 km away is nearer
    # than the Hà Nội one 12 km away, and is the answer whatever the village's province.
    home = factories.post_office(session, op, province_code="01", lat=21.10, lon=105.95)
    across = factories.post_office(session, op, province_code="24", lat=21.12, lon=106.05)
    session.commit()
    items = _near(client, 21.13, 106.03)
    assert [i["code"] for i in items[:2]] == [across.code, home.code]
    assert items[0]["province_code"] == "24" and 2 < items[0]["distance_km"] < 4


def test_a_deactivated_office_is_no_longer_offered(session: Session, client: FlaskClient) -> None:
    op = factories.operator(session)
    near = factories.post_office(session, op, lat=21.03, lon=105.85)
    far = factories.post_office(session, op, lat=21.20, lon=105.85)
    session.commit()
    assert _near(client, 21.03, 105.85, 1)[0]["code"] == near.code
    set_post_office_active(session, factories.user(session, Role.SYSTEM_ADMIN), near, False)
    session.commit()
    assert _near(client, 21.03, 105.85, 1)[0]["code"] == far.code


def test_the_answer_is_a_collection_with_distances_in_kilometres(
    session: Session, client: FlaskClient
) -> None:
    factories.post_office(session, factories.operator(session), lat=21.03, lon=105.85)
    session.commit()
    body = client.get("/api/v1/post-offices?lat=21.03&lon=105.86").get_json()
    assert set(body) == {"items", "page", "total"} and 0.9 < body["items"][0]["distance_km"] < 1.1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lon=105.8", "lat"),
        ("lat=abc&lon=105.8", "lat"),
        ("lat=nan&lon=105.8", "lat"),
        ("lat=21&lon=150", "lon"),
        ("lat=60&lon=105.8", "lat"),
        ("lat=21&lon=105.8&limit=0", "limit"),
        ("lat=21&lon=105.8&limit=51", "limit"),
        ("lat=21&lon=105.8&limit=%C2%B2", "limit"),
    ],
)
def test_bad_parameters_are_a_422_naming_the_parameter(client: FlaskClient, query: str, field: str) -> None:
    response = client.get(f"/api/v1/post-offices?{query}")
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]

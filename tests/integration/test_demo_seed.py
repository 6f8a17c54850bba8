"""The demo data: realistic, complete and idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.files import LocalFileStore
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places import data
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import Role, User
from postal_hub.demo.seed import seed_demo
from postal_hub.intake.queries import find_for_tracking
from postal_hub.models import Base
from tests.fakes import FixedClock


def _snapshot(session: Session) -> dict[str, list[Any]]:
    session.expire_all()
    return {
        name: sorted(tuple(str(v) for v in row) for row in session.execute(sa.select(table)))
        for name, table in Base.metadata.tables.items()
    }


def test_seeding_twice_changes_nothing(session: Session, clock: FixedClock, tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    seed_demo(session, "secret", clock.now(), store)
    before = _snapshot(session)
    clock.advance(days=1)
    seed_demo(session, "secret", clock.now(), store)
    assert _snapshot(session) == before


def test_the_demo_has_trackable_dossiers_one_of_them_digitized(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    report = seed_demo(session, "secret", clock.now(), LocalFileStore(tmp_path))
    dossiers = [find_for_tracking(session, code) for code in report.dossiers]
    assert len(dossiers) == 6 and all(d is not None for d in dossiers)
    assert any(d is not None and d.status == "digitized" for d in dossiers)


def test_the_demo_has_a_manifest_received_and_one_awaiting_the_officer(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    from postal_hub.core.custody.services import verify_org
    from postal_hub.handoff.models import Manifest

    seed_demo(session, "secret", clock.now(), LocalFileStore(tmp_path))
    manifests = session.scalars(
        sa.select(Manifest).where(Manifest.direction == "to_unit").order_by(Manifest.id)
    ).all()
    assert [m.status for m in manifests][:2] == ["closed", "dispatched"]
    assert manifests[1].unit.code == "000.00.01.H26" and len(manifests[1].lines) == 2
    assert verify_org(session, manifests[1].unit).ok


def test_the_demo_has_results_at_each_step_of_the_way_back(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    from postal_hub.delivery.models import Delivery
    from postal_hub.handoff.models import Manifest

    seed_demo(session, "secret", clock.now(), LocalFileStore(tmp_path))
    statuses = set(session.scalars(sa.select(Delivery.status)))
    assert {"at_unit", "in_transit", "at_office", "assigned", "delivered"} <= statuses
    assert session.scalar(sa.select(Manifest).where(Manifest.direction == "to_post")) is not None


def test_the_demo_has_vnpost_with_forty_offices_in_three_provinces(
    session: Session, clock: FixedClock
) -> None:
    seed_demo(session, "secret", clock.now())
    offices = session.scalars(sa.select(PostOffice).where(PostOffice.active.is_(True))).all()
    assert len(offices) >= 40
    assert len({o.province_code for o in offices}) >= 3


def test_every_demo_office_stands_on_a_real_geonames_place(session: Session, clock: FixedClock) -> None:
    seed_demo(session, "secret", clock.now())
    places = {f"geonames:{p[0]}": (p[2], p[3]) for p in data.gazetteer()["places"]}
    for office in session.scalars(sa.select(PostOffice)):
        assert places[office.coordinate_source or ""] == (office.lat, office.lon)


def test_the_demo_has_units_at_every_level_and_twenty_procedures(session: Session, clock: FixedClock) -> None:
    seed_demo(session, "secret", clock.now())
    levels = set(
        session.scalars(sa.select(Organization.level).where(Organization.kind == OrgKind.ONE_STOP_UNIT))
    )
    assert levels == {"ministry", "province", "commune"}
    procedures = session.scalars(sa.select(Procedure)).all()
    assert len(procedures) >= 20
    assert all(p.components for p in procedures)


def test_the_demo_has_a_user_for_every_role(session: Session, clock: FixedClock) -> None:
    report = seed_demo(session, "secret", clock.now())
    roles = set(session.scalars(sa.select(User.role)))
    assert roles == {r.value for r in Role}
    assert len(report.users) == len(Role)


def test_the_printed_demo_api_keys_work(session: Session, clock: FixedClock) -> None:
    report = seed_demo(session, "secret", clock.now())
    assert report.api_keys
    for code, _name, key in report.api_keys:
        found = api_keys.authenticate(session, key, clock.now())
        assert found is not None and found.organization.code == code


def test_the_demo_has_a_day_of_pickups_for_the_central_office_to_plan(
    session: Session, clock: FixedClock, tmp_path: Path
) -> None:
    from postal_hub.pickup.models import Pickup, PickupSchedule

    report = seed_demo(session, "secret", clock.now(), LocalFileStore(tmp_path))
    assert report.counts["pickups"] == 8
    assert session.scalar(sa.select(sa.func.count()).select_from(PickupSchedule))
    pickups = session.scalars(sa.select(Pickup)).all()
    assert sum(p.office.code == "100000" for p in pickups) >= 4  # the demo manager's and postman's office
    assert all(p.office.province_code == "01" for p in pickups)

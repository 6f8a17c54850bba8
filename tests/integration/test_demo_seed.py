"""The demo data: realistic, complete and idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.clock import to_local
from postal_hub.core.files import LocalFileStore
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places import data
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import Role, User
from postal_hub.db import make_engine
from postal_hub.demo.seed import SeedReport, seed_demo
from postal_hub.extensions import db
from postal_hub.intake.queries import tracking_lookup
from postal_hub.models import Base
from postal_hub.training import gate
from postal_hub.training.models import Certificate, Enrolment, TrainingSession
from tests.conftest import TEST_CONFIG
from tests.fakes import FixedClock


@dataclass
class Demo:
    session: Session
    report: SeedReport
    clock: FixedClock
    store: LocalFileStore


@pytest.fixture(scope="module")
def seeded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo seeded once for the module (it takes seconds), inside a transaction rolled back after it."""
    engine = make_engine(database_url)
    connection = engine.connect()
    outer = connection.begin()
    clock = FixedClock()
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    app.extensions["clock"] = clock
    db.bind_to_connection(app, connection)
    with app.app_context():
        store = LocalFileStore(tmp_path_factory.mktemp("demo-files"))
        report = seed_demo(db.session, "secret", clock.now(), store)
        db.session.flush()
        yield Demo(db.session, report, clock, store)
    outer.rollback()
    connection.close()
    engine.dispose()


@pytest.fixture
def demo(seeded: Demo) -> Iterator[Demo]:
    """Each test reads the seeded demo; whatever it writes is undone at its end."""
    nested = seeded.session.begin_nested()
    yield seeded
    if nested.is_active:
        nested.rollback()
    seeded.session.expire_all()


def _snapshot(session: Session) -> dict[str, list[Any]]:
    session.expire_all()
    return {
        name: sorted(tuple(str(v) for v in row) for row in session.execute(sa.select(table)))
        for name, table in Base.metadata.tables.items()
    }


def test_seeding_twice_changes_nothing(demo: Demo) -> None:
    before = _snapshot(demo.session)
    seed_demo(demo.session, "secret", demo.clock.now() + timedelta(days=1), demo.store)
    assert _snapshot(demo.session) == before


def test_the_demo_has_trackable_dossiers_one_of_them_digitized(demo: Demo) -> None:
    session = demo.session
    report = demo.report
    views = [tracking_lookup(session.connection(), code) for code in report.dossiers]
    assert len(views) == 6 and all(v is not None for v in views)
    assert any(v is not None and v["status"] == "digitized" for v in views)


def test_the_demo_has_a_manifest_received_and_one_awaiting_the_officer(demo: Demo) -> None:
    session = demo.session
    from postal_hub.core.custody.services import verify_org
    from postal_hub.handoff.models import Manifest

    manifests = session.scalars(
        sa.select(Manifest).where(Manifest.direction == "to_unit").order_by(Manifest.id)
    ).all()
    assert [m.status for m in manifests][:2] == ["closed", "dispatched"]
    assert manifests[1].unit.code == "000.00.01.H26" and len(manifests[1].lines) == 2
    assert verify_org(session, manifests[1].unit).ok


def test_the_demo_has_results_at_each_step_of_the_way_back(demo: Demo) -> None:
    session = demo.session
    from postal_hub.delivery.models import Delivery
    from postal_hub.handoff.models import Manifest

    statuses = set(session.scalars(sa.select(Delivery.status)))
    assert {"at_unit", "in_transit", "at_office", "assigned", "delivered"} <= statuses
    assert session.scalar(sa.select(Manifest).where(Manifest.direction == "to_post")) is not None


def test_the_demo_has_vnpost_with_forty_offices_in_three_provinces(demo: Demo) -> None:
    session = demo.session
    offices = session.scalars(sa.select(PostOffice).where(PostOffice.active.is_(True))).all()
    assert len(offices) >= 40
    assert len({o.province_code for o in offices}) >= 3


def test_every_demo_office_stands_on_a_real_geonames_place(demo: Demo) -> None:
    session = demo.session
    places = {f"geonames:{p[0]}": (p[2], p[3]) for p in data.gazetteer()["places"]}
    for office in session.scalars(sa.select(PostOffice)):
        assert places[office.coordinate_source or ""] == (office.lat, office.lon)


def test_the_demo_has_units_at_every_level_and_twenty_procedures(demo: Demo) -> None:
    session = demo.session
    levels = set(
        session.scalars(sa.select(Organization.level).where(Organization.kind == OrgKind.ONE_STOP_UNIT))
    )
    assert levels == {"ministry", "province", "commune"}
    procedures = session.scalars(sa.select(Procedure)).all()
    assert len(procedures) >= 20
    assert all(p.components for p in procedures)


def test_the_demo_has_a_user_for_every_role(demo: Demo) -> None:
    session = demo.session
    roles = set(session.scalars(sa.select(User.role)))
    assert roles == {r.value for r in Role}


def test_seed_demo_prints_every_demo_account_once(demo: Demo) -> None:
    session = demo.session
    report = demo.report
    printed = [username for _label, username, _password in report.users]
    assert sorted(printed) == sorted(session.scalars(sa.select(User.username)))


def test_the_printed_demo_api_keys_work(demo: Demo) -> None:
    session, clock = demo.session, demo.clock
    report = demo.report
    assert report.api_keys
    for code, _name, key in report.api_keys:
        found = api_keys.authenticate(session, key, clock.now())
        assert found is not None and found.organization.code == code


def test_the_demo_has_a_day_of_pickups_for_the_central_office_to_plan(demo: Demo) -> None:
    session = demo.session
    from postal_hub.pickup.models import Pickup, PickupSchedule

    report = demo.report
    assert report.counts["pickups"] == 8
    assert session.scalar(sa.select(sa.func.count()).select_from(PickupSchedule))
    pickups = session.scalars(sa.select(Pickup)).all()
    assert sum(p.office.code == "100000" for p in pickups) >= 4  # the demo manager's and postman's office
    assert all(p.office.province_code == "01" for p in pickups)


def test_every_demo_procedure_is_in_a_procedure_group(demo: Demo) -> None:
    session = demo.session
    procedures = session.scalars(sa.select(Procedure)).all()
    assert procedures and all(p.group is not None for p in procedures)


def test_the_demo_staff_were_certified_for_every_demo_dossier_before_taking_it(demo: Demo) -> None:
    session = demo.session
    from postal_hub.intake.models import Dossier

    dossiers = session.scalars(sa.select(Dossier).where(Dossier.accepted_by_id.is_not(None))).all()
    assert {d.procedure.group.code for d in dossiers if d.procedure.group} >= {"HT", "DD"}
    for dossier in dossiers:
        clerk = session.get(User, dossier.accepted_by_id)
        assert clerk is not None
        day = to_local(dossier.accepted_at).date()
        assert (
            gate.missing_certification(session, clerk, dossier.procedure, day, gate.GateAction.COUNTER) == ""
        )


def test_the_demo_has_a_certificate_expiring_within_thirty_days(demo: Demo) -> None:
    session, clock = demo.session, demo.clock
    today = to_local(clock.now()).date()
    soon = session.scalars(
        sa.select(Certificate).where(
            Certificate.revoked_at.is_(None),
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=30),
        )
    ).all()
    assert soon


def test_the_demo_has_a_revoked_certificate_with_its_reason(demo: Demo) -> None:
    session = demo.session
    revoked = session.scalars(sa.select(Certificate).where(Certificate.revoked_at.is_not(None))).all()
    assert revoked and all(c.revoke_reason for c in revoked)


def test_the_demo_has_a_failed_score_and_a_failed_attendance(demo: Demo) -> None:
    session = demo.session
    from postal_hub.training.results import attendance_percent

    failed = session.scalars(sa.select(Enrolment).where(Enrolment.status == "failed")).all()
    course_of = [(e, e.session.course) for e in failed]
    assert any(e.score is not None and e.score < c.pass_mark for e, c in course_of)
    assert any(e.score is not None and e.score >= c.pass_mark for e, c in course_of)  # failed on attendance
    assert any(attendance_percent(e) < c.min_attendance for e, c in course_of)


def test_the_demo_has_an_upcoming_session_with_a_waiting_list(demo: Demo) -> None:
    session, clock = demo.session, demo.clock
    waiting = session.scalars(sa.select(Enrolment).where(Enrolment.status == "waitlisted")).all()
    assert waiting
    record: TrainingSession = waiting[0].session
    assert record.status == "planned" and record.starts_on > to_local(clock.now()).date()
    assert sum(e.status == "enrolled" for e in record.enrolments) == record.capacity


def test_the_gate_refuses_a_demo_clerk_not_certified_for_land(demo: Demo) -> None:
    session, clock = demo.session, demo.clock
    clerk3 = session.scalar(sa.select(User).where(User.username == "clerk3"))
    land = session.scalar(sa.select(Procedure).where(Procedure.code == "1.012783"))
    birth = session.scalar(sa.select(Procedure).where(Procedure.code == "1.001193"))
    assert clerk3 is not None and land is not None and birth is not None
    gate.check(session, clerk3, birth, gate.GateAction.COUNTER, clock.now())
    with pytest.raises(gate.NotCertified):
        gate.check(session, clerk3, land, gate.GateAction.COUNTER, clock.now())


def test_the_coverage_screen_shows_expiring_expired_and_untrained_staff(demo: Demo) -> None:
    session, clock = demo.session, demo.clock
    from postal_hub.training.coverage import office_coverage, office_staff

    admin = session.scalar(sa.select(User).where(User.username == "admin"))
    assert admin is not None
    today = to_local(clock.now()).date()
    rows = {r.office.code: r for r in office_coverage(session, admin, today) if r.staff}
    assert set(rows) >= {"100000", "122000"}
    assert sum(r.expiring[30] for r in rows.values()) >= 1
    assert sum(r.expiring[90] - r.expiring[60] for r in rows.values()) >= 1
    assert sum(r.never_trained for r in rows.values()) >= 1
    lines = office_staff(session, rows["122000"].office)
    assert any(line.certificates and not line.valid(today) for line in lines)  # expired or revoked

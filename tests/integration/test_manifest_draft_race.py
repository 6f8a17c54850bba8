"""Two officers putting the same result on a manifest at once: one draft only (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from postal_hub import create_app
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.places.services import sync_places
from postal_hub.core.users.models import User
from postal_hub.extensions import db
from postal_hub.handoff.models import ManifestLine
from postal_hub.handoff.services import LineInput, create_manifest
from postal_hub.handoff.status import Direction
from tests.conftest import ENGINE, TEST_CONFIG
from tests.factories_delivery import delivery_world, ready_result
from tests.fakes import FixedClock

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="PostgreSQL")


def test_one_result_goes_on_one_draft_only(own_schema: str) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 4})
    clock = FixedClock()
    with app.app_context():
        sync_places(db.session)
        world = delivery_world(db.session)
        dossier, _d = ready_result(db.session, world, clock.now())
        ids = (world["officer"].id, world["office"].id, world["unit"].id, dossier.code)
        db.session.commit()
    officer_id, office_id, unit_id, code = ids
    a_done, errors = threading.Event(), []

    def make(seal: str, first: bool) -> None:
        try:
            with app.app_context():
                s = db.session
                officer, office, unit = (
                    s.get(User, officer_id),
                    s.get(PostOffice, office_id),
                    s.get(Organization, unit_id),
                )
                if not first:
                    a_done.wait(10)
                create_manifest(
                    s,
                    officer,
                    office,
                    unit,
                    [LineInput(code, seal)],
                    clock.now(),
                    direction=Direction.TO_POST,
                )
                if first:
                    a_done.set()
                    time.sleep(1.0)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    ta = threading.Thread(target=make, args=("RACE-A", True))
    tb = threading.Thread(target=make, args=("RACE-B", False))
    ta.start()
    tb.start()
    ta.join(30)
    tb.join(30)
    with app.app_context():
        lines = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ManifestLine)
            .where(ManifestLine.dossier_code == code, ManifestLine.seal_number.like("RACE-%"))
        )
    # The second preparer is told the result is already on a manifest.
    assert [type(e).__name__ for e in errors] == ["ValidationFailed"]
    assert lines == 1

"""An API write and its remembered Idempotency-Key answer commit together (found by bench/load/faults.py).

A gunicorn worker killed after the dossier was committed but before its answer was kept left the key
reserved with no answer; two minutes later the client's retry took the abandoned key over and accepted
the same dossier a second time.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.api import idempotency
from postal_hub.core.users import api_keys
from postal_hub.intake.models import Dossier
from tests import factories
from tests.conftest import count
from tests.fakes import FixedClock


class WorkerKilled(BaseException):
    """Stands for the SIGKILL: nothing after this point of the request runs."""


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    world = factories.intake_setup(session)
    _key, world["key"] = api_keys.create_api_key(session, world["operator"], "counter system", clock.now())
    session.commit()
    return world


def _body(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "procedure_code": world["procedure"].code,
        "post_office_code": world["office"].code,
        "applicant": {"name": "Trần Thị Bình", "phone": "0987654321", "citizen_id": "079185000321"},
        "address": {"province_code": "01", "commune_code": "00097", "street": "5 Phúc Xá"},
        "components": [{"code": "TP1", "present": True}, {"code": "TP2", "present": True}],
        "result_delivery": "home",
    }


def _kill_before_the_answer_is_kept(*_args: Any) -> str:
    raise WorkerKilled


def test_a_retry_after_a_worker_died_before_keeping_the_answer_makes_one_dossier(
    session: Session,
    client: FlaskClient,
    world: dict[str, Any],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = {"Authorization": f"Bearer {world['key']}", "Idempotency-Key": "counter-7"}
    with monkeypatch.context() as patched:
        patched.setattr(idempotency, "_stored_body", _kill_before_the_answer_is_kept)
        with pytest.raises(WorkerKilled):
            client.post("/api/v1/dossiers", json=_body(world), headers=headers)
    clock.advance(minutes=3)  # past the time after which a reservation counts as abandoned
    retry = client.post("/api/v1/dossiers", json=_body(world), headers=headers)
    assert retry.status_code == 201
    assert count(session, Dossier) == 1

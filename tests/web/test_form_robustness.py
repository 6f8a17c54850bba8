"""Garbage in any admin form field gets a page with messages, never a server error."""

from __future__ import annotations

import random

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from postal_hub.contracts import statements
from postal_hub.core.users.models import Role
from tests import factories
from tests.conftest import AuthActions
from tests.fakes import FixedClock

JUNK = ["", "abc", "-1", "9" * 25, "<script>alert(1)</script>", "0", "1.5", "nan", "ø" * 600, "00004", " "]
FIELDS = [
    "kind",
    "code",
    "name",
    "level",
    "parent_id",
    "tax_code",
    "province_code",
    "commune_code",
    "address",
    "phone",
    "email",
    "lat",
    "lon",
    "operator_id",
    "postcode",
    "opening_hours",
    "field",
    "competent_level",
    "unit_id",
    "fee",
    "charge",
    "processing_days",
    "postal_allowed",
    "onsite_inspection",
    "components-0-code",
    "components-0-name",
    "components-0-original",
    "components-0-count",
    "username",
    "full_name",
    "role",
    "organization_id",
    "post_office_id",
    "password",
    "active",
    "number",
    "procurement_method",
    "award_decision",
    "signed_on",
    "valid_from",
    "valid_to",
    "notes",
    "working_hours",
    "all_procedures",
    "procedure_ids",
    "nationwide",
    "province_codes",
    "page_price",
    "penalty_per_breach",
    "home_pickup_on",
    "home_pickup_sla",
    "home_pickup_price",
    "digitization_on",
    "digitization_sla",
    "digitization_price",
    "amendment_number",
    "effective_on",
    "note",
    "assessed_on",
    "unit_facilities",
    "unit_staff",
    "operator_offices",
    "operator_staff",
    "trained_staff",
    "conclusion",
    "signed_by",
    "target",
    "reason",
    "month",
    "action",
    "comment",
]


def test_no_form_answers_with_a_server_error_whatever_is_posted(
    app: Flask, session: Session, client: FlaskClient, auth: AuthActions, clock: FixedClock
) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    office = factories.post_office(session)
    unit = factories.unit(session)
    procedure = factories.procedure(session)
    session.commit()
    auth.sign_in(admin.username)
    made = factories.contract(session, unit)
    draft = factories.contract(session, unit, activate=False)
    clock.advance(days=15)
    statement = statements.prepare(session, None, made, 2026, 11, clock.now())
    session.commit()
    ids = {"org_id": unit.id, "office_id": office.id, "user_id": admin.id, "procedure_id": procedure.id}
    ids |= {"key_id": 1, "contract_id": draft.id, "statement_id": statement.id}
    rng = random.Random(20261122)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in {"admin", "contracts", "home"} or "POST" not in (
            rule.methods or set()
        ):
            continue
        url = rule.build({a: ids[a] for a in rule.arguments})[1]
        attempts = [dict.fromkeys(FIELDS, value) for value in JUNK]
        attempts += [{f: rng.choice(JUNK) for f in rng.sample(FIELDS, 12)} for _ in range(15)]
        for data in attempts:
            status = client.post(url, data=data).status_code
            if status >= 500:
                failures.append((url, {k: v[:12] for k, v in data.items()}))
    assert failures == []


INTAKE_FIELDS = [
    "procedure_code",
    "submission_token",
    "applicant_name",
    "citizen_id",
    "phone",
    "province_code",
    "commune_code",
    "street",
    "subject_province_code",
    "subject_commune_code",
    "present",
    "result_delivery",
    "payment_method",
    "component",
    "file_id",
    "consent",
]


def test_no_counter_form_answers_with_a_server_error_whatever_is_posted(
    app: Flask, session: Session, client: FlaskClient, auth: AuthActions, clock: FixedClock
) -> None:
    from postal_hub.intake.models import Dossier
    from postal_hub.intake.services import AcceptanceInput, accept

    world = factories.intake_setup(session)
    dossier = accept(
        session,
        world["clerk"],
        world["office"],
        AcceptanceInput(
            procedure_id=world["procedure"].id, applicant=factories.applicant(), present={"TP1", "TP2"}
        ),
        clock.now(),
    )
    assert isinstance(dossier, Dossier)
    session.commit()
    auth.sign_in(world["clerk"].username)
    rng = random.Random(4)
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("intake.") or "POST" not in (rule.methods or set()):
            continue
        url = rule.build({a: dossier.code for a in rule.arguments})[1]
        attempts = [dict.fromkeys(INTAKE_FIELDS, value) for value in JUNK]
        attempts += [{f: rng.choice(JUNK) for f in rng.sample(INTAKE_FIELDS, 8)} for _ in range(15)]
        attempts += [{**a, "procedure_code": world["procedure"].code} for a in attempts[:10]]
        for data in attempts:
            status = client.post(url, data=data).status_code
            if status >= 500:
                failures.append((url, {k: v[:12] for k, v in data.items()}))
    assert failures == []

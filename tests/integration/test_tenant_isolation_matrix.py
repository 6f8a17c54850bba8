"""The tenant-isolation matrix: no organization reaches another's data.

Every endpoint of the app's URL map is in TABLE: either a case (how to build organization B's identifiers
for the rule's arguments, which methods to replay, with what body) or an exemption with its reason. For
every case, each staff user of side A (every staff role, including those with no business on the route)
and an anonymous visitor replay the request with B's identifiers: a signed-in user gets 403 or 404, an
anonymous one the sign-in page, an API key of A a 403 or 404; no body carries any of B's distinctive
strings, and a refused write changes nothing. The positive controls replay the same requests as B's own
user or key and expect them to succeed, which proves the identifiers are real and the case is not vacuous.

Beyond the URL's identifiers: lists filtered by B's records in the query string, the lists of A's own
organization, writes on A's records naming B's in the body (BODY_CASES), and B's child records under
A's parents (MIXED_CASES). The world (tests/factories_isolation.py) is built once for the module, in a
transaction rolled back at its end; every refused write is checked against a digest of every table.

`system_admin` is global by design: it is never replayed as side A, only used as a positive control of
the administrator's screens.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.files import LocalFileStore
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from tests import factories as f
from tests.conftest import TEST_CONFIG, TEST_PASSWORD, _bound_app
from tests.factories_isolation import PDF, STAFF_ROLES, Side, build_side, neutral_training_shelf
from tests.fakes import FixedClock

R = Role
Url = Callable[[Side], str]
Body = Callable[[Side], dict[str, Any]]

# --- the table -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A route replayed with side B's identifiers.

    kind: "staff" (a signed-in screen), "api" (an API key), "public" (anyone; the body must show none of
    the citizen's personal data), "filter" (a list whose query string names B's records: any page but
    none of B's data). owner: who on side B the GET (or the API request) succeeds for: a role, or "unit" /
    "operator" for an API key. shared: B's strings A may see there by design (with the reason in the table).
    """

    url: Url
    methods: tuple[str, ...] = ("GET",)
    body: Body | None = None
    owner: Role | str | None = None
    kind: str = "staff"
    shared: tuple[str, ...] = ()
    open_to: tuple[Role, ...] = ()
    files: bool = False


@dataclass(frozen=True)
class Exempt:
    reason: str


NO_ID = "takes no tenant identifier: it acts on the signed-in user's own organization or on nothing"
PUBLIC_TOOL = "public by design and takes no tenant identifier"
ADMIN = "global administrator only (the admin blueprint, no tenant record to scope)"
TRAINING_GLOBAL = "procedure groups are national reference data, managed by the administrator only"
# Training sessions are on offer to every organization's staff (to ask for a seat; a manager to enrol):
# a course's and a session's title, place, trainer and organization are seen by design, never its trainees.
ON_OFFER = ("Bưu chính Betaville", "Khóa học Betaville", "Phòng học Betaville", "Bertrand Trainer")
TRAINING_STAFF = (Role.POSTAL_CLERK, Role.POSTMAN, Role.POSTAL_MANAGER, Role.TRAINER)


TABLE: dict[str, Case | Exempt] = {
    # --- public, no identifier ----------------------------------------------------------------------
    "static": Exempt("static files: no data"),
    "health.healthz": Exempt("liveness probe: no data, no identifier"),
    "health.readyz": Exempt("readiness probe: SELECT 1, no data, no identifier"),
    "home.index": Exempt(NO_ID),
    "auth.sign_in_page": Exempt(PUBLIC_TOOL),
    "auth.sign_out": Exempt(NO_ID),
    "auth.set_language": Exempt(PUBLIC_TOOL),
    "home.notifications_read": Exempt(NO_ID),
    "places.communes": Exempt("national reference data: the communes of a province"),
    "intake.catalogue": Exempt(PUBLIC_TOOL),
    "intake.track_form": Exempt(PUBLIC_TOOL),
    "training.verify_form": Exempt(PUBLIC_TOOL),
    "monitoring.transparency": Exempt(PUBLIC_TOOL),
    "pickup.book_page": Exempt(PUBLIC_TOOL),
    "pickup.find_page": Exempt(
        "public: a booking is found by reference and phone together, checked in its own tests"
    ),
    "api.openapi": Exempt(PUBLIC_TOOL),
    "api.procedures": Exempt(PUBLIC_TOOL),
    "api.post_offices": Exempt(PUBLIC_TOOL),
    "api.pickup_slots": Exempt(PUBLIC_TOOL),
    "api.create_pickup": Exempt("public by design: a citizen books a pickup; takes no identifier"),
    # --- public by design, with an identifier: no personal data -------------------------------------
    "intake.procedure_page": Case(
        lambda s: f"/procedures/{s.records['world']['procedure'].code}", kind="public"
    ),
    "intake.track": Case(lambda s: f"/track/{s.records['sent'].code}", kind="public"),
    "api.track": Case(lambda s: f"/api/v1/track/{s.records['sent'].code}", kind="public"),
    "monitoring.transparency_province": Case(lambda s: "/transparency/01", kind="public"),
    "training.verify_certificate": Case(
        lambda s: f"/verify/certificates/{s.records['certificate'].number}", kind="public"
    ),
    # The citizen's capability links: without the token, B's code or reference is just not found.
    "delivery.result_page": Case(lambda s: f"/results/{s.records['at_office'].dossier.code}", kind="token"),
    "delivery.choose_window": Case(
        lambda s: f"/results/{s.records['at_office'].dossier.code}/window", ("POST",), kind="token"
    ),
    "delivery.collect_at_office": Case(
        lambda s: f"/results/{s.records['at_office'].dossier.code}/collect", ("POST",), kind="token"
    ),
    "delivery.authorise": Case(
        lambda s: f"/results/{s.records['at_office'].dossier.code}/authorise", ("POST",), kind="token"
    ),
    "delivery.rate": Case(
        lambda s: f"/results/{s.records['delivered'].dossier.code}/rating", ("POST",), kind="token"
    ),
    "pickup.manage_page": Case(lambda s: f"/pickup/manage/{s.records['pickup'].reference}", kind="token"),
    "pickup.cancel": Case(
        lambda s: f"/pickup/manage/{s.records['pickup'].reference}/cancel", ("POST",), kind="token"
    ),
    "pickup.reschedule": Case(
        lambda s: f"/pickup/manage/{s.records['pickup'].reference}/reschedule", ("POST",), kind="token"
    ),
    "api.get_pickup": Case(lambda s: f"/api/v1/pickups/{s.records['pickup'].reference}", kind="token"),
    "api.reschedule_pickup": Case(
        lambda s: f"/api/v1/pickups/{s.records['pickup'].reference}",
        ("PATCH",),
        body=lambda s: {"slot_start": "2026-11-24T10:00:00+07:00"},
        kind="token",
    ),
    "api.cancel_pickup": Case(
        lambda s: f"/api/v1/pickups/{s.records['pickup'].reference}", ("DELETE",), kind="token"
    ),
    # --- admin ----------------------------------------------------------------------------------------
    "admin.organizations": Exempt(ADMIN),
    "admin.organization_new": Exempt(ADMIN),
    "admin.units": Exempt(ADMIN),
    "admin.unit_new": Exempt(ADMIN),
    "admin.offices": Exempt(ADMIN),
    "admin.office_new": Exempt(ADMIN),
    "admin.office_import": Exempt(ADMIN),
    "admin.procedures": Exempt(ADMIN),
    "admin.procedure_new": Exempt(ADMIN),
    "admin.procedure_import": Exempt(ADMIN),
    "admin.procedure_edit": Exempt(ADMIN),
    "admin.procedure_active": Exempt(ADMIN),
    "admin.users": Exempt(ADMIN),
    "admin.user_new": Exempt(ADMIN),
    "admin.organization_edit": Case(
        lambda s: f"/admin/organizations/{s.operator.id}/edit", ("GET", "POST"), owner=R.SYSTEM_ADMIN
    ),
    "admin.organization_active": Case(
        lambda s: f"/admin/organizations/{s.operator.id}/active", ("POST",), body=lambda s: {"active": "0"}
    ),
    "admin.api_key_new": Case(
        lambda s: f"/admin/organizations/{s.unit.id}/api-keys", ("POST",), body=lambda s: {"name": "x"}
    ),
    "admin.api_key_revoke": Case(lambda s: f"/admin/api-keys/{s.key_ids['unit']}/revoke", ("POST",)),
    "admin.unit_edit": Case(
        lambda s: f"/admin/units/{s.unit.id}/edit", ("GET", "POST"), owner=R.SYSTEM_ADMIN
    ),
    "admin.office_edit": Case(
        lambda s: f"/admin/offices/{s.office.id}/edit", ("GET", "POST"), owner=R.SYSTEM_ADMIN
    ),
    "admin.office_active": Case(
        lambda s: f"/admin/offices/{s.office.id}/active", ("POST",), body=lambda s: {"active": "0"}
    ),
    "admin.user_edit": Case(
        lambda s: f"/admin/users/{s.user(R.POSTAL_CLERK).id}/edit", ("GET", "POST"), owner=R.SYSTEM_ADMIN
    ),
    # --- contracts, statements, tasks -----------------------------------------------------------------
    "contracts.contracts": Exempt(NO_ID),
    "contracts.contract_new": Exempt(NO_ID + " (a unit of B named in the form: BODY_CASES)"),
    "contracts.tasks": Case(
        lambda s: f"/tasks?office={s.office.id}&contract={s.records['contract'].id}", kind="filter"
    ),
    "contracts.contract_detail_page": Case(
        lambda s: f"/contracts/{s.records['contract'].id}", owner=R.AGENCY_SUPERVISOR
    ),
    "contracts.contract_edit": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/edit", ("GET", "POST"), owner=R.AGENCY_SUPERVISOR
    ),
    "contracts.contract_assessment": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/assessment",
        ("GET", "POST"),
        owner=R.AGENCY_SUPERVISOR,
    ),
    "contracts.contract_amend": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/amend", ("GET", "POST"), owner=R.AGENCY_SUPERVISOR
    ),
    "contracts.contract_status": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/status",
        ("POST",),
        body=lambda s: {"target": "suspended", "reason": "Tạm dừng thử"},
    ),
    "contracts.contract_document_upload": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/documents", ("POST",), files=True
    ),
    "contracts.contract_document": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/documents/{s.records['document'].id}",
        owner=R.AGENCY_SUPERVISOR,
    ),
    "contracts.statement_prepare": Case(
        lambda s: f"/contracts/{s.records['contract'].id}/statements",
        ("POST",),
        body=lambda s: {"month": "2026-11"},
    ),
    "contracts.statement_page": Case(
        lambda s: f"/statements/{s.records['statement'].id}", owner=R.POSTAL_MANAGER
    ),
    "contracts.statement_action": Case(
        lambda s: f"/statements/{s.records['statement'].id}/action",
        ("POST",),
        body=lambda s: {"action": "submit", "comment": "Gửi thử"},
    ),
    "contracts.statement_export": Case(
        lambda s: f"/statements/{s.records['statement'].id}/export.csv", owner=R.POSTAL_MANAGER
    ),
    # --- intake at the desk ---------------------------------------------------------------------------
    "intake.desk": Exempt(NO_ID),
    "intake.accept_page": Exempt(NO_ID + " (the clerk's own office)"),
    "intake.dossier_page": Case(lambda s: f"/desk/dossiers/{s.records['desk'].code}", owner=R.POSTAL_CLERK),
    "intake.receipt": Case(
        lambda s: f"/desk/dossiers/{s.records['desk'].code}/receipt", owner=R.POSTAL_CLERK
    ),
    "intake.scan_upload": Case(
        lambda s: f"/desk/dossiers/{s.records['desk'].code}/scans",
        ("POST",),
        body=lambda s: {"component": "TP2"},
        files=True,
    ),
    "intake.scan_reuse": Case(
        lambda s: f"/desk/dossiers/{s.records['desk'].code}/reuse", ("POST",), body=lambda s: {"file_id": "1"}
    ),
    "intake.scan_done": Case(lambda s: f"/desk/dossiers/{s.records['desk'].code}/digitized", ("POST",)),
    "intake.scan_file": Case(
        lambda s: f"/desk/dossiers/{s.records['desk'].code}/files/{s.records['scan'].id}",
        owner=R.POSTAL_CLERK,
    ),
    # --- hand-off and custody -------------------------------------------------------------------------
    "handoff.manifests": Exempt(NO_ID),
    "handoff.manifest_new": Exempt(NO_ID + " (units offered are those with dossiers at the user's office)"),
    "handoff.manifest_page_view": Case(
        lambda s: f"/manifests/{s.records['manifest'].number}", owner=R.UNIT_OFFICER
    ),
    "handoff.manifest_print": Case(
        lambda s: f"/manifests/{s.records['manifest'].number}/print", owner=R.POSTAL_CLERK
    ),
    "handoff.manifest_dispatch": Case(
        lambda s: f"/manifests/{s.records['draft_manifest'].number}/dispatch", ("POST",)
    ),
    "handoff.manifest_cancel": Case(
        lambda s: f"/manifests/{s.records['draft_manifest'].number}/cancel", ("POST",)
    ),
    "handoff.manifest_close": Case(lambda s: f"/manifests/{s.records['manifest'].number}/close", ("POST",)),
    "handoff.manifest_line_answer": Case(
        lambda s: f"/manifests/{s.records['manifest'].number}/lines/{s.records['manifest'].lines[0].id}",
        ("POST",),
        body=lambda s: {"decision": "received"},
    ),
    "handoff.manifest_extra": Case(
        lambda s: f"/manifests/{s.records['manifest'].number}/extras",
        ("POST",),
        body=lambda s: {"label": "RR123456785VN", "note": "thừa"},
    ),
    "handoff.dossier_custody": Case(
        lambda s: f"/desk/dossiers/{s.records['sent'].code}/custody", owner=R.POSTAL_CLERK
    ),
    "handoff.dossier_send_again": Case(
        lambda s: f"/desk/dossiers/{s.records['desk'].code}/send-again",
        ("POST",),
        body=lambda s: {"unit_id": str(s.unit.id), "note": "Gửi lại"},
    ),
    "handoff.custody_chain": Case(lambda s: f"/custody?org={s.unit.code}", kind="filter"),
    "handoff.custody_verify": Exempt(NO_ID + " (only an administrator may name another chain, by ?org=)"),
    "handoff.custody_checkpoint_new": Exempt(NO_ID + " (only an administrator may name another chain)"),
    "handoff.custody_checkpoint_file": Case(
        lambda s: f"/custody/checkpoints/{s.records['unit_checkpoint'].id}.json", owner=R.UNIT_OFFICER
    ),
    # --- result delivery ------------------------------------------------------------------------------
    "delivery.deliveries": Exempt(NO_ID),
    "delivery.start_run": Exempt(NO_ID + " (the signed-in postman's own assigned deliveries)"),
    "delivery.ratings_page": Exempt(NO_ID),
    "delivery.result_ready": Case(
        lambda s: f"/dossiers/{s.records['received'].code}/result-ready",
        ("GET", "POST"),
        body=lambda s: {"summary": "Giấy phép thử"},
        owner=R.UNIT_OFFICER,
    ),
    "delivery.assign_delivery": Case(
        lambda s: f"/deliveries/{s.records['at_office'].dossier.code}/assign",
        ("POST",),
        body=lambda s: {"postman_id": str(s.user(R.POSTMAN).id)},
    ),
    "delivery.take_out": Case(
        lambda s: f"/deliveries/{s.records['at_office'].dossier.code}/take-out", ("POST",)
    ),
    "delivery.door": Case(
        lambda s: f"/deliveries/{s.records['out'].dossier.code}/door",
        ("GET", "POST"),
        body=lambda s: {"step": "fail", "reason": "nobody_home"},
        owner=R.POSTMAN,
    ),
    "delivery.collect": Case(
        lambda s: f"/deliveries/{s.records['collect'].dossier.code}/collect",
        ("GET", "POST"),
        body=lambda s: {"step": "deliver", "recipient": "applicant"},
        owner=R.POSTAL_CLERK,
    ),
    "delivery.release": Case(
        lambda s: f"/deliveries/{s.records['at_office'].dossier.code}/release",
        ("POST",),
        body=lambda s: {"outcome": "at_office"},
    ),
    "delivery.proof_file": Case(
        lambda s: f"/deliveries/{s.records['delivered'].dossier.code}/proof/1/signature",
        owner=R.POSTAL_MANAGER,
    ),
    "delivery.unit_counter": Case(
        lambda s: f"/deliveries/{s.records['counter'].code}/unit-counter",
        ("GET", "POST"),
        body=lambda s: {"step": "deliver", "recipient": "applicant"},
        owner=R.UNIT_OFFICER,
    ),
    "delivery_remittance.remittance_page": Case(lambda s: f"/remittance?unit={s.unit.id}", kind="filter"),
    "delivery_remittance.export_csv": Case(
        lambda s: f"/remittance/export.csv?unit={s.unit.id}", kind="filter"
    ),
    "delivery_remittance.export_xlsx": Case(
        lambda s: f"/remittance/export.xlsx?unit={s.unit.id}", kind="filter"
    ),
    # --- pickups (staff) ------------------------------------------------------------------------------
    "pickup.dispatch": Case(
        lambda s: f"/pickups/dispatch?office={s.office.id}&date=2026-11-23", kind="filter"
    ),
    "pickup.route_sheet": Case(
        lambda s: f"/pickups/route?office={s.office.id}&postman={s.user(R.POSTMAN).id}&date=2026-11-23",
        kind="filter",
    ),
    "pickup.my_route": Exempt(NO_ID + " (the signed-in postman's own route)"),
    "pickup.assign_pickup": Case(
        lambda s: f"/pickups/{s.records['pickup'].reference}/assign",
        ("POST",),
        body=lambda s: {"postman_id": str(s.user(R.POSTMAN).id)},
    ),
    "pickup.plan_day": Case(
        lambda s: "/pickups/dispatch/plan",
        ("POST",),
        body=lambda s: {
            "office": str(s.office.id),
            "date": "2026-11-23",
            "postman_ids": str(s.user(R.POSTMAN).id),
        },
    ),
    "pickup.door": Case(
        lambda s: f"/pickups/{s.records['pickup'].reference}/door",
        ("GET", "POST"),
        body=lambda s: {"step": "fail", "reason": "nobody_home"},
        owner=R.POSTAL_MANAGER,
    ),
    "pickup.schedule": Case(
        lambda s: f"/pickups/schedule/{s.office.id}",
        ("GET", "POST"),
        body=lambda s: {"windows": "Mo-Fr 08:00-10:00", "capacity": "1", "service_minutes": "10"},
        owner=R.POSTAL_MANAGER,
    ),
    # --- monitoring -----------------------------------------------------------------------------------
    "monitoring.dashboard": Case(
        lambda s: f"/monitoring?unit={s.unit.id}&office={s.office.id}", kind="filter"
    ),
    "monitoring.alerts": Case(
        lambda s: f"/monitoring/alerts?unit={s.unit.id}&office={s.office.id}", kind="filter"
    ),
    "monitoring.dossiers": Case(
        lambda s: f"/monitoring/dossiers?unit={s.unit.id}&office={s.office.id}", kind="filter"
    ),
    "monitoring.tasks": Case(
        lambda s: f"/monitoring/tasks?unit={s.unit.id}&office={s.office.id}", kind="filter"
    ),
    "monitoring.report_form": Case(
        lambda s: (
            f"/monitoring/reports?unit={s.unit.code}&quarter=2026-Q3&contract={s.records['contract'].id}"
        ),
        kind="filter",
    ),
    "monitoring.report_page": Case(
        lambda s: f"/monitoring/reports/{s.unit.code}/2026-Q4", owner=R.UNIT_OFFICER
    ),
    "monitoring.report_xlsx_download": Case(
        lambda s: f"/monitoring/reports/{s.unit.code}/2026-Q4.xlsx", owner=R.UNIT_OFFICER
    ),
    # --- training -------------------------------------------------------------------------------------
    "training.index": Exempt(NO_ID),
    "training.gate": Exempt("the national training gate: administrator only, no tenant identifier"),
    "training.groups": Exempt(TRAINING_GLOBAL),
    "training.group_new": Exempt(TRAINING_GLOBAL),
    "training.group_edit": Exempt(TRAINING_GLOBAL),
    "training.group_active": Exempt(TRAINING_GLOBAL),
    "training.group_assign_field": Exempt(TRAINING_GLOBAL),
    "training.course_new": Exempt(NO_ID + " (the trainer's own organization)"),
    "training.coverage": Exempt(NO_ID),
    "training.coverage_csv": Exempt(NO_ID),
    "training.coverage_xlsx": Exempt(NO_ID),
    "training.courses": Case(
        shared=ON_OFFER, url=lambda s: f"/training/courses?organization={s.operator.id}", kind="filter"
    ),
    "training.sessions": Case(
        shared=ON_OFFER, url=lambda s: f"/training/sessions?course={s.records['course'].id}", kind="filter"
    ),
    "training.certificates": Case(lambda s: "/training/certificates?group=1", kind="filter"),
    "training.coverage_office": Case(lambda s: f"/training/coverage/{s.office.id}", owner=R.POSTAL_MANAGER),
    "training.course_page": Case(
        lambda s: f"/training/courses/{s.records['course'].id}",
        owner=R.TRAINER,
        shared=ON_OFFER,
        open_to=TRAINING_STAFF,
    ),
    "training.course_edit": Case(
        lambda s: f"/training/courses/{s.records['course'].id}/edit",
        ("GET", "POST"),
        owner=R.TRAINER,
        shared=ON_OFFER,
    ),
    "training.course_active": Case(
        lambda s: f"/training/courses/{s.records['course'].id}/active",
        ("POST",),
        body=lambda s: {"active": "0"},
        shared=ON_OFFER,
    ),
    "training.session_new": Case(
        lambda s: f"/training/courses/{s.records['course'].id}/sessions/new",
        ("GET", "POST"),
        owner=R.TRAINER,
        shared=ON_OFFER,
    ),
    "training.session_page": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}",
        owner=R.TRAINER,
        shared=ON_OFFER,
        open_to=TRAINING_STAFF,
    ),
    "training.session_edit": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/edit",
        ("GET", "POST"),
        owner=R.TRAINER,
        shared=ON_OFFER,
    ),
    "training.session_attendance": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/attendance",
        ("POST",),
        body=lambda s: {"enrolment_id": str(s.records["enrolment"].id), "day": "2026-11-16", "present": "1"},
        shared=ON_OFFER,
    ),
    "training.session_scores": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/scores",
        ("POST",),
        body=lambda s: {f"score-{s.records['enrolment'].id}": "95"},
        shared=ON_OFFER,
    ),
    "training.session_cancel": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/cancel",
        ("POST",),
        body=lambda s: {"reason": "x"},
        shared=ON_OFFER,
    ),
    "training.session_complete": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/complete", ("POST",), shared=ON_OFFER
    ),
    "training.session_enrol": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/enrol",
        ("POST",),
        body=lambda s: {"user_id": str(s.user(R.POSTAL_CLERK).id)},
        shared=ON_OFFER,
    ),
    "training.session_issue": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/enrolments/{s.records['passed'].id}/issue",
        ("POST",),
        shared=ON_OFFER,
    ),
    "training.session_withdraw": Case(
        lambda s: (
            f"/training/sessions/{s.records['session'].id}/enrolments/{s.records['enrolment'].id}/withdraw"
        ),
        ("POST",),
        shared=ON_OFFER,
    ),
    "training.session_issue_all": Case(
        lambda s: f"/training/sessions/{s.records['session'].id}/issue", ("POST",), shared=ON_OFFER
    ),
    "training.certificate_page": Case(
        lambda s: f"/training/certificates/{s.records['certificate'].id}", owner=R.TRAINER
    ),
    "training.certificate_print": Case(
        lambda s: f"/training/certificates/{s.records['certificate'].id}/print", owner=R.TRAINER
    ),
    "training.certificate_revoke": Case(
        lambda s: f"/training/certificates/{s.records['certificate'].id}/revoke",
        ("POST",),
        body=lambda s: {"reason": "Thu hồi thử"},
    ),
    # --- webhooks and API keys (screens) --------------------------------------------------------------
    "webhooks.endpoints": Exempt(NO_ID),
    "webhooks.endpoint_new": Exempt(NO_ID + " (an organization chosen among the user's own)"),
    "webhooks.api_keys_page": Exempt(NO_ID),
    "webhooks.api_key_create": Exempt(NO_ID + " (a key of the user's own organization)"),
    "webhooks.endpoint_detail": Case(lambda s: f"/webhooks/{s.records['endpoint'].id}", owner=R.UNIT_OFFICER),
    "webhooks.endpoint_disable": Case(
        lambda s: f"/webhooks/{s.records['endpoint'].id}/disable", ("POST",), body=lambda s: {"reason": "x"}
    ),
    "webhooks.endpoint_enable": Case(lambda s: f"/webhooks/{s.records['endpoint'].id}/enable", ("POST",)),
    "webhooks.endpoint_delete": Case(lambda s: f"/webhooks/{s.records['endpoint'].id}/delete", ("POST",)),
    "webhooks.message_send_again": Case(
        lambda s: f"/webhooks/{s.records['endpoint'].id}/messages/{s.records['message'].id}/send-again",
        ("POST",),
    ),
    "webhooks.api_key_revoke_own": Case(
        lambda s: f"/webhooks/api-keys/{s.key_ids['unit']}/revoke", ("POST",)
    ),
    # --- the API ----------------------------------------------------------------------------------------
    "api.list_dossiers": Exempt(NO_ID + " (the key's own organization)"),
    "api.create_dossier": Exempt(NO_ID + " (B's office named in the body: MIXED_CASES)"),
    "api.list_manifests": Exempt(NO_ID + " (the key's own organization)"),
    "api.list_webhooks": Exempt(NO_ID + " (the key's own organization)"),
    "api.register_webhook": Exempt(NO_ID + " (an endpoint of the key's own organization)"),
    "api.get_dossier": Case(lambda s: f"/api/v1/dossiers/{s.records['sent'].code}", kind="api", owner="unit"),
    "api.dossier_events": Case(
        lambda s: f"/api/v1/dossiers/{s.records['sent'].item_number}/events", kind="api", owner="operator"
    ),
    "api.confirm_receipt": Case(
        lambda s: f"/api/v1/dossiers/{s.records['sent'].code}/receipt",
        ("POST",),
        body=lambda s: {"accepted": True},
        kind="api",
        owner="unit",
    ),
    "api.result_ready": Case(
        lambda s: f"/api/v1/dossiers/{s.records['received'].code}/result-ready",
        ("POST",),
        body=lambda s: {"summary": "Giấy phép thử"},
        kind="api",
        owner="unit",
    ),
    "api.get_manifest": Case(
        lambda s: f"/api/v1/manifests/{s.records['manifest'].number}", kind="api", owner="operator"
    ),
    "api.close_manifest": Case(
        lambda s: f"/api/v1/manifests/{s.records['manifest'].number}/close",
        ("POST",),
        body=lambda s: {},
        kind="api",
        owner="unit",
    ),
    "api.delete_webhook": Case(
        lambda s: f"/api/v1/webhooks/{s.records['endpoint'].id}", ("DELETE",), kind="api", owner="unit"
    ),
    "api.webhook_deliveries": Case(
        lambda s: f"/api/v1/webhooks/{s.records['endpoint'].id}/deliveries", kind="api", owner="unit"
    ),
}


def _endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


@pytest.fixture(scope="module")
def url_map_app() -> Flask:
    return create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})


def test_every_endpoint_of_the_url_map_has_a_case_or_an_exemption(url_map_app: Flask) -> None:
    missing = sorted(_endpoints(url_map_app) - set(TABLE))
    assert not missing, f"endpoints with neither an isolation case nor an exemption: {missing}"


def test_the_table_names_no_endpoint_the_app_no_longer_has(url_map_app: Flask) -> None:
    stale = sorted(set(TABLE) - _endpoints(url_map_app))
    assert not stale, f"isolation cases for endpoints the app no longer has: {stale}"


def test_each_case_replays_only_methods_its_rule_accepts(url_map_app: Flask) -> None:
    accepted: dict[str, set[str]] = {}
    for rule in url_map_app.url_map.iter_rules():
        accepted.setdefault(rule.endpoint, set()).update(rule.methods or ())
    wrong = {
        name: case.methods
        for name, case in TABLE.items()
        if isinstance(case, Case) and not set(case.methods) <= accepted.get(name, set())
    }
    assert not wrong, f"cases replaying methods their rule does not accept: {wrong}"


# --- the world and the replay ---------------------------------------------------------------------------


@dataclass
class World:
    app: Flask
    a: Side
    b: Side
    admin: Any
    clients: dict[Role | None, FlaskClient] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    # BODY_CASES made concrete: (endpoint, A's role, URL of A's record, body naming B's records).
    body_cases: list[tuple[str, Role, str, dict[str, Any], tuple[str, ...]]] = field(default_factory=list)
    # MIXED_CASES made concrete: (endpoint, A's role, method, URL, body).
    mixed_cases: list[tuple[str, Role, str, str, dict[str, Any]]] = field(default_factory=list)

    def client_of(self, username: str) -> FlaskClient:
        return _signed_in(self.app, username)


@pytest.fixture(scope="module")
def world_connection(database_engine: Engine) -> Iterator[sa.Connection]:
    """One connection for the module, holding an outer transaction rolled back at its end: the world is
    built once on it, every request of the module's apps joins it (their commits become savepoints)."""
    connection = database_engine.connect()
    outer = connection.begin()
    yield connection
    outer.rollback()
    connection.close()


@pytest.fixture(scope="module")
def world(
    database_url: str, world_connection: sa.Connection, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Sides A and B, an administrator, every case's URL and body for B's records, and a signed-in client
    for each staff role of A (plus an anonymous one), on one app bound to the module's transaction."""
    app = _bound_app(database_url, world_connection, FixedClock())
    app.extensions["file_store"] = LocalFileStore(tmp_path_factory.mktemp("isolation-files"))
    with app.app_context():
        now = FixedClock().now()
        secret = str(app.config["SECRET_KEY"])
        neutral_training_shelf(db.session)
        a = build_side(db.session, "A", now, app.extensions["file_store"], secret)
        b = build_side(db.session, "B", now, app.extensions["file_store"], secret)
        admin = f.user(db.session, Role.SYSTEM_ADMIN)
        db.session.commit()
        made = World(app, a, b, admin)
        for name, case in TABLE.items():
            if isinstance(case, Case):
                made.urls[name] = case.url(b)
                made.bodies[name] = case.body(b) if case.body else {}
        made.body_cases = [(n, role, url(a), body(a, b), shared) for n, role, url, body, shared in BODY_CASES]
        made.mixed_cases = [(n, role, m, url(a, b), body(a, b)) for n, role, m, url, body in MIXED_CASES]
    # No app context is held from here on: each request gets its own, as in production.
    for role in STAFF_ROLES:
        made.clients[role] = _signed_in(app, a.user(role).username)
    made.clients[None] = app.test_client()
    yield made


@pytest.fixture
def db_session(database_url: str, world: World, world_connection: sa.Connection) -> Iterator[Session]:
    """A session on the module's transaction, in the app context of a second app object (so that a
    request of the world's app never shares it)."""
    checker = _bound_app(database_url, world_connection, FixedClock())
    with checker.app_context():
        yield db.session


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post("/sign-in", data={"username": username, "password": TEST_PASSWORD})
    assert answer.status_code == 302 and "/sign-in" not in answer.headers["Location"], username
    return client


def _request(client: FlaskClient, method: str, url: str, case: Case, body: dict[str, Any], **kw: Any) -> Any:
    if case.kind == "api" or url.startswith("/api/"):
        return client.open(url, method=method, json=body if method != "GET" else None, **kw)
    if method == "GET":
        return client.get(url, **kw)
    data: dict[str, Any] = dict(body)
    if case.files:
        data["file"] = (io.BytesIO(PDF), "beta.pdf", "application/pdf")
        return client.open(url, method=method, data=data, content_type="multipart/form-data", **kw)
    return client.open(url, method=method, data=data, **kw)


_SKIP_TABLES = {"provinces", "communes", "alembic_version"}


def _tables() -> list[sa.Table]:
    import postal_hub.models  # noqa: F401  (every model known to the metadata)
    from postal_hub.db import Base

    return [
        t
        for name, t in sorted(Base.metadata.tables.items())
        if name not in _SKIP_TABLES and not name.startswith("place") and "crosswalk" not in name
    ]


def _snapshot(session: Session) -> dict[str, str]:
    """A digest of every table's rows (the static place tables aside): a refused write changes none."""
    connection = session.connection()
    digests: dict[str, str] = {}
    for table in _tables():
        name = table.name
        rows = connection.execute(sa.select(table)).all()
        digests[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    session.rollback()  # the session's own savepoint only: it holds nothing between looks
    return digests


def _leaks(text: str, strings: list[str], url: str, shared: tuple[str, ...] = ()) -> list[str]:
    """B's strings in the body, but for those the request itself carried (a page may echo its own URL)
    and those the case shares by design."""
    return [s for s in strings if s in text and s not in url and s not in shared]


def _cases(*kinds: str) -> list[tuple[str, Case]]:
    return [(name, case) for name, case in TABLE.items() if isinstance(case, Case) and case.kind in kinds]


def _body(answer: Any) -> str:
    """The body as text; an XLSX (a zip) by its parts' XML, where its strings are."""
    data = answer.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(part).decode("utf-8", "replace") for part in book.namelist())
    return str(data.decode("utf-8", "replace"))


def test_no_staff_member_of_one_organization_reaches_anothers_records(
    world: World, db_session: Session
) -> None:
    failures: list[str] = []
    tracker = Tracker(db_session)
    for name, case in _cases("staff"):
        url = world.urls[name]
        for method in case.methods:
            if method != "GET":
                tracker.writing(name, method, url, failures)
            for role, client in world.clients.items():
                answer = _request(client, method, url, case, world.bodies[name])
                who = role.value if role else "anonymous"
                where = f"{name} {method} {url} as {who}"
                if role is None:
                    location = answer.headers.get("Location", "")
                    if answer.status_code != 302 or "/sign-in" not in location:
                        failures.append(f"{where}: {answer.status_code} {location}, not the sign-in page")
                elif answer.status_code == 200 and role in case.open_to:
                    pass
                elif answer.status_code not in (403, 404):
                    failures.append(f"{where}: {answer.status_code}, not 403/404")
                if leaked := _leaks(_body(answer), world.b.strings, url, case.shared):
                    failures.append(f"{where}: the body shows B's {leaked}")
    tracker.look(failures)
    assert not failures, "\n".join(failures)


class Tracker:
    """Which tables the refused writes changed. A snapshot costs ~70 queries, so the writes are looked at
    in batches, one per blueprint (each look the baseline of the next): a change is reported with the
    writes of its batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.last = _snapshot(session)
        self.batch = ""
        self.writes: list[str] = []

    def changed(self) -> list[str]:
        now = _snapshot(self.session)
        moved = [t for t, d in now.items() if self.last.get(t) != d]
        self.last = now
        return moved

    def writing(self, name: str, method: str, url: str, failures: list[str]) -> None:
        """Note a write about to be replayed; look first when it begins a new blueprint's batch."""
        if name.split(".")[0] != self.batch:
            self.look(failures)
            self.batch = name.split(".")[0]
        self.writes.append(f"{name} {method} {url}")

    def look(self, failures: list[str]) -> None:
        if self.writes and (moved := self.changed()):
            failures.append(f"the refused writes {self.writes} changed the tables {moved}")
        self.writes = []


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_no_api_key_of_one_organization_reaches_anothers_records(world: World, db_session: Session) -> None:
    failures: list[str] = []
    tracker = Tracker(db_session)
    anonymous = world.clients[None]
    for name, case in _cases("api"):
        url = world.urls[name]
        for method in case.methods:
            if method != "GET":
                tracker.writing(name, method, url, failures)
            for kind, key in [*world.a.keys.items(), ("no key", "")]:
                headers = _bearer(key) if key else {}
                answer = _request(anonymous, method, url, case, world.bodies[name], headers=headers)
                where = f"{name} {method} {url} with A's {kind} key"
                expected = (401,) if not key else (403, 404)
                if answer.status_code not in expected:
                    failures.append(f"{where}: {answer.status_code}, not {expected}")
                if leaked := _leaks(_body(answer), world.b.strings, url):
                    failures.append(f"{where}: the body shows B's {leaked}")
    tracker.look(failures)
    assert not failures, "\n".join(failures)


def test_no_one_opens_a_citizens_link_without_its_token(world: World, db_session: Session) -> None:
    """The citizen's result and pickup pages (and the pickup API) open with the token of the text
    message; B's code or reference alone, asked by anyone of A or by an anonymous visitor, is not found."""
    failures: list[str] = []
    tracker = Tracker(db_session)
    for name, case in _cases("token"):
        url = world.urls[name]
        for method in case.methods:
            if method != "GET":
                tracker.writing(name, method, url, failures)
            tries: list[tuple[str, FlaskClient, dict[str, str]]] = [
                (role.value if role else "anonymous", client, {}) for role, client in world.clients.items()
            ]
            if url.startswith("/api/"):
                tries += [
                    (f"A's {kind} key", world.clients[None], _bearer(key))
                    for kind, key in world.a.keys.items()
                ]
            for who, client, headers in tries:
                answer = _request(client, method, url, case, world.bodies[name], headers=headers)
                where = f"{name} {method} {url} as {who}"
                location = answer.headers.get("Location", "")
                if answer.status_code not in (400, 403, 404) and not (
                    answer.status_code in (302, 303) and world.b.records["pickup"].reference not in location
                ):
                    failures.append(f"{where}: {answer.status_code} {location}")
                if leaked := _leaks(_body(answer), world.b.strings, url):
                    failures.append(f"{where}: the body shows B's {leaked}")
    tracker.look(failures)
    assert not failures, "\n".join(failures)


def test_the_public_pages_show_no_personal_data_of_the_citizen(world: World) -> None:
    """Tracking, the procedure page, the province's figures and certificate verification are public by
    design: they answer, and show at most a masked name, never the citizen's name, phone or ID number."""
    failures: list[str] = []
    personal = world.b.strings[:3]  # the applicant's name, phone, citizen ID
    for name, _ in _cases("public"):
        url = world.urls[name]
        for role, client in world.clients.items():
            answer = client.get(url)
            where = f"{name} GET {url} as {role.value if role else 'anonymous'}"
            if answer.status_code != 200:
                failures.append(f"{where}: {answer.status_code}, not 200")
            if leaked := _leaks(_body(answer), personal, url):
                failures.append(f"{where}: the body shows the citizen's {leaked}")
    assert not failures, "\n".join(failures)


def test_lists_filtered_by_another_organizations_records_show_none_of_them(world: World) -> None:
    """A list whose query string names B's unit, office, contract, course or chain: any answer but a
    sign-in redirect for a signed-in user, and none of B's data in it."""
    failures: list[str] = []
    for name, case in _cases("filter"):
        url = world.urls[name]
        for role, client in world.clients.items():
            answer = client.get(url)
            where = f"{name} GET {url} as {role.value if role else 'anonymous'}"
            location = answer.headers.get("Location", "")
            if role is None:
                if answer.status_code != 302 or "/sign-in" not in location:
                    failures.append(f"{where}: {answer.status_code} {location}, not the sign-in page")
            elif answer.status_code not in (200, 400, 403, 404, 422) or "/sign-in" in location:
                failures.append(f"{where}: {answer.status_code} {location}")
            if leaked := _leaks(_body(answer), world.b.strings, url, case.shared):
                failures.append(f"{where}: the body shows B's {leaked}")
    assert not failures, "\n".join(failures)


def _ok(answer: Any) -> bool:
    return 200 <= answer.status_code < 400 and "/sign-in" not in answer.headers.get("Location", "")


def test_the_same_requests_succeed_for_the_records_owner(world: World) -> None:
    """Positive controls: B's own user (or key; the administrator for the admin screens) reads each case's
    page, so the identifiers are real and every refusal above is about the organization, not the URL."""
    failures: list[str] = []
    clients: dict[str, FlaskClient] = {}
    # What shows that a page is B's own: B's strings, and for a checkpoint (JSON of hashes) the unit's
    # code, for the deliveries of an endpoint the message's id.
    proofs = [*world.b.strings, world.b.unit.code, world.b.records["message"].msg_id]
    missing = [n for n, c in _cases("staff", "api") if c.owner is None and "GET" in c.methods]
    for name, case in _cases("staff", "api"):
        if case.owner is None or "GET" not in case.methods:
            continue
        url = world.urls[name]
        if case.kind == "api":
            answer = world.clients[None].get(url, headers=_bearer(world.b.keys[str(case.owner)]))
            who = f"B's {case.owner} key"
        else:
            role = Role(case.owner)
            username = world.admin.username if role == Role.SYSTEM_ADMIN else world.b.user(role).username
            client = clients.get(username) or clients.setdefault(username, world.client_of(username))
            answer = client.get(url)
            who = f"B's {role.value}" if role != Role.SYSTEM_ADMIN else "the administrator"
        if not _ok(answer):
            failures.append(f"{name} GET {url} as {who}: {answer.status_code}")
        elif answer.status_code == 200 and not _leaks(_body(answer), proofs, ""):
            # The string check above could see B's data on this page: here, for its owner, it is there.
            failures.append(f"{name} GET {url} as {who}: none of B's strings in the owner's own page")
    assert not missing, f"GET cases without a positive control: {missing}"
    assert not failures, "\n".join(failures)


# The lists exempted above (no identifier: the user's own organization): they show none of B's records
# either, to any of A's staff (or API keys). The shared strings are there by design, with the reason.
OPERATORS_LISTED = ("Bưu chính Betaville",)  # every agency may contract any operator: all are listed
LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "home.index": ("/", ()),
    "contracts.contracts": ("/contracts", ()),
    "contracts.contract_new": ("/contracts/new", OPERATORS_LISTED),
    "contracts.tasks": ("/tasks", ()),
    "intake.desk": ("/desk", ()),
    "handoff.manifests": ("/manifests", ()),
    "handoff.manifest_new": ("/manifests/new", ()),
    "handoff.custody_chain": ("/custody", ()),
    "delivery.deliveries": ("/deliveries", ()),
    "delivery.ratings_page": ("/ratings", ()),
    "delivery_remittance.remittance_page": ("/remittance", ()),
    "pickup.dispatch": ("/pickups/dispatch?date=2026-11-23", ()),
    "pickup.my_route": ("/pickups/my-route?date=2026-11-23", ()),
    "monitoring.dashboard": ("/monitoring", ()),
    "monitoring.alerts": ("/monitoring/alerts", ()),
    "monitoring.dossiers": ("/monitoring/dossiers", ()),
    "monitoring.tasks": ("/monitoring/tasks", ()),
    "monitoring.report_form": ("/monitoring/reports", ()),
    "training.index": ("/training", ON_OFFER),
    "training.courses": ("/training/courses", ON_OFFER),
    "training.sessions": ("/training/sessions", ON_OFFER),
    "training.certificates": ("/training/certificates", ()),
    "training.coverage": ("/training/coverage", ()),
    "training.coverage_csv": ("/training/coverage.csv", ()),
    "webhooks.endpoints": ("/webhooks", ()),
    "webhooks.endpoint_new": ("/webhooks/new", ()),
    "webhooks.api_keys_page": ("/webhooks/api-keys", ()),
    "api.list_dossiers": ("/api/v1/dossiers", ()),
    "api.list_manifests": ("/api/v1/manifests", ()),
    "api.list_webhooks": ("/api/v1/webhooks", ()),
}


def test_the_lists_of_ones_own_organization_show_none_of_anothers_records(world: World) -> None:
    failures: list[str] = []
    for name, (url, shared) in LISTS.items():
        if url.startswith("/api/"):
            tries = [(f"A's {k} key", world.clients[None], _bearer(key)) for k, key in world.a.keys.items()]
        else:
            tries = [(role.value, client, {}) for role, client in world.clients.items() if role is not None]
        for who, client, headers in tries:
            answer = client.get(url, headers=headers)
            where = f"{name} GET {url} as {who}"
            if answer.status_code >= 500 or "/sign-in" in answer.headers.get("Location", ""):
                failures.append(f"{where}: {answer.status_code}")
            if leaked := _leaks(_body(answer), world.b.strings, url, shared):
                failures.append(f"{where}: the body shows B's {leaked}")
    assert not failures, "\n".join(failures)


def test_the_lists_checked_are_endpoints_of_the_app(url_map_app: Flask) -> None:
    assert set(LISTS) <= _endpoints(url_map_app), sorted(set(LISTS) - _endpoints(url_map_app))


# Writes on A's own records that name one of B's in the body: refused, whatever the answer's form.
# (endpoint, A's role, the URL of A's record, the body naming B's, B's strings shown there by design)
BodyCase = tuple[str, Role, Callable[[Side], str], Callable[[Side, Side], dict[str, Any]], tuple[str, ...]]
BODY_CASES: list[BodyCase] = [
    (
        "delivery.assign_delivery",
        R.POSTAL_MANAGER,
        lambda a: f"/deliveries/{a.records['at_office'].dossier.code}/assign",
        lambda a, b: {"postman_id": str(b.user(R.POSTMAN).id), "date": "2026-11-23"},
        (),
    ),
    (
        "pickup.assign_pickup",
        R.POSTAL_MANAGER,
        lambda a: f"/pickups/{a.records['pickup'].reference}/assign",
        lambda a, b: {"postman_id": str(b.user(R.POSTMAN).id)},
        (),
    ),
    (
        "pickup.plan_day",
        R.POSTAL_MANAGER,
        lambda a: "/pickups/dispatch/plan",
        lambda a, b: {
            "office": str(a.office.id),
            "date": "2026-11-23",
            "postman_ids": str(b.user(R.POSTMAN).id),
        },
        (),
    ),
    (
        "training.session_enrol",
        R.POSTAL_MANAGER,
        lambda a: f"/training/sessions/{a.records['session'].id}/enrol",
        lambda a, b: {"user_id": str(b.user(R.POSTAL_CLERK).id)},
        (),
    ),
    (
        "webhooks.endpoint_new",
        R.UNIT_OFFICER,
        lambda a: "/webhooks/new",
        lambda a, b: {"organization_id": str(b.unit.id), "url": "https://hooks.example.com/intruder"},
        (),
    ),
    (
        "contracts.contract_new",
        R.AGENCY_SUPERVISOR,
        lambda a: "/contracts/new",
        lambda a, b: {
            "number": "HĐ-XÂM/2026",
            "unit_id": str(b.unit.id),
            "operator_id": str(a.operator.id),
            "procurement_method": "direct_appointment",
            "award_decision": "QĐ 1",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-10",
            "valid_to": "2027-12-31",
        },
        ("Bưu chính Betaville",),  # every agency may contract any operator: they are all listed
    ),
    (
        "handoff.custody_chain",
        R.UNIT_OFFICER,
        lambda a: "/custody/checkpoints",
        lambda a, b: {"org": b.unit.code},
        (),
    ),
]


def test_a_write_on_ones_own_record_naming_anothers_in_the_body_is_refused(
    world: World, db_session: Session
) -> None:
    """A's user, on A's own record, names B's postman, staff member, unit or chain in the form: nothing is
    written for B, and no page (the refusal's redirect followed) shows B's data."""
    failures: list[str] = []
    tracker = Tracker(db_session)
    for name, role, url, body, shared in world.body_cases:
        tracker.writing(name, "POST", url, failures)
        answer = world.clients[role].post(url, data=body, follow_redirects=True)
        where = f"{name} POST {url} as A's {role.value} naming B's records {body}"
        if answer.status_code >= 500:
            failures.append(f"{where}: {answer.status_code}")
        if leaked := _leaks(_body(answer), world.b.strings, url, shared):
            failures.append(f"{where}: the page shows B's {leaked}")
    tracker.look(failures)
    assert not failures, "\n".join(failures)


# A's own record in the URL's first part, one of B's in the second (or in the body): the child must be
# looked up under its parent, never by its id alone.
MixedCase = tuple[str, Role, str, Callable[[Side, Side], str], Callable[[Side, Side], dict[str, Any]]]
_NONE: Callable[[Side, Side], dict[str, Any]] = lambda a, b: {}  # noqa: E731
MIXED_CASES: list[MixedCase] = [
    (
        "contracts.contract_document",
        R.AGENCY_SUPERVISOR,
        "GET",
        lambda a, b: f"/contracts/{a.records['contract'].id}/documents/{b.records['document'].id}",
        _NONE,
    ),
    (
        "intake.scan_file",
        R.POSTAL_CLERK,
        "GET",
        lambda a, b: f"/desk/dossiers/{a.records['desk'].code}/files/{b.records['scan'].id}",
        _NONE,
    ),
    (
        "handoff.manifest_line_answer",
        R.UNIT_OFFICER,
        "POST",
        lambda a, b: f"/manifests/{a.records['manifest'].number}/lines/{b.records['manifest'].lines[0].id}",
        lambda a, b: {"decision": "received"},
    ),
    (
        "training.session_issue",
        R.TRAINER,
        "POST",
        lambda a, b: (
            f"/training/sessions/{a.records['session'].id}/enrolments/{b.records['passed'].id}/issue"
        ),
        _NONE,
    ),
    (
        "training.session_withdraw",
        R.TRAINER,
        "POST",
        lambda a, b: (
            f"/training/sessions/{a.records['session'].id}/enrolments/{b.records['enrolment'].id}/withdraw"
        ),
        _NONE,
    ),
    (
        "training.session_attendance",
        R.TRAINER,
        "POST",
        lambda a, b: f"/training/sessions/{a.records['session'].id}/attendance",
        lambda a, b: {"enrolment_id": str(b.records["enrolment"].id), "day": "2026-11-16", "present": "y"},
    ),
    (
        "training.session_scores",
        R.TRAINER,
        "POST",
        lambda a, b: f"/training/sessions/{a.records['session'].id}/scores",
        lambda a, b: {f"score-{b.records['enrolment'].id}": "95", f"score_{b.records['enrolment'].id}": "95"},
    ),
    (
        "webhooks.message_send_again",
        R.UNIT_OFFICER,
        "POST",
        lambda a, b: f"/webhooks/{a.records['endpoint'].id}/messages/{b.records['message'].id}/send-again",
        _NONE,
    ),
    (
        "api.create_dossier",
        R.POSTAL_MANAGER,  # stands for A's operator key
        "POST",
        lambda a, b: "/api/v1/dossiers",
        lambda a, b: {
            "procedure_code": a.records["world"]["procedure"].code,
            "applicant": {"name": "Khách Xâm Nhập", "phone": "0900000001", "citizen_id": "001099000001"},
            "post_office_code": b.office.code,
            "components": [{"code": "TP1", "present": True}, {"code": "TP2", "present": True}],
            "result_delivery": "post_office",
            "address": {"province_code": "01", "commune_code": "00097", "street": "1 Phố Thử"},
        },
    ),
]


def test_a_record_of_another_organization_is_not_reached_under_ones_own(
    world: World, db_session: Session
) -> None:
    """A's user (or A's operator key) on A's own contract, dossier, manifest, session or endpoint, with B's
    document, scan, line, enrolment or message under it, or B's office in the body: 403 or 404 (a form's
    own refusal, redirected, for a write), none of B's data, nothing written."""
    failures: list[str] = []
    tracker = Tracker(db_session)
    for name, role, method, url, body in world.mixed_cases:
        if method != "GET":
            tracker.writing(name, method, url, failures)
        if url.startswith("/api/"):
            answer = world.clients[None].post(url, json=body, headers=_bearer(world.a.keys["operator"]))
            allowed: tuple[int, ...] = (403, 404, 422)
        else:
            client = world.clients[role]
            answer = (
                client.get(url) if method == "GET" else client.post(url, data=body, follow_redirects=True)
            )
            allowed = (403, 404) if method == "GET" else (200, 400, 403, 404, 422)
        where = f"{name} {method} {url} as A's {role.value} {body or ''}"
        if answer.status_code not in allowed:
            failures.append(f"{where}: {answer.status_code}, not {allowed}")
        # A trainer enrols any postal staff (training.access.may_enrol): their own session's page, where a
        # refused form leads back, lists every operator's postal staff to choose from, by design.
        shared = _enrolable(world.b) if name.startswith("training.") and role == R.TRAINER else ()
        if leaked := _leaks(_body(answer), world.b.strings, url, shared):
            failures.append(f"{where}: the body shows B's {leaked}")
    tracker.look(failures)
    assert not failures, "\n".join(failures)


def _enrolable(side: Side) -> tuple[str, ...]:
    postal = [side.user(r).full_name for r in (R.POSTAL_CLERK, R.POSTMAN, R.POSTAL_MANAGER)]
    return (*postal, side.records["world"]["second_postman"].full_name)


# Who on side B does each write (the positive control of a refused write); the citizen's token links
# are left out: their holder's own use is the subject of the delivery and pickup tests.
_SUP, _MGR, _CLK, _PMN, _OFF, _TRN = (
    R.AGENCY_SUPERVISOR,
    R.POSTAL_MANAGER,
    R.POSTAL_CLERK,
    R.POSTMAN,
    R.UNIT_OFFICER,
    R.TRAINER,
)
# The API's writes first: two of the screens' writes below revoke B's unit key.
WRITERS: dict[str, Role | str] = {
    **{n: str(c.owner) for n, c in _cases("api") if c.methods != ("GET",)},
    **{n: R.SYSTEM_ADMIN for n, c in TABLE.items() if n.startswith("admin.") and isinstance(c, Case)},
    **{
        n: _SUP
        for n in ("contracts.contract_edit", "contracts.contract_assessment", "contracts.contract_amend")
    },
    **{n: _SUP for n in ("contracts.contract_status", "contracts.contract_document_upload")},
    **{n: _MGR for n in ("contracts.statement_prepare", "contracts.statement_action")},
    **{n: _CLK for n in ("intake.scan_upload", "intake.scan_reuse", "intake.scan_done")},
    "handoff.dossier_send_again": _CLK,
    **{n: _CLK for n in ("handoff.manifest_dispatch", "handoff.manifest_cancel")},
    **{n: _OFF for n in ("handoff.manifest_line_answer", "handoff.manifest_extra", "handoff.manifest_close")},
    **{n: _OFF for n in ("delivery.result_ready", "delivery.unit_counter")},
    **{n: _MGR for n in ("delivery.assign_delivery", "delivery.release")},
    **{n: _PMN for n in ("delivery.take_out", "delivery.door")},
    "delivery.collect": _CLK,
    **{n: _MGR for n in ("pickup.assign_pickup", "pickup.plan_day", "pickup.door", "pickup.schedule")},
    **{
        n: _TRN
        for n, c in TABLE.items()
        if n.startswith("training.") and isinstance(c, Case) and "POST" in c.methods
    },
    **{
        n: _OFF
        for n, c in TABLE.items()
        if n.startswith("webhooks.") and isinstance(c, Case) and "POST" in c.methods
    },
}


def test_every_write_case_names_who_on_the_other_side_may_do_it() -> None:
    writes = {n for n, c in _cases("staff", "api") if set(c.methods) - {"GET"}}
    assert writes == set(WRITERS), (
        f"missing: {sorted(writes - set(WRITERS))}, stale: {sorted(set(WRITERS) - writes)}"
    )


def test_zz_the_same_writes_reach_the_records_for_their_owner(world: World, db_session: Session) -> None:
    """Positive controls of the writes, last in the module (they change B's records): B's own user or key
    is not refused (no 401/403/404, no 5xx; a 409 or a form's own error is about the record's state, which
    proves it was found), and their writes do show in the snapshot the refused ones left unchanged."""
    tracker = Tracker(db_session)
    failures: list[str] = []
    clients: dict[str, FlaskClient] = {}
    for name, writer in WRITERS.items():
        case = TABLE[name]
        assert isinstance(case, Case)
        url = world.urls[name]
        for method in (m for m in case.methods if m != "GET"):
            if case.kind == "api":
                headers, client, who = (
                    _bearer(world.b.keys[str(writer)]),
                    world.clients[None],
                    f"B's {writer} key",
                )
            else:
                role = Role(writer)
                username = world.admin.username if role == Role.SYSTEM_ADMIN else world.b.user(role).username
                client = clients.get(username) or clients.setdefault(username, world.client_of(username))
                headers, who = {}, role.value
            answer = _request(client, method, url, case, world.bodies[name], headers=headers)
            if answer.status_code in (401, 403, 404) or answer.status_code >= 500:
                failures.append(f"{name} {method} {url} as {who}: {answer.status_code}")
    # The API intake refused above with B's office: the same body with A's own office is accepted.
    (intake,) = [c for c in world.mixed_cases if c[0] == "api.create_dossier"]
    own = {**intake[4], "post_office_code": world.a.office.code}
    answer = world.clients[None].post(intake[3], json=own, headers=_bearer(world.a.keys["operator"]))
    if answer.status_code != 201:
        failures.append(
            f"api.create_dossier POST with A's own office as A's operator key: {answer.status_code}"
        )
    assert not failures, "\n".join(failures)
    assert tracker.changed(), "the owners' writes changed nothing: the snapshot sees no write"

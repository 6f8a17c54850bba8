"""API for units and operators: their dossiers, timelines, receipt confirmation and result-ready."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, collection, error, iso, key_required, via
from postal_hub.api.idempotency import idempotent
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import OrgKind
from postal_hub.core.pagination import page_number, paginate
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.queries import delivery_for
from postal_hub.delivery.ready import ResultReady, mark_result_ready
from postal_hub.extensions import db
from postal_hub.handoff.access import scope_manifests_for_org
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.receiving import confirm_line, pending_line_for_unit
from postal_hub.handoff.status import RejectReason
from postal_hub.intake.access import get_dossier_for_org, scope_dossiers_for_org
from postal_hub.intake.models import Dossier, DossierEvent, DossierFile
from postal_hub.intake.status import EVENT_LABELS, DossierStatus
from postal_hub.services import clock, geocoder, notifier

PER_PAGE = 50


def ref(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def summary_json(d: Dossier) -> dict[str, Any]:
    return {
        "dossier_code": d.code,
        "item_number": d.item_number,
        "status": d.status,
        "channel": d.channel,
        "procedure": ref(d.procedure.code, d.procedure.name),
        "unit": ref(d.unit.code, d.unit.name),
        "post_office": ref(d.office.code, d.office.name),
        "result_delivery": d.result_delivery,
        "accepted_at": iso(d.accepted_at),
        "due_at": iso(d.appointment_at),
        "updated_at": iso(d.updated_at),
    }


def event_json(e: DossierEvent) -> dict[str, Any]:
    return {
        "code": e.code,
        "at": iso(e.at),
        "location": e.place,
        "description": str(EVENT_LABELS.get(e.code, e.code)),
        "note": e.note,
    }


def _file_json(f: DossierFile) -> dict[str, Any]:
    return {"sha256": f.sha256, "filename": f.filename, "content_type": f.content_type, "pages": f.pages}


def detail_json(d: Dossier) -> dict[str, Any]:
    reused_ids = [c.reused_file_id for c in d.components if c.reused_file_id]
    reused = {
        f.id: f for f in db.session.scalars(sa.select(DossierFile).where(DossierFile.id.in_(reused_ids)))
    }
    tasks_stmt = sa.select(Task).where(Task.dossier_code == d.code).order_by(Task.id)
    # The other side's drafts are its work in progress, as on GET /manifests.
    lines_stmt = scope_manifests_for_org(
        g.api_org,
        sa.select(ManifestLine)
        .join(Manifest, Manifest.id == ManifestLine.manifest_id)
        .where(ManifestLine.dossier_id == d.id)
        .order_by(ManifestLine.id),
    )
    if g.api_org.kind == OrgKind.ONE_STOP_UNIT:
        # A re-routed dossier's earlier journey to another unit is that unit's business.
        tasks_stmt = tasks_stmt.where(Task.unit_id == g.api_org.id)
        lines_stmt = lines_stmt.where(Manifest.unit_id == g.api_org.id)
    tasks = db.session.scalars(tasks_stmt)
    lines = db.session.scalars(lines_stmt)
    return {
        **summary_json(d),
        "applicant": {
            "name": d.applicant_name,
            "phone": d.applicant_phone,
            "citizen_id": d.applicant_citizen_id,
        },
        "address": {
            "province_code": d.applicant_province_code,
            "commune_code": d.applicant_commune_code,
            "street": d.applicant_street,
        },
        "subject_commune_code": d.subject_commune_code,
        "payment_method": d.payment_method,
        "fee": d.fee,
        "charge": d.charge,
        "postal_price": d.postal_price,
        "digitized_at": iso(d.digitized_at),
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "original": c.original,
                "count": c.count,
                "reused": c.reused_file_id is not None,
                "files": [_file_json(f) for f in d.files if f.component_code == c.code]
                + ([_file_json(reused[c.reused_file_id])] if c.reused_file_id in reused else []),
            }
            for c in d.components
        ],
        "tasks": [
            {
                "id": t.id,
                "type": t.task_type,
                "status": t.status,
                "due_at": iso(t.due_at),
                "completed_at": iso(t.completed_at),
                "sla_met": t.sla_met,
            }
            for t in tasks
        ],
        "manifests": [
            {
                "number": line.manifest.number,
                "line_status": line.status,
                "reason": line.reason,
                "seal_number": line.seal_number,
            }
            for line in lines
        ],
        "events": [event_json(e) for e in d.events],
        "delivery": _delivery_json(delivery_for(db.session, d)),
    }


def _delivery_json(delivery: Delivery | None) -> dict[str, Any] | None:
    """How the result comes back: where it is, the window, the attempts (proof stays in the app)."""
    if delivery is None:
        return None
    return {
        "status": delivery.status,
        "method": delivery.method,
        "post_office": {"code": delivery.office.code, "name": delivery.office.name},
        "amount_due": delivery.amount_due,
        "window_start": iso(delivery.window_start),
        "window_end": iso(delivery.window_end),
        "hold_until": iso(delivery.hold_until),
        "attempts": [
            {
                "number": a.number,
                "outcome": a.outcome,
                "at": iso(a.at),
                "reason": a.reason,
                "recipient": a.recipient,
                "id_method": a.id_method,
                "amount_collected": a.amount_collected,
                "payment_method": a.payment_method,
            }
            for a in delivery.attempts_made
        ],
    }


def parse_since(text: str) -> datetime:
    """ISO 8601; a time without an offset is Vietnam time, as people and most systems here mean it.
    Raises ValueError for anything else, years at the calendar's edges included."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc


@bp.get("/dossiers")
@key_required
def list_dossiers() -> Response | tuple[Response, int]:
    fields: dict[str, str] = {}
    status = request.args.get("status", "").strip()
    if status and status not in {s.value for s in DossierStatus}:
        fields["status"] = "Unknown status; use one of: " + ", ".join(s.value for s in DossierStatus)
    since = None
    if raw := request.args.get("updated_since", "").strip():
        try:
            since = parse_since(raw)
        except ValueError:
            fields["updated_since"] = "Use an ISO 8601 time such as 2026-11-20T09:00:00+07:00."
    page = page_number(request.args.get("page", "1") or "1")
    if page is None:
        fields["page"] = "Use a page number from 1."
    if fields:
        return error(422, "invalid", "Some query parameters are invalid.", fields)
    stmt = scope_dossiers_for_org(g.api_org, sa.select(Dossier))
    if status:
        stmt = stmt.where(Dossier.status == status)
    if since is not None:
        stmt = stmt.where(Dossier.updated_at >= since)
    stmt = stmt.options(
        selectinload(Dossier.procedure), selectinload(Dossier.unit), selectinload(Dossier.office)
    ).order_by(Dossier.updated_at, Dossier.id)
    found = paginate(db.session, stmt, page or 1, PER_PAGE)
    return collection([summary_json(d) for d in found.items], found.total, found.page)


@bp.get("/dossiers/<code>")
@key_required
def get_dossier(code: str) -> Response:
    return jsonify(detail_json(get_dossier_for_org(db.session, g.api_org, code)))


@bp.get("/dossiers/<code>/events")
@key_required
def dossier_events(code: str) -> Response:
    dossier = get_dossier_for_org(db.session, g.api_org, code)
    return collection([event_json(e) for e in dossier.events])


def _unit_body() -> tuple[dict[str, Any] | None, tuple[Response, int] | None]:
    if g.api_org.kind != OrgKind.ONE_STOP_UNIT:
        return None, error(403, "forbidden", "Only a one-stop unit's key may do this.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, error(400, "malformed", "The body must be a JSON object.")
    return body, None


@bp.post("/dossiers/<code>/receipt")
@key_required
@idempotent
def confirm_receipt(code: str) -> Response | tuple[Response, int]:
    """The unit confirms (or refuses, with a reason) a dossier that reached it on a manifest."""
    body, problem = _unit_body()
    if problem:
        return problem
    assert body is not None
    accepted, reason, note = body.get("accepted"), body.get("reason"), body.get("note", "")
    if not isinstance(accepted, bool):
        return error(
            422, "invalid", "Say whether the dossier is accepted.", {"accepted": "Must be true or false."}
        )
    if reason is not None and not isinstance(reason, str):
        return error(422, "invalid", "The reason is text.", {"reason": "Must be text."})
    if not isinstance(note, str):
        return error(422, "invalid", "The note is text.", {"note": "Must be text."})
    if not accepted and not (reason or "").strip():
        return error(
            422, "invalid", "A refusal needs a reason.", {"reason": "Required when accepted is false."}
        )
    if not accepted and reason not in {r.value for r in RejectReason}:
        reason, note = RejectReason.OTHER.value, " ".join(filter(None, [reason, note]))  # free text
    dossier = get_dossier_for_org(db.session, g.api_org, code)
    line = pending_line_for_unit(db.session, g.api_org, dossier)
    confirm_line(
        db.session, None, via(), line.manifest, line, accepted, reason, note, clock().now(), notifier()
    )
    db.session.commit()
    return jsonify(
        {
            "dossier_code": dossier.code,
            "status": dossier.status,
            "manifest": {"number": line.manifest.number, "line_status": line.status, "reason": line.reason},
        }
    )


@bp.post("/dossiers/<code>/result-ready")
@key_required
@idempotent
def result_ready(code: str) -> Response | tuple[Response, int]:
    body, problem = _unit_body()
    if problem:
        return problem
    assert body is not None
    summary, choice = body.get("summary"), body.get("result_delivery")
    amount = body.get("amount_due", 0)
    if not isinstance(summary, str):
        return error(422, "invalid", "The summary is required text.", {"summary": "Required text."})
    if choice is not None and not isinstance(choice, str):
        return error(
            422,
            "invalid",
            "result_delivery is text.",
            {"result_delivery": "Must be text: home, post_office or counter."},
        )
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)  # JSON has one number type: 25000.0 is the integer 25000 (JSON Schema agrees)
    if isinstance(amount, bool) or not isinstance(amount, int):
        return error(
            422, "invalid", "amount_due is an integer number of VND.", {"amount_due": "Not an integer."}
        )
    dossier = get_dossier_for_org(db.session, g.api_org, code)
    try:
        delivery = mark_result_ready(
            db.session, None, via(), dossier, ResultReady(summary, choice, amount), clock().now(), geocoder()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        if "contract" in exc.fields:
            return error(403, "no_contract", exc.message, exc.fields)
        raise
    db.session.commit()
    return jsonify(
        {
            "dossier_code": dossier.code,
            "status": dossier.status,
            "result_delivery": dossier.result_delivery,
            "amount_due": delivery.amount_due if delivery else 0,
            "post_office": {"code": dossier.office.code, "name": dossier.office.name} if delivery else None,
        }
    )

"""API endpoints of the intake feature: the catalogue, dossier intake by operators, public tracking."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, collection, error, iso, key_required
from postal_hub.api.idempotency import idempotent
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.orgs.models import OrgKind, PostOffice
from postal_hub.core.pagination import ListRequest, page_number
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import Role, User
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier
from postal_hub.intake.queries import catalogue_page, tracking_lookup
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, Incomplete, accept
from postal_hub.intake.status import Channel
from postal_hub.services import clock, track_limiter
from postal_hub.training import gate


def procedure_json(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "competent_level": p.competent_level,
        "unit_code": p.unit.code if p.unit else None,
        "components": [
            {"code": c.code, "name": c.name, "original": c.original, "count": c.count} for c in p.components
        ],
        "fee": p.fee,
        "charge": p.charge,
        "processing_days": p.processing_days,
        "postal_allowed": p.postal_allowed,
        "boundary_independent": p.boundary_independent,
    }


@bp.get("/procedures")
def procedures() -> Response | tuple[Response, int]:
    unit_code = request.args.get("unit_code", "").strip()
    number = page_number(request.args.get("page", "1") or "1")
    if number is None:
        return error(
            422, "invalid", "Some query parameters are invalid.", {"page": "Use a page number from 1."}
        )
    lr = ListRequest(q=request.args.get("q", ""), page=number, per_page=100)
    page = catalogue_page(db.session, lr, unit_code=unit_code)
    return collection([procedure_json(p) for p in page.items], page.total, page.page)


@bp.get("/track/<code>")
def track(code: str) -> Response | tuple[Response, int]:
    if wait := track_limiter().hit(request.remote_addr or "unknown"):
        response, status = error(429, "rate_limited", "Too many lookups; try again shortly.")
        response.headers["Retry-After"] = str(wait)
        return response, status
    view = db.read(lambda conn: tracking_lookup(conn, code))
    if view is None:
        return error(404, "not_found", "No dossier has this code.")
    body = {key: view[key] for key in ("dossier_code", "item_number", "status", "procedure", "unit")}
    body["applicant"] = view["applicant"]
    body["accepted_at"], body["due_at"] = iso(view["accepted_at"]), iso(view["appointment_at"])
    body["events"] = [{**e, "at": iso(e["at"])} for e in view["events"]]
    return jsonify(body)


def _text(body: dict[str, Any], *path: str) -> str:
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


@bp.post("/dossiers")
@key_required
@idempotent
def create_dossier() -> tuple[Response, int]:
    """Intake of a dossier accepted outside the web screens (the operator's own counter system)."""
    org = g.api_org
    if org.kind != OrgKind.POSTAL_OPERATOR:
        return error(403, "forbidden", "Only a postal operator's key may submit dossiers.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "malformed", "The body must be a JSON object.")
    office = db.session.scalar(
        sa.select(PostOffice).where(
            PostOffice.code == _text(body, "post_office_code").upper(), PostOffice.operator_id == org.id
        )
    )
    if office is None or not office.active:
        return error(
            422,
            "invalid",
            "Unknown post office.",
            {"post_office_code": "No active office of yours has this code."},
        )
    procedure = db.session.scalar(sa.select(Procedure).where(Procedure.code == _text(body, "procedure_code")))
    if procedure is None:
        return error(422, "invalid", "Unknown procedure.", {"procedure_code": "No procedure has this code."})
    clerk = None
    if username := _text(body, "accepted_by").strip():
        clerk = db.session.scalar(
            sa.select(User).where(
                User.username == username,
                User.active.is_(True),
                User.organization_id == org.id,
                User.post_office_id == office.id,
                User.role.in_([Role.POSTAL_CLERK.value, Role.POSTAL_MANAGER.value]),
            )
        )
        if clerk is None:
            return error(
                422,
                "invalid",
                "Unknown clerk.",
                {"accepted_by": "No active clerk or manager of this office has this username."},
            )
    elif procedure.group_id is None and gate.gate_on(db.session):
        # Nobody can be certified for a procedure in no group, so no system may accept it either.
        return error(
            403,
            "not_certified",
            "This procedure is in no procedure group, so no certified staff can accept it.",
            {"procedure_code": "Ask an administrator to give the procedure a group."},
        )
    raw_components = body.get("components")
    components: list[Any] = raw_components if isinstance(raw_components, list) else []
    present = {
        c["code"]
        for c in components
        if isinstance(c, dict) and isinstance(c.get("code"), str) and c.get("present") is True
    }
    data = AcceptanceInput(
        procedure_id=procedure.id,
        applicant=ApplicantInput(
            _text(body, "applicant", "name"),
            _text(body, "applicant", "citizen_id"),
            _text(body, "applicant", "phone"),
            _text(body, "address", "province_code"),
            _text(body, "address", "commune_code"),
            _text(body, "address", "street"),
        ),
        present=present,
        subject_commune_code=_text(body, "subject_commune_code") or None,
        result_delivery=_text(body, "result_delivery") or "home",
        payment_method=_text(body, "payment_method") or "cash",
        channel=Channel.API,
    )
    try:
        result = accept(db.session, clerk, office, data, clock().now())
    except PermissionDenied as exc:
        db.session.rollback()
        return error(403, exc.code, exc.message)
    except ValidationFailed as exc:
        db.session.rollback()
        if "contract" in exc.fields:
            return error(403, "no_contract", exc.message, exc.fields)
        return error(422, "invalid", exc.message, exc.fields)
    if isinstance(result, Incomplete):
        missing = [c.code for c in result.missing]
        return error(
            422,
            "incomplete",
            "The dossier is incomplete; these components are missing.",
            {"components": ", ".join(missing)},
        )
    db.session.commit()
    return _created(result)


def _created(dossier: Dossier) -> tuple[Response, int]:
    body = {
        "dossier_code": dossier.code,
        "item_number": dossier.item_number,
        "unit": {"code": dossier.unit.code, "name": dossier.unit.name},
        "due_at": iso(dossier.appointment_at),
        "fee": dossier.fee,
        "charge": dossier.charge,
        "postal_price": dossier.postal_price,
    }
    return jsonify(body), 201

"""API: hand-off manifests and their lines, as the sending operator and the receiving unit see them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from postal_hub.api.common import bp, collection, error, iso, key_required, via
from postal_hub.api.idempotency import idempotent
from postal_hub.core.orgs.models import OrgKind
from postal_hub.core.pagination import page_number, paginate
from postal_hub.extensions import db
from postal_hub.handoff import receiving
from postal_hub.handoff.access import get_manifest_for_org, scope_manifests_for_org
from postal_hub.handoff.models import Manifest
from postal_hub.handoff.queries import discrepancies
from postal_hub.handoff.status import ManifestStatus
from postal_hub.services import clock, notifier

PER_PAGE = 50


def manifest_json(m: Manifest) -> dict[str, Any]:
    return {
        "number": m.number,
        "direction": m.direction,
        "status": m.status,
        "post_office": {"code": m.office.code, "name": m.office.name},
        "unit": {"code": m.unit.code, "name": m.unit.name},
        "note": m.note,
        "created_at": iso(m.created_at),
        "dispatched_at": iso(m.dispatched_at),
        "closed_at": iso(m.closed_at),
        "closed_by": m.closed_by or None,
        "lines": [
            {
                "position": line.position,
                "dossier_code": line.dossier_code,
                "item_number": line.item_number,
                "component_count": line.component_count,
                "seal_number": line.seal_number,
                "status": line.status,
                "reason": line.reason,
                "note": line.note,
                "confirmed_at": iso(line.confirmed_at),
            }
            for line in m.lines
        ],
        "extras": [{"label": x.label, "note": x.note, "recorded_at": iso(x.recorded_at)} for x in m.extras],
        "discrepancies": discrepancies(m),
    }


@bp.get("/manifests")
@key_required
def list_manifests() -> Response | tuple[Response, int]:
    status = request.args.get("status", "").strip()
    fields = {}
    if status and status not in {s.value for s in ManifestStatus}:
        fields["status"] = "Unknown status; use one of: " + ", ".join(s.value for s in ManifestStatus)
    page = page_number(request.args.get("page", "1") or "1")
    if page is None:
        fields["page"] = "Use a page number from 1."
    if fields:
        return error(422, "invalid", "Some query parameters are invalid.", fields)
    stmt = scope_manifests_for_org(g.api_org, sa.select(Manifest))
    if status:
        stmt = stmt.where(Manifest.status == status)
    stmt = stmt.options(
        selectinload(Manifest.lines),
        selectinload(Manifest.extras),
        selectinload(Manifest.office),
        selectinload(Manifest.unit),
    ).order_by(Manifest.id.desc())
    found = paginate(db.session, stmt, page or 1, PER_PAGE)
    return collection([manifest_json(m) for m in found.items], found.total, found.page)


def _visible(number: str) -> Manifest:
    return get_manifest_for_org(db.session, g.api_org, number)


@bp.get("/manifests/<number>")
@key_required
def get_manifest(number: str) -> Response:
    return jsonify(manifest_json(_visible(number)))


@bp.post("/manifests/<number>/close")
@key_required
@idempotent
def close_manifest(number: str) -> Response | tuple[Response, int]:
    """The unit signs the manifest off; lines still unconfirmed are listed as not received."""
    if g.api_org.kind != OrgKind.ONE_STOP_UNIT:
        return error(403, "forbidden", "Only the receiving unit's key may close a manifest.")
    manifest = _visible(number)
    receiving.close(db.session, None, via(), manifest, clock().now(), notifier())
    db.session.commit()
    return jsonify(manifest_json(manifest))

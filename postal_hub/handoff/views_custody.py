"""Custody screens: a dossier's custody entries, an organization's chain with its signed checkpoints,
and sending again a dossier the unit refused."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.custody import services as custody
from postal_hub.core.custody.kinds import CUSTODY_LABELS
from postal_hub.core.custody.models import CustodyCheckpoint, CustodyHead
from postal_hub.core.custody.signing import public_key_b64, signing_key
from postal_hub.core.errors import DomainError
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.handoff import resend
from postal_hub.handoff.forms import SendAgainForm
from postal_hub.handoff.queries import custody_of
from postal_hub.handoff.views import VIEWERS, bp
from postal_hub.intake.access import get_dossier
from postal_hub.services import clock

CHAIN_KEEPERS = (Role.SYSTEM_ADMIN, Role.UNIT_OFFICER, Role.POSTAL_MANAGER)
LABELS = {k.value: v for k, v in CUSTODY_LABELS.items()}


@bp.get("/desk/dossiers/<code>/custody")
@roles_required(*VIEWERS)
def dossier_custody(code: str) -> str:
    dossier = get_dossier(db.session, current_user, code)
    entries = custody_of(db.session, current_user, dossier)
    keeper_ids = {e.organization_id for e in entries}
    keepers = db.session.scalars(sa.select(Organization.name).where(Organization.id.in_(keeper_ids))).all()
    return render_template(
        "handoff/custody_dossier.html", dossier=dossier, entries=entries, labels=LABELS, keepers=keepers
    )


def _chain_org() -> Organization:
    """The chain a user keeps: their own unit's or operator's; an administrator picks any by code."""
    if current_user.has_role(Role.SYSTEM_ADMIN) and request.values.get("org"):
        org = db.session.scalar(
            sa.select(Organization).where(Organization.code == request.values["org"].strip().upper()[:32])
        )
    else:
        org = (
            db.session.get(Organization, current_user.organization_id)
            if current_user.organization_id
            else None
        )
    if org is None or org.kind not in (OrgKind.ONE_STOP_UNIT, OrgKind.POSTAL_OPERATOR):
        abort(404)
    return org


@bp.get("/custody")
@roles_required(*CHAIN_KEEPERS)
def custody_chain() -> str:
    org = _chain_org()
    head = db.session.get(CustodyHead, org.id)
    points = db.session.scalars(
        sa.select(CustodyCheckpoint)
        .where(CustodyCheckpoint.organization_id == org.id)
        .order_by(CustodyCheckpoint.size.desc())
        .limit(50)
    ).all()
    keepers = (
        db.session.scalars(
            sa.select(Organization)
            .join(CustodyHead, CustodyHead.organization_id == Organization.id)
            .order_by(Organization.code)
        ).all()
        if current_user.has_role(Role.SYSTEM_ADMIN)
        else []
    )
    return render_template(
        "handoff/custody_chain.html",
        org=org,
        head=head,
        points=points,
        keepers=keepers,
        public_key=public_key_b64(signing_key(current_app.config["SECRET_KEY"])),
        confirm=FlaskForm(),
    )


def _chain_back(org: Organization) -> Response:
    if current_user.has_role(Role.SYSTEM_ADMIN):
        return redirect(url_for("handoff.custody_chain", org=org.code))
    return redirect(url_for("handoff.custody_chain"))


@bp.post("/custody/verify")
@roles_required(*CHAIN_KEEPERS)
def custody_verify() -> Response:
    org = _chain_org()
    if not FlaskForm().validate_on_submit():
        abort(400)
    report = custody.verify_org(db.session, org, current_app.config["SECRET_KEY"])
    if report.ok:
        flash(
            _("The chain is intact: %(n)d entries, every hash recomputed.", n=report.verdict.size), "success"
        )
    elif report.verdict.problem is not None:
        flash(_("The chain is damaged at entry %(n)d.", n=report.verdict.problem.seq), "error")
    else:
        flash(
            _("The chain does not match its head or a signed checkpoint: %(why)s", why=report.problems[0]),
            "error",
        )
    return _chain_back(org)


@bp.post("/custody/checkpoints")
@roles_required(*CHAIN_KEEPERS)
def custody_checkpoint_new() -> Response:
    org = _chain_org()
    if not FlaskForm().validate_on_submit():
        abort(400)
    point = custody.make_checkpoint(db.session, org, clock().now(), current_app.config["SECRET_KEY"])
    db.session.commit()
    if point is None:
        flash(_("Nothing new to sign: the latest checkpoint already covers the whole chain."), "info")
    else:
        flash(_("Checkpoint of %(n)d entries signed. Download it and keep it.", n=point.size), "success")
    return _chain_back(org)


@bp.get("/custody/checkpoints/<int:point_id>.json")
@roles_required(*CHAIN_KEEPERS)
def custody_checkpoint_file(point_id: int) -> Response:
    org = _chain_org()
    point = db.session.get(CustodyCheckpoint, point_id)
    if point is None or point.organization_id != org.id:
        abort(404)
    body = json.dumps(custody.export_checkpoint(org.code, point), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"custody-{org.code}-{point.size}.json"
    )
    return response


@bp.post("/desk/dossiers/<code>/send-again")
@roles_required(*resend.SENDERS)
def dossier_send_again(code: str) -> Response:
    dossier = get_dossier(db.session, current_user, code)
    form = SendAgainForm()
    if not form.validate_on_submit():
        abort(400)
    unit = db.session.get(Organization, form.unit_id.data) if form.unit_id.data else None
    try:
        resend.send_again(db.session, current_user, dossier, unit, form.note.data or "", clock().now())
    except DomainError as exc:
        db.session.rollback()
        flash(" ".join([exc.message, *exc.fields.values()]), "error")
    else:
        db.session.commit()
        flash(_("Ready to go to %(unit)s on a new manifest.", unit=dossier.unit.name), "success")
    return redirect(url_for("intake.dossier_page", code=dossier.code) + "#handoff")

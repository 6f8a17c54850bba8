"""Manifest screens: prepare, seal and dispatch at the office; confirm, refuse and close at the unit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.pagination import parse_page, record_number
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.handoff import receiving, services
from postal_hub.handoff.access import can_prepare, can_receive, get_manifest, preparing_office, preparing_unit
from postal_hub.handoff.forms import ExtraEnvelopeForm, LineAnswerForm, NewManifestForm
from postal_hub.handoff.legs import leg_for
from postal_hub.handoff.models import Manifest
from postal_hub.handoff.queries import (
    discrepancies,
    manifest_page,
    ready_by_office,
    ready_by_unit,
    ready_dossiers,
)
from postal_hub.handoff.status import (
    DIRECTION_LABELS,
    LINE_STATUS_LABELS,
    MANIFEST_STATUS_LABELS,
    REJECT_REASON_LABELS,
    Direction,
    ManifestStatus,
)
from postal_hub.intake.custody import actor_label
from postal_hub.intake.printables import code128_svg
from postal_hub.services import clock, notifier
from postal_hub.web_helpers import apply_errors

bp = Blueprint("handoff", __name__)
VIEWERS = (
    Role.SYSTEM_ADMIN,
    Role.POSTAL_CLERK,
    Role.POSTAL_MANAGER,
    Role.POSTMAN,
    Role.UNIT_OFFICER,
    Role.AGENCY_SUPERVISOR,
)
PREPARERS = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER)


@bp.get("/manifests")
@roles_required(*VIEWERS)
def manifests() -> str:
    status = request.args.get("status", "")
    status = status if status in {s.value for s in ManifestStatus} else ""
    q = request.args.get("q", "")[:40]
    page = manifest_page(
        db.session, current_user, status or None, q, parse_page(request.args.get("page")), 25
    )
    args = {k: v for k, v in {"status": status, "q": q}.items() if v}
    return render_template(
        "handoff/list.html",
        page=page,
        status=status,
        q=q,
        args=args,
        statuses=MANIFEST_STATUS_LABELS,
        directions=DIRECTION_LABELS,
        can_prepare=current_user.has_role(*PREPARERS) and current_user.post_office_id is not None,
        can_send_results=current_user.has_role(Role.UNIT_OFFICER),
    )


# What a new manifest carries: ?kind= on the new-manifest pages.
KINDS = {"dossiers": Direction.TO_UNIT, "results": Direction.TO_POST, "returns": Direction.RETURN}


def _counterpart(
    direction: Direction,
) -> tuple[PostOffice | None, Organization | None, list[tuple[Any, int]]]:
    """The sending side's own office or unit, the chosen other side (None: not chosen yet), and the
    choices with how many envelopes wait for each."""
    leg = leg_for(direction.value)
    if leg.prepared_at_unit:
        own_unit = preparing_unit(db.session, current_user)
        number = record_number(request.values.get("office", ""))
        office = db.session.get(PostOffice, number) if number is not None else None
        return office, own_unit, list(ready_by_office(db.session, own_unit, leg))
    own_office = preparing_office(db.session, current_user)
    number = record_number(request.values.get("unit", ""))
    unit = db.session.get(Organization, number) if number is not None else None
    return own_office, unit, list(ready_by_unit(db.session, own_office, leg))


@bp.route("/manifests/new", methods=["GET", "POST"])
@roles_required(*PREPARERS, Role.UNIT_OFFICER)
def manifest_new() -> str | Response:
    kind = request.values.get("kind", "dossiers")
    direction = KINDS.get(kind, Direction.TO_UNIT)
    kind = next(k for k, d in KINDS.items() if d == direction)
    if (direction == Direction.TO_POST) != current_user.has_role(Role.UNIT_OFFICER):
        abort(403)
    leg = leg_for(direction.value)
    office, unit, choices = _counterpart(direction)
    chosen_side = office if leg.prepared_at_unit else unit
    if chosen_side is None or not any(c.id == chosen_side.id for c, _n in choices):
        return render_template(
            "handoff/choose_unit.html",
            kind=kind,
            from_unit=leg.prepared_at_unit,
            office=office,
            unit=unit,
            choices=choices,
            direction_label=DIRECTION_LABELS[direction],
        )
    assert office is not None and unit is not None
    dossiers = ready_dossiers(db.session, office, unit.id, leg)
    form = NewManifestForm()
    chosen = set(request.form.getlist("dossier"))
    seals = {d.code: request.form.get(f"seal-{d.code}", "").strip()[:40] for d in dossiers}
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        lines = [services.LineInput(d.code, seals[d.code]) for d in dossiers if d.code in chosen]
        try:
            made = services.create_manifest(
                db.session,
                current_user,
                office,
                unit,
                lines,
                clock().now(),
                form.note.data or "",
                direction=direction,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            by_index = [d.code for d in dossiers if d.code in chosen]
            for name, message in exc.fields.items():
                index = name.removeprefix("lines-")
                key = by_index[int(index)] if index.isdigit() and int(index) < len(by_index) else name
                problems[key] = message
            apply_errors(form, {k: v for k, v in exc.fields.items() if k == "note"})
        else:
            db.session.commit()
            flash(
                _("Manifest %(number)s is ready. Check it, print it, then dispatch it.", number=made.number),
                "success",
            )
            return redirect(url_for("handoff.manifest_page_view", number=made.number))
    return render_template(
        "handoff/new.html",
        kind=kind,
        from_unit=leg.prepared_at_unit,
        office=office,
        unit=unit,
        dossiers=dossiers,
        papers={d.code: leg.envelope_count(d) for d in dossiers},
        form=form,
        chosen=chosen if request.method == "POST" else {d.code for d in dossiers},
        seals=seals,
        problems=problems,
        direction_label=DIRECTION_LABELS[direction],
    )


def _detail(manifest: Manifest, **extra: object) -> str:
    return render_template(
        "handoff/detail.html",
        manifest=manifest,
        statuses=MANIFEST_STATUS_LABELS,
        line_statuses=LINE_STATUS_LABELS,
        reasons=REJECT_REASON_LABELS,
        directions=DIRECTION_LABELS,
        from_unit=manifest.direction == Direction.TO_POST.value,
        found=discrepancies(manifest),
        may_prepare=manifest.status == ManifestStatus.DRAFT.value and can_prepare(current_user, manifest),
        may_receive=manifest.status == ManifestStatus.DISPATCHED.value
        and can_receive(db.session, current_user, manifest),
        # An envelope not received by the closing can still be answered when it turns up.
        may_answer_late=manifest.status == ManifestStatus.CLOSED.value
        and any(line.status == "missing" for line in manifest.lines)
        and can_receive(db.session, current_user, manifest),
        confirm=FlaskForm(),
        answer_form=LineAnswerForm(formdata=None),
        extra_form=extra.pop("extra_form", None) or ExtraEnvelopeForm(formdata=None),
        **extra,
    )


@bp.get("/manifests/<number>")
@roles_required(*VIEWERS)
def manifest_page_view(number: str) -> str:
    return _detail(get_manifest(db.session, current_user, number))


@bp.get("/manifests/<number>/print")
@roles_required(*VIEWERS)
def manifest_print(number: str) -> str:
    manifest = get_manifest(db.session, current_user, number)
    return render_template(
        "handoff/print.html",
        manifest=manifest,
        barcode=code128_svg(manifest.number),
        line_barcodes={line.id: code128_svg(line.item_number) for line in manifest.lines},
        statuses=MANIFEST_STATUS_LABELS,
        line_statuses=LINE_STATUS_LABELS,
        reasons=REJECT_REASON_LABELS,
        found=discrepancies(manifest),
    )


def _back(manifest: Manifest) -> Response:
    return redirect(url_for("handoff.manifest_page_view", number=manifest.number))


def _act(number: str, action: str) -> Response:
    """The buttons without fields (dispatch, cancel, close): check the form, act, commit once."""
    manifest = get_manifest(db.session, current_user, number)
    if not FlaskForm().validate_on_submit():
        abort(400)
    now, who = clock().now(), actor_label(current_user)
    try:
        if action == "dispatch":
            services.dispatch(db.session, current_user, manifest, now, notifier())
            message = _("Dispatched: the receiving side can now confirm each envelope.")
        elif action == "cancel":
            services.cancel(db.session, current_user, manifest, now)
            message = _("The manifest is cancelled; its dossiers can go on another one.")
        else:
            receiving.close(db.session, current_user.id, who, manifest, now, notifier())
            message = _("The manifest is closed.")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _back(manifest)


@bp.post("/manifests/<number>/dispatch")
@roles_required(*PREPARERS, Role.UNIT_OFFICER, Role.SYSTEM_ADMIN)
def manifest_dispatch(number: str) -> Response:
    return _act(number, "dispatch")


@bp.post("/manifests/<number>/cancel")
@roles_required(*PREPARERS, Role.UNIT_OFFICER, Role.SYSTEM_ADMIN)
def manifest_cancel(number: str) -> Response:
    return _act(number, "cancel")


@bp.post("/manifests/<number>/close")
@roles_required(Role.UNIT_OFFICER, *PREPARERS, Role.SYSTEM_ADMIN)
def manifest_close(number: str) -> Response:
    manifest = get_manifest(db.session, current_user, number)
    if not can_receive(db.session, current_user, manifest):
        abort(403)
    return _act(number, "close")


@bp.post("/manifests/<number>/lines/<int:line_id>")
@roles_required(Role.UNIT_OFFICER, *PREPARERS, Role.SYSTEM_ADMIN)
def manifest_line_answer(number: str, line_id: int) -> Response:
    manifest = get_manifest(db.session, current_user, number)
    if not can_receive(db.session, current_user, manifest):
        abort(403)
    line = next((x for x in manifest.lines if x.id == line_id), None)
    if line is None:
        abort(404)
    form = LineAnswerForm()
    if not form.validate_on_submit():
        flash(_("Choose whether the envelope is received or refused."), "error")
        return _back(manifest)
    accepted = form.decision.data == "received"
    try:
        receiving.confirm_line(
            db.session,
            current_user,
            actor_label(current_user),
            manifest,
            line,
            accepted,
            form.reason.data or None,
            form.note.data or "",
            clock().now(),
            notifier(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(" ".join([exc.message, *exc.fields.values()]) if exc.fields else exc.message, "error")
    else:
        db.session.commit()
        flash(
            _("%(code)s received.", code=line.dossier_code)
            if accepted
            else _("%(code)s refused; the postman takes it back.", code=line.dossier_code),
            "success",
        )
    return _back(manifest)


@bp.post("/manifests/<number>/extras")
@roles_required(Role.UNIT_OFFICER, *PREPARERS, Role.SYSTEM_ADMIN)
def manifest_extra(number: str) -> Response | str:
    manifest = get_manifest(db.session, current_user, number)
    if not can_receive(db.session, current_user, manifest):
        abort(403)
    form = ExtraEnvelopeForm()
    if form.validate_on_submit():
        try:
            receiving.record_extra(
                db.session,
                actor_label(current_user),
                manifest,
                form.label.data or "",
                form.note.data or "",
                clock().now(),
            )
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc.fields)
            flash(exc.message, "error")
            return _detail(manifest, extra_form=form)
        db.session.commit()
        flash(_("The extra envelope is recorded; the post office sees it too."), "success")
    return _back(manifest)

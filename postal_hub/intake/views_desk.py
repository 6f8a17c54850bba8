"""The clerk's desk: today's dossiers, search, counter acceptance, receipt and missing-items slip."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.contracts.access import managed_ids
from postal_hub.core import audit
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.pagination import ListRequest, record_number
from postal_hub.core.places.queries import commune_choices, province_choices
from postal_hub.core.users.models import Role
from postal_hub.delivery.queries import delivery_for
from postal_hub.delivery.status import DELIVERY_STATUS_LABELS
from postal_hub.delivery.status import EVENT_LABELS as DELIVERY_EVENT_LABELS
from postal_hub.extensions import db
from postal_hub.handoff.forms import SendAgainForm
from postal_hub.handoff.queries import dossier_lines, reroute_choices
from postal_hub.handoff.resend import may_send_again, refused_line
from postal_hub.handoff.status import LINE_STATUS_LABELS, REJECT_REASON_LABELS
from postal_hub.intake import digitization
from postal_hub.intake.access import get_dossier
from postal_hub.intake.forms import (
    AcceptanceForm,
    ReuseForm,
    ScanForm,
    queue_ticket_at,
    read_counter_start,
    sign_counter_start,
)
from postal_hub.intake.models import DossierFile
from postal_hub.intake.printables import code128_svg, qr_svg
from postal_hub.intake.queries import desk_dossiers, dossier_tasks, procedure_by_code
from postal_hub.intake.routing import commune_from_old_text
from postal_hub.intake.services import AcceptanceInput, ApplicantInput, Incomplete, accept, accepting_office
from postal_hub.intake.status import (
    DOSSIER_STATUS_LABELS,
    EVENT_LABELS,
    PAYMENT_LABELS,
    RESULT_DELIVERY_LABELS,
)
from postal_hub.intake.views import bp
from postal_hub.services import clock, file_store
from postal_hub.training import gate
from postal_hub.training.gate import GateAction
from postal_hub.web_helpers import apply_errors, list_request

DESK = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
CLERKS = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER)


@bp.route("/desk", methods=["GET", "POST"])
@roles_required(*DESK)
def desk() -> str:
    """Today's dossiers (GET), or a search (POST: names, phones and citizen IDs stay out of URLs,
    browser history and access logs)."""
    lr = list_request()
    search = FlaskForm()
    if request.method == "POST" and search.validate_on_submit():
        lr = ListRequest(q=request.form.get("q", "")[:100], page=1, per_page=50)
    else:
        lr = ListRequest(q="", page=lr.page, per_page=lr.per_page)
    page, by_citizen_id = desk_dossiers(db.session, current_user, lr.q, clock().now(), lr)
    if by_citizen_id:
        # Looking a person up by citizen ID is an access to personal data: it is recorded (not the ID).
        audit.record(
            db.session,
            current_user.id,
            "personal_data.lookup",
            "dossier",
            "citizen_id",
            {"results": page.total},
            at=clock().now(),
        )
        db.session.commit()
    return render_template(
        "intake/desk.html", page=page, lr=lr, args={}, statuses=DOSSIER_STATUS_LABELS, search=search
    )


def _prepare(form: AcceptanceForm) -> None:
    provinces = [("", _("— choose —")), *province_choices(db.session)]
    form.province_code.choices = provinces
    form.subject_province_code.choices = [("", _("— same as the applicant —")), *province_choices(db.session)]
    form.commune_code.choices = [
        ("", _("— choose the province first —")),
        *(commune_choices(db.session, form.province_code.data) if form.province_code.data else []),
    ]
    form.subject_commune_code.choices = [
        ("", "—"),
        *(
            commune_choices(db.session, form.subject_province_code.data)
            if form.subject_province_code.data
            else []
        ),
    ]


@bp.route("/desk/accept", methods=["GET", "POST"])
@roles_required(*CLERKS)
def accept_page() -> str | Response | tuple[str, int]:
    office = accepting_office(db.session, current_user)
    form = AcceptanceForm()
    code = form.procedure_code.data if request.method == "POST" else request.args.get("procedure", "")
    procedure = procedure_by_code(db.session, code or "")
    if procedure is None:
        return redirect(url_for("intake.catalogue", q=request.args.get("q", "")))
    form.present.choices = [(c.code, c.name) for c in procedure.components]
    # Said before the clerk types anything: the gate would refuse the finished form anyway.
    gate_problem = gate.missing_certification(
        db.session, current_user, procedure, to_local(clock().now()).date(), GateAction.COUNTER
    )
    gate_enforced = gate.gate_on(db.session)
    if request.method == "GET":
        form.procedure_code.data = procedure.code
        form.submission_token.data = secrets.token_urlsafe(24)
        # Service starts when the screen opens; a re-rendered form keeps this first token.
        form.counter_start.data = sign_counter_start(current_app.config["SECRET_KEY"], clock().now())
    _prepare(form)
    submitted = form.validate_on_submit()
    if submitted and form.old_address.data and not form.commune_code.data:
        try:
            commune = commune_from_old_text(db.session, form.old_address.data)
            form.province_code.data, form.commune_code.data = commune.province_code, commune.code
            _prepare(form)
            flash(
                _(
                    "The old address is today's %(commune)s, %(province)s.",
                    commune=commune.name,
                    province=commune.province.name,
                ),
                "info",
            )
        except DomainError as exc:
            apply_errors(form, exc.fields)
    if submitted and not form.old_address.errors:
        now = clock().now()
        data = AcceptanceInput(
            procedure_id=procedure.id,
            applicant=ApplicantInput(
                form.applicant_name.data or "",
                form.citizen_id.data or "",
                form.phone.data or "",
                form.province_code.data or "",
                form.commune_code.data or "",
                form.street.data or "",
            ),
            present=set(form.present.data or []),
            subject_commune_code=form.subject_commune_code.data or None,
            result_delivery=form.result_delivery.data or "",
            payment_method=form.payment_method.data or "",
            submission_token=form.submission_token.data or None,
            counter_started_at=read_counter_start(
                current_app.config["SECRET_KEY"], form.counter_start.data, now
            ),
            counter_queued_at=queue_ticket_at(form.counter_queued_at.data, now),
        )
        try:
            result = accept(db.session, current_user, office, data, now)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
        else:
            if isinstance(result, Incomplete):
                return render_template(
                    "intake/missing.html",
                    procedure=procedure,
                    missing=result.missing,
                    office=office,
                    now=clock().now(),
                    name=form.applicant_name.data,
                ), 200
            db.session.commit()
            flash(_("Accepted. Give the citizen the receipt."), "success")
            return redirect(url_for("intake.receipt", code=result.code))
    return render_template(
        "intake/accept.html",
        form=form,
        procedure=procedure,
        office=office,
        gate_problem=gate_problem,
        gate_enforced=gate_enforced,
    )


@bp.get("/desk/dossiers/<code>")
@roles_required(*DESK, Role.POSTMAN, Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR)
def dossier_page(code: str) -> str:
    dossier = get_dossier(db.session, current_user, code)
    lines, tasks = dossier_lines(db.session, current_user, dossier), dossier_tasks(db.session, dossier)
    if current_user.has_role(Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR):
        # A re-routed dossier's earlier journey to another unit is that unit's business.
        mine = set(managed_ids(db.session, current_user))
        lines = [line for line in lines if line.manifest.unit_id in mine]
        tasks = [task for task in tasks if task.unit_id in mine]
    refused = refused_line(db.session, dossier)
    resend_form = None
    if refused is not None and may_send_again(current_user, dossier):
        resend_form = SendAgainForm(formdata=None)
        resend_form.unit_id.choices = [("", _("— choose —")), *reroute_choices(db.session, dossier)]
    scan_form = ScanForm()
    scan_form.component.choices = [(c.code, f"{c.code} · {c.name}") for c in dossier.components]
    return render_template(
        "intake/dossier.html",
        dossier=dossier,
        tasks=tasks,
        statuses=DOSSIER_STATUS_LABELS,
        events=EVENT_LABELS,
        payments=PAYMENT_LABELS,
        deliveries=RESULT_DELIVERY_LABELS,
        scan_form=scan_form,
        reuse_form=ReuseForm(),
        confirm=FlaskForm(),
        offers=digitization.reuse_offers(db.session, dossier) if dossier.status == "accepted" else [],
        can_digitize=current_user.has_role(*CLERKS) and dossier.status == "accepted",
        lines=lines,
        line_statuses=LINE_STATUS_LABELS,
        reasons=REJECT_REASON_LABELS,
        refused=refused,
        resend_form=resend_form,
        delivery=delivery_for(db.session, dossier),
        delivery_statuses=DELIVERY_STATUS_LABELS,
        delivery_events=DELIVERY_EVENT_LABELS,
    )


@bp.get("/desk/dossiers/<code>/receipt")
@roles_required(*DESK)
def receipt(code: str) -> str:
    dossier = get_dossier(db.session, current_user, code)
    if request.args.get("paper") not in (None, "a4", "80mm"):  # a typo in a hand-typed URL
        abort(404)
    tracking_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "intake.track", code=dossier.code
    )
    return render_template(
        "intake/receipt.html",
        dossier=dossier,
        barcode=code128_svg(dossier.item_number),
        qr=qr_svg(tracking_url),
        tracking_url=tracking_url,
        paper=request.args.get("paper", "a4"),
        payments=PAYMENT_LABELS,
        deliveries=RESULT_DELIVERY_LABELS,
    )


def _back(dossier_code: str) -> Response:
    return redirect(url_for("intake.dossier_page", code=dossier_code) + "#digitization")


@bp.post("/desk/dossiers/<code>/scans")
@roles_required(*CLERKS)
def scan_upload(code: str) -> Response:
    dossier = get_dossier(db.session, current_user, code)
    form = ScanForm()
    form.component.choices = [(c.code, c.code) for c in dossier.components]
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return _back(dossier.code)
    upload = form.file.data
    try:
        digitization.upload_scan(
            db.session,
            current_user,
            dossier,
            form.component.data or "",
            upload.filename or "",
            upload.read(),
            file_store(),
            clock().now(),
            current_app.config["MAX_SCAN_BYTES"],
        )
        db.session.commit()
        flash(_("Scan saved."), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.fields.get("file") or exc.message, "error")
    return _back(dossier.code)


@bp.post("/desk/dossiers/<code>/reuse")
@roles_required(*CLERKS)
def scan_reuse(code: str) -> Response:
    dossier = get_dossier(db.session, current_user, code)
    form = ReuseForm()
    if form.validate_on_submit() and record_number(form.file_id.data) is not None:
        try:
            digitization.reuse(
                db.session,
                current_user,
                dossier,
                form.component.data or "",
                record_number(form.file_id.data) or 0,
                bool(form.consent.data),
                clock().now(),
            )
            db.session.commit()
            flash(_("The earlier document is reused; the citizen need not bring it again."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return _back(dossier.code)


@bp.post("/desk/dossiers/<code>/digitized")
@roles_required(*CLERKS)
def scan_done(code: str) -> Response:
    dossier = get_dossier(db.session, current_user, code)
    if FlaskForm().validate_on_submit():
        try:
            digitization.mark_digitized(db.session, current_user, dossier, clock().now())
            db.session.commit()
            flash(_("The dossier is digitized."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return _back(dossier.code)


@bp.get("/desk/dossiers/<code>/files/<int:file_id>")
@roles_required(*DESK, Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR)
def scan_file(code: str, file_id: int) -> Response:
    dossier = get_dossier(db.session, current_user, code)
    scan = next((f for f in dossier.files if f.id == file_id), None)
    if scan is None:
        reused = {c.reused_file_id for c in dossier.components if c.reused_file_id}
        scan = db.session.get(DossierFile, file_id) if file_id in reused else None
    if scan is None:
        abort(404)
    response = Response(file_store().get(scan.sha256), mimetype=scan.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=scan.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

"""Contract screens: list, detail, draft form, capacity assessment, amendments, status, documents."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from postal_hub.auth.permissions import roles_required
from postal_hub.contracts import services
from postal_hub.contracts.access import can_bill, can_manage, get_contract, may_create_contracts
from postal_hub.contracts.blueprint import bp, prepare_contract, prepare_scope, report
from postal_hub.contracts.forms import (
    AmendmentForm,
    AssessmentForm,
    ContractForm,
    DocumentForm,
    PrepareStatementForm,
    StatusForm,
)
from postal_hub.contracts.inputs import ContractInput
from postal_hub.contracts.models import Contract
from postal_hub.contracts.queries import contract_detail, contracts_page
from postal_hub.contracts.status import CONTRACT_MACHINE, CONTRACT_STATUS_LABELS, ContractStatus
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.services import clock, file_store
from postal_hub.web_helpers import list_args, list_request

VIEWERS = (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER)
WRITERS = (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR)


@bp.get("/contracts")
@roles_required(*VIEWERS)
def contracts() -> str:
    lr = list_request()
    status = request.args.get("status", "")
    page = contracts_page(
        db.session, current_user, status if status in {s.value for s in ContractStatus} else None, lr
    )
    return render_template(
        "contracts/list.html",
        page=page,
        lr=lr,
        status=status,
        args=list_args(),
        statuses=CONTRACT_STATUS_LABELS,
        can_create=may_create_contracts(current_user),
    )


def _contract_input(form: ContractForm) -> ContractInput:
    return ContractInput(
        number=form.number.data or "",
        unit_id=form.unit_id.data,
        operator_id=form.operator_id.data,
        procurement_method=form.procurement_method.data or "",
        award_decision=form.award_decision.data or "",
        signed_on=form.signed_on.data,
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
        scope=form.scope_input(),
        notes=form.notes.data or "",
    )


@bp.route("/contracts/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def contract_new() -> str | BaseResponse:
    form = ContractForm()
    prepare_contract(form)
    if form.validate_on_submit():
        try:
            made = services.save_draft(db.session, current_user, _contract_input(form), clock().now())
            db.session.commit()
            flash(
                _(
                    "Draft contract %(number)s saved. Record the capacity assessment, then activate it.",
                    number=made.number,
                ),
                "success",
            )
            return redirect(url_for("contracts.contract_detail_page", contract_id=made.id))
        except DomainError as exc:
            report(exc, form)
    return render_template("contracts/form.html", form=form, contract=None)


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def contract_edit(contract_id: int) -> str | BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    if contract.status != ContractStatus.DRAFT:
        flash(_("An active contract is not edited in place: record an amendment."), "error")
        return redirect(url_for("contracts.contract_amend", contract_id=contract.id))
    form = ContractForm(obj=contract) if request.method == "GET" else ContractForm()
    if request.method == "GET":
        form.fill_from(contract.versions[0])
    prepare_contract(form)
    if form.validate_on_submit():
        try:
            services.save_draft(db.session, current_user, _contract_input(form), clock().now(), contract)
            db.session.commit()
            flash(_("Saved %(number)s.", number=contract.number), "success")
            return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))
        except DomainError as exc:
            report(exc, form)
    return render_template("contracts/form.html", form=form, contract=contract)


@bp.get("/contracts/<int:contract_id>")
@roles_required(*VIEWERS)
def contract_detail_page(contract_id: int) -> str:
    contract = get_contract(db.session, current_user, contract_id)
    now = clock().now()
    allowed = CONTRACT_MACHINE.allowed(ContractStatus(contract.status)) - {ContractStatus.EXPIRED}
    return render_template(
        "contracts/detail.html",
        contract=contract,
        detail=contract_detail(db.session, contract, now),
        can_manage=can_manage(db.session, current_user, contract),
        can_bill=can_bill(current_user, contract),
        targets=sorted(allowed),
        status_form=StatusForm(),
        document_form=DocumentForm(),
        statement_form=PrepareStatementForm(),
        statuses=CONTRACT_STATUS_LABELS,
        now=now,
    )


@bp.route("/contracts/<int:contract_id>/assessment", methods=["GET", "POST"])
@roles_required(*WRITERS)
def contract_assessment(contract_id: int) -> str | BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    form = AssessmentForm()
    staffing_day = _prefill_staffing(form, contract) if request.method == "GET" else None
    if form.validate_on_submit():
        try:
            services.record_assessment(
                db.session,
                current_user,
                contract,
                form.assessed_on.data,
                form.unit_facilities.data or "",
                form.unit_staff.data,
                form.operator_offices.data,
                form.operator_staff.data,
                form.trained_staff.data,
                form.conclusion.data or "",
                form.signed_by.data or "",
                clock().now(),
            )
            db.session.commit()
            flash(_("The capacity assessment is recorded."), "success")
            return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))
        except DomainError as exc:
            report(exc, form)
    return render_template(
        "contracts/assessment.html", form=form, contract=contract, staffing_day=staffing_day
    )


def _prefill_staffing(form: AssessmentForm, contract: Contract) -> date | None:
    """The operator's offices, staff and certified staff in the contract's area, from the training records
    (found through the app, not imported: contracts depend on no other feature). None if there are none."""
    lookup = current_app.extensions.get("staffing_in_area")
    if lookup is None or not contract.versions:
        return None
    latest = contract.versions[-1]
    provinces = None if latest.nationwide else [p.code for p in latest.provinces]
    day = to_local(clock().now()).date()
    staffing = lookup(db.session, contract.operator_id, provinces, day)
    form.assessed_on.data = day
    form.operator_offices.data = staffing.offices
    form.operator_staff.data = staffing.staff
    form.trained_staff.data = staffing.trained
    return day


@bp.route("/contracts/<int:contract_id>/amend", methods=["GET", "POST"])
@roles_required(*WRITERS)
def contract_amend(contract_id: int) -> str | BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    form = AmendmentForm()
    if request.method == "GET":
        form.fill_from(contract.versions[-1])
    prepare_scope(form)
    if form.validate_on_submit():
        try:
            services.amend(
                db.session,
                current_user,
                contract,
                form.amendment_number.data or "",
                form.effective_on.data,
                form.scope_input(),
                form.note.data or "",
                clock().now(),
            )
            db.session.commit()
            flash(_("Amendment %(number)s recorded.", number=form.amendment_number.data), "success")
            return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))
        except DomainError as exc:
            report(exc, form)
    return render_template("contracts/amend.html", form=form, contract=contract)


@bp.post("/contracts/<int:contract_id>/status")
@roles_required(*WRITERS)
def contract_status(contract_id: int) -> BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.target.data not in {s.value for s in ContractStatus}:
        abort(400)
    target = ContractStatus(form.target.data)
    try:
        services.change_status(
            db.session, current_user, contract, target, clock().now(), form.reason.data or ""
        )
        db.session.commit()
        flash(_("The contract is now: %(status)s.", status=CONTRACT_STATUS_LABELS[target]), "success")
    except DomainError as exc:
        report(exc)
    return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))


@bp.post("/contracts/<int:contract_id>/documents")
@roles_required(*WRITERS)
def contract_document_upload(contract_id: int) -> BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.attach_document(
                db.session,
                current_user,
                contract,
                upload.filename or "",
                upload.mimetype or "",
                upload.read(),
                file_store(),
                clock().now(),
            )
            db.session.commit()
            flash(_("The document is attached."), "success")
        except DomainError as exc:
            report(exc)
    else:
        for error in form.file.errors:
            flash(str(error), "error")
    return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id) + "#documents")


@bp.get("/contracts/<int:contract_id>/documents/<int:document_id>")
@roles_required(*VIEWERS)
def contract_document(contract_id: int, document_id: int) -> BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    document = next((d for d in contract.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    # Always a download, never rendered inline: an uploaded file must not run as a page of this site.
    response = Response(file_store().get(document.sha256), mimetype="application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=document.filename)
    return response

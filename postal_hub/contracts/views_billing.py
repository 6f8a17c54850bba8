"""Monthly statement screens, their exports, and the task list."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from postal_hub.auth.permissions import roles_required
from postal_hub.contracts import exports, statements
from postal_hub.contracts.access import can_bill, can_decide, get_contract, scope_contracts
from postal_hub.contracts.blueprint import bp, report
from postal_hub.contracts.forms import PrepareStatementForm, StatementActionForm
from postal_hub.contracts.models import Contract
from postal_hub.contracts.queries import author_names, office_filter_choices, tasks_page
from postal_hub.contracts.statement_models import Statement
from postal_hub.contracts.status import (
    STATEMENT_MACHINE,
    STATEMENT_STATUS_LABELS,
    TASK_STATUS_LABELS,
    TASK_TYPE_LABELS,
    StatementStatus,
)
from postal_hub.core.errors import DomainError, NotFound
from postal_hub.core.users.models import POSTAL_ROLES, Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.web_helpers import list_args, list_request

STATEMENT_VIEWERS = (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER)
TASK_VIEWERS = (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, *POSTAL_ROLES)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@bp.post("/contracts/<int:contract_id>/statements")
@roles_required(Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)
def statement_prepare(contract_id: int) -> BaseResponse:
    contract = get_contract(db.session, current_user, contract_id)
    form = PrepareStatementForm()
    match = _MONTH.match(form.month.data or "") if form.validate_on_submit() else None
    if match is None:
        flash(_("Choose a month (yyyy-mm)."), "error")
        return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))
    try:
        statement = statements.prepare(
            db.session, current_user, contract, int(match[1]), int(match[2]), clock().now()
        )
        db.session.commit()
    except DomainError as exc:
        report(exc)
        return redirect(url_for("contracts.contract_detail_page", contract_id=contract.id))
    return redirect(url_for("contracts.statement_page", statement_id=statement.id))


def _get_statement(statement_id: int) -> Statement:
    visible = scope_contracts(db.session, current_user, sa.select(Contract.id))
    statement = db.session.scalar(
        sa.select(Statement).where(Statement.id == statement_id, Statement.contract_id.in_(visible))
    )
    if statement is None:
        raise NotFound(_("There is no such statement, or it is not yours to see."))
    return statement


@bp.get("/statements/<int:statement_id>")
@roles_required(*STATEMENT_VIEWERS)
def statement_page(statement_id: int) -> str:
    statement = _get_statement(statement_id)
    status = StatementStatus(statement.status)
    bill, decide = (
        can_bill(current_user, statement.contract),
        can_decide(db.session, current_user, statement.contract),
    )
    actions = []
    if bill and status == StatementStatus.DRAFT:
        actions += ["recalculate", StatementStatus.SUBMITTED.value]
    if decide and STATEMENT_MACHINE.can(status, StatementStatus.APPROVED):
        actions += [StatementStatus.APPROVED.value, StatementStatus.DISPUTED.value]
    if bill and status == StatementStatus.DISPUTED:
        actions.append(StatementStatus.DRAFT.value)
    return render_template(
        "contracts/statement.html",
        statement=statement,
        actions=actions,
        form=StatementActionForm(),
        can_comment=bill or decide,
        statuses=STATEMENT_STATUS_LABELS,
        task_types=TASK_TYPE_LABELS,
        authors=author_names(db.session, statement),
    )


@bp.post("/statements/<int:statement_id>/action")
@roles_required(*STATEMENT_VIEWERS)
def statement_action(statement_id: int) -> BaseResponse:
    statement = _get_statement(statement_id)
    form = StatementActionForm()
    if not form.validate_on_submit():
        abort(400)
    now, comment, action = clock().now(), form.comment.data or "", form.action.data
    handlers = {
        "recalculate": lambda: statements.prepare(
            db.session, current_user, statement.contract, statement.year, statement.month, now
        ),
        "submitted": lambda: statements.submit(db.session, current_user, statement, now, comment),
        "approved": lambda: statements.approve(db.session, current_user, statement, now, comment),
        "disputed": lambda: statements.dispute(db.session, current_user, statement, now, comment),
        "draft": lambda: statements.reopen(db.session, current_user, statement, now, comment),
        "comment": lambda: statements.add_comment(db.session, current_user, statement, now, comment),
    }
    if action not in handlers:
        abort(400)
    try:
        handlers[action]()
        db.session.commit()
        flash(_("Done."), "success")
    except DomainError as exc:
        report(exc)
    return redirect(url_for("contracts.statement_page", statement_id=statement.id))


@bp.get("/statements/<int:statement_id>/export.<fmt>")
@roles_required(*STATEMENT_VIEWERS)
def statement_export(statement_id: int, fmt: str) -> BaseResponse:
    statement = _get_statement(statement_id)
    name = f"bang-ke-{statement.contract.number}-{statement.year}-{statement.month:02d}".replace("/", "-")
    if fmt == "csv":
        response = Response(exports.to_csv(statement), mimetype="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = Response(
            exports.to_xlsx(statement),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        abort(404)
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}.{fmt}")
    return response


@bp.get("/tasks")
@roles_required(*TASK_VIEWERS)
def tasks() -> str:
    lr = list_request()
    filters = {k: request.args.get(k, "") for k in ("status", "type", "office", "flag", "contract")}
    now = clock().now()
    page = tasks_page(db.session, current_user, filters, now, lr)
    return render_template(
        "contracts/tasks.html",
        page=page,
        lr=lr,
        filters=filters,
        args=list_args(),
        now=now,
        offices=office_filter_choices(db.session, current_user),
        statuses=TASK_STATUS_LABELS,
        task_types=TASK_TYPE_LABELS,
        highlight=request.args.get("highlight", ""),
    )

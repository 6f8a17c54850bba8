"""Admin screens for the procedure catalogue, with components and CSV import."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.admin.blueprint import bp
from postal_hub.admin.forms import ConfirmForm, CsvImportForm, ProcedureForm
from postal_hub.admin.queries import LEVEL_LABELS, level_choices, org_choices, procedures_page
from postal_hub.auth.permissions import roles_required
from postal_hub.core.csv_import import PROCEDURE_COLUMNS, PROCEDURE_OPTIONAL, ImportFailed, import_procedures
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import GovLevel, OrgKind
from postal_hub.core.procedures.models import Procedure, ProcedureGroup
from postal_hub.core.procedures.services import (
    ComponentInput,
    ProcedureInput,
    save_procedure,
    set_procedure_active,
)
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.web_helpers import apply_errors, example_lines, list_args, list_request, toggle_active

BLANK_COMPONENT_ROWS = 2


@bp.get("/procedures")
@roles_required(Role.SYSTEM_ADMIN)
def procedures() -> str:
    lr = list_request()
    level = request.args.get("level", "")
    page = procedures_page(db.session, level, lr)
    rows = [
        {
            "cells": [
                p.code,
                p.name,
                p.field,
                p.group.code if p.group else "—",
                str(LEVEL_LABELS[GovLevel(p.competent_level)]),
                str(len(p.components)),
                p.processing_days,
                {"vnd": p.fee + p.charge},
                _("Yes") if p.postal_allowed else _("No"),
            ],
            "url": url_for("admin.procedure_edit", procedure_id=p.id),
            "active": p.active,
        }
        for p in page.items
    ]
    filters = [
        {
            "name": "level",
            "label": _("Level"),
            "value": level,
            "options": [("", _("All levels")), *((lv.value, str(lb)) for lv, lb in LEVEL_LABELS.items())],
        }
    ]
    return render_template(
        "admin/list.html",
        title=_("Procedures"),
        columns=[
            _("Code"),
            _("Name"),
            _("Field"),
            _("Group"),
            _("Level"),
            _("Components"),
            _("Days"),
            _("Fee + charge"),
            _("By post"),
        ],
        rows=rows,
        page=page,
        q=lr.q,
        show_inactive=lr.show_inactive,
        filters=filters,
        args=list_args(),
        new_links=[{"url": url_for("admin.procedure_new"), "label": _("New procedure")}],
        import_url=url_for("admin.procedure_import"),
    )


def _component_inputs(form: ProcedureForm) -> list[ComponentInput]:
    """Rows left entirely blank are spare rows, not components; clearing a row removes it."""
    inputs = []
    for entry in form.components.entries:
        row = entry.form
        if not (row.code.data or "").strip() and not (row.name.data or "").strip():
            continue
        inputs.append(
            ComponentInput(
                code=row.code.data or "",
                name=row.name.data or "",
                original=row.original.data == "original",
                count=row.count.data or 1,
            )
        )
    return inputs


def _edit(procedure: Procedure | None) -> str | Response:
    if request.method == "GET":
        form = ProcedureForm(obj=procedure)
        if procedure is not None:
            for entry, comp in zip(form.components.entries, procedure.components, strict=False):
                entry.form.original.data = "original" if comp.original else "copy"
        else:
            form.components.entries[0].form.count.data = 1
        for _i in range(BLANK_COMPONENT_ROWS):
            form.components.append_entry({"count": 1})
    else:
        form = ProcedureForm()
    form.competent_level.choices = level_choices()
    form.unit_id.choices = org_choices(
        db.session, (OrgKind.ONE_STOP_UNIT,), _l("— decided by routing (level and applicant's place) —")
    )
    form.group_id.choices = [
        (None, str(_l("— no group yet: nobody is certified for it —"))),
        *(
            (g.id, f"{g.code} · {g.name}")
            for g in db.session.scalars(
                sa.select(ProcedureGroup)
                .where(sa.or_(ProcedureGroup.active.is_(True), ProcedureGroup.id == form.group_id.data))
                .order_by(ProcedureGroup.code)
            )
        ),
    ]
    if request.method == "POST" and form.validate():
        data = ProcedureInput(
            code=form.code.data or "",
            name=form.name.data or "",
            competent_level=form.competent_level.data or "",
            processing_days=form.processing_days.data,
            fee=form.fee.data or "0",
            charge=form.charge.data or "0",
            field=form.field.data or "",
            unit_id=form.unit_id.data,
            group_id=form.group_id.data,
            postal_allowed=form.postal_allowed.data,
            onsite_inspection=form.onsite_inspection.data,
            components=_component_inputs(form),
        )
        try:
            saved = save_procedure(db.session, current_user, data, procedure)
            db.session.commit()
            flash(_("Saved %(code)s %(name)s.", code=saved.code, name=saved.name), "success")
            return redirect(url_for("admin.procedures"))
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            _renumber_errors(form, exc.fields)
    return render_template("admin/procedure_form.html", form=form, procedure=procedure, confirm=ConfirmForm())


def _renumber_errors(form: ProcedureForm, fields: dict[str, str]) -> None:
    """The service numbers only the non-blank rows; map its errors back to the rows on screen."""
    filled = [
        i
        for i, e in enumerate(form.components.entries)
        if (e.form.code.data or "").strip() or (e.form.name.data or "").strip()
    ]
    mapped = {}
    for name, message in fields.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "components" and int(parts[1]) < len(filled):
            name = f"components-{filled[int(parts[1])]}-{parts[2]}"
        mapped[name] = message
    apply_errors(form, mapped)


def _get(procedure_id: int) -> Procedure:
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None:
        abort(404)
    return procedure


@bp.route("/procedures/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def procedure_new() -> str | Response:
    return _edit(None)


@bp.route("/procedures/<int:procedure_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def procedure_edit(procedure_id: int) -> str | Response:
    return _edit(_get(procedure_id))


@bp.post("/procedures/<int:procedure_id>/active")
@roles_required(Role.SYSTEM_ADMIN)
def procedure_active(procedure_id: int) -> Response:
    procedure = _get(procedure_id)
    return toggle_active(
        procedure.name,
        lambda active: set_procedure_active(db.session, current_user, procedure, active),
        url_for("admin.procedure_edit", procedure_id=procedure.id),
    )


@bp.route("/procedures/import", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def procedure_import() -> str | Response:
    form = CsvImportForm()
    del form.operator_id
    problems: list[tuple[int, str]] = []
    if form.validate_on_submit():
        try:
            report = import_procedures(db.session, current_user, form.file.data.read())
            db.session.commit()
            flash(
                _("Imported: %(c)d new and %(u)d updated procedures.", c=report.created, u=report.updated),
                "success",
            )
            return redirect(url_for("admin.procedures"))
        except ImportFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            problems = exc.problems
    return render_template(
        "admin/import.html",
        form=form,
        title=_("Import procedures"),
        problems=problems,
        columns=PROCEDURE_COLUMNS,
        optional=PROCEDURE_OPTIONAL,
        back_url=url_for("admin.procedures"),
        example=example_lines("procedures.csv", 4),
        note=_("One row per component; repeat the procedure's columns on each of its rows."),
    )

"""Admin screens for post offices, with CSV import."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.admin.blueprint import bp
from postal_hub.admin.forms import ConfirmForm, CsvImportForm, PostOfficeForm
from postal_hub.admin.queries import offices_page, org_choices, place_choices
from postal_hub.auth.permissions import roles_required
from postal_hub.core.csv_import import OFFICE_COLUMNS, OFFICE_OPTIONAL, ImportFailed, import_post_offices
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.orgs.services import PostOfficeInput, save_post_office, set_post_office_active
from postal_hub.core.permissions import is_admin, scope_offices
from postal_hub.core.places.queries import province_choices
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.web_helpers import (
    apply_errors,
    example_lines,
    list_args,
    list_request,
    parse_coordinate,
    toggle_active,
)

MANAGERS = (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)


def _operator_choices() -> list[tuple[Any, Any]]:
    if is_admin(current_user):
        return org_choices(db.session, (OrgKind.POSTAL_OPERATOR,))
    org = db.session.get(Organization, current_user.organization_id)
    return [(org.id, f"{org.name} ({org.code})")] if org else []


@bp.get("/offices")
@roles_required(*MANAGERS)
def offices() -> str:
    lr = list_request()
    province = request.args.get("province", "")
    page = offices_page(db.session, current_user, province, lr)
    rows = [
        {
            "cells": [o.code, o.name, o.postcode, o.commune.name, o.province.name, o.opening_hours],
            "url": url_for("admin.office_edit", office_id=o.id),
            "active": o.active,
        }
        for o in page.items
    ]
    filters = [
        {
            "name": "province",
            "label": _("Province"),
            "value": province,
            "options": [("", _("All provinces")), *province_choices(db.session)],
        }
    ]
    return render_template(
        "admin/list.html",
        title=_("Post offices"),
        columns=[_("Code"), _("Name"), _("Postcode"), _("Commune"), _("Province"), _("Opening hours")],
        rows=rows,
        page=page,
        q=lr.q,
        show_inactive=lr.show_inactive,
        filters=filters,
        args=list_args(),
        new_links=[{"url": url_for("admin.office_new"), "label": _("New post office")}],
        import_url=url_for("admin.office_import"),
    )


def _edit(office: PostOffice | None) -> str | Response:
    form = PostOfficeForm(obj=office) if request.method == "GET" else PostOfficeForm()
    if office is not None and request.method == "GET":
        form.lat.data = "" if office.lat is None else str(office.lat)
        form.lon.data = "" if office.lon is None else str(office.lon)
    form.operator_id.choices = _operator_choices()
    if form.operator_id.data is None and form.operator_id.choices:
        form.operator_id.data = form.operator_id.choices[0][0]
    form.province_code.choices, form.commune_code.choices = place_choices(db.session, form.province_code.data)
    if request.method == "POST" and form.validate():
        operator = db.session.get(Organization, form.operator_id.data) if form.operator_id.data else None
        lat, lat_ok = parse_coordinate(form, "lat")
        lon, lon_ok = parse_coordinate(form, "lon")
        if operator is None:
            form.operator_id.errors = [_l("Choose the postal operator.")]
        elif lat_ok and lon_ok:
            same_point = office is not None and office.lat == lat and office.lon == lon
            data = PostOfficeInput(
                code=form.code.data or "",
                name=form.name.data or "",
                postcode=form.postcode.data or "",
                address=form.address.data or "",
                province_code=form.province_code.data or "",
                commune_code=form.commune_code.data or "",
                opening_hours=form.opening_hours.data or "",
                lat=lat,
                lon=lon,
                active=office.active if office else True,
                coordinate_source=office.coordinate_source if same_point and office else "manual",
            )
            try:
                saved = save_post_office(db.session, current_user, operator, data, office)
                db.session.commit()
                flash(_("Saved %(name)s.", name=saved.name), "success")
                return redirect(url_for("admin.offices"))
            except ValidationFailed as exc:
                db.session.rollback()
                flash(exc.message, "error")
                apply_errors(form, exc.fields)
    return render_template("admin/office_form.html", form=form, office=office, confirm=ConfirmForm())


def _scoped_office(office_id: int) -> PostOffice:
    office = db.session.scalar(
        scope_offices(current_user, sa.select(PostOffice).where(PostOffice.id == office_id))
    )
    if office is None:
        abort(404)
    return office


@bp.route("/offices/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def office_new() -> str | Response:
    return _edit(None)


@bp.route("/offices/<int:office_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def office_edit(office_id: int) -> str | Response:
    return _edit(_scoped_office(office_id))


@bp.post("/offices/<int:office_id>/active")
@roles_required(*MANAGERS)
def office_active(office_id: int) -> Response:
    office = _scoped_office(office_id)
    return toggle_active(
        office.name,
        lambda active: set_post_office_active(db.session, current_user, office, active),
        url_for("admin.office_edit", office_id=office.id),
    )


@bp.route("/offices/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def office_import() -> str | Response:
    form = CsvImportForm()
    form.operator_id.choices = _operator_choices()
    problems: list[tuple[int, str]] = []
    if form.validate_on_submit():
        operator = db.session.get(Organization, form.operator_id.data) if form.operator_id.data else None
        if operator is None or form.operator_id.data not in {c[0] for c in form.operator_id.choices}:
            form.operator_id.errors = [_l("Choose the postal operator.")]
        else:
            try:
                report = import_post_offices(db.session, current_user, operator, form.file.data.read())
                db.session.commit()
                flash(
                    _("Imported: %(c)d new and %(u)d updated offices.", c=report.created, u=report.updated),
                    "success",
                )
                return redirect(url_for("admin.offices"))
            except ImportFailed as exc:
                db.session.rollback()
                flash(exc.message, "error")
                problems = exc.problems
    return render_template(
        "admin/import.html",
        form=form,
        title=_("Import post offices"),
        problems=problems,
        columns=OFFICE_COLUMNS,
        optional=OFFICE_OPTIONAL,
        back_url=url_for("admin.offices"),
        example=example_lines("post_offices.csv"),
    )

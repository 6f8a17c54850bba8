"""Admin screens for organizations (operators, agencies), one-stop units and their API keys."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.admin.blueprint import bp
from postal_hub.admin.forms import ApiKeyForm, ConfirmForm, OrganizationForm
from postal_hub.admin.queries import (
    KIND_LABELS,
    LEVEL_LABELS,
    api_keys_of,
    level_choices,
    org_choices,
    organizations_page,
    place_choices,
)
from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import GovLevel, Organization, OrgKind
from postal_hub.core.orgs.services import OrganizationInput, save_organization, set_organization_active
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import ApiKey, Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.web_helpers import (
    apply_errors,
    list_args,
    list_request,
    parse_coordinate,
    toggle_active,
)

ORG_KINDS = (OrgKind.POSTAL_OPERATOR, OrgKind.AGENCY)


def _org_rows(items: list[Organization], unit_list: bool) -> list[dict[str, Any]]:
    rows = []
    for org in items:
        cells = [org.code, org.name]
        if unit_list:
            cells += [
                str(LEVEL_LABELS[GovLevel(org.level)]) if org.level else "",
                org.parent.name if org.parent else "",
            ]
        else:
            cells += [
                str(KIND_LABELS[OrgKind(org.kind)]),
                str(LEVEL_LABELS[GovLevel(org.level)]) if org.level else "",
            ]
        cells.append(org.province.name if org.province else "")
        endpoint = "admin.unit_edit" if unit_list else "admin.organization_edit"
        rows.append({"cells": cells, "url": url_for(endpoint, org_id=org.id), "active": org.active})
    return rows


def _list(unit_list: bool) -> str:
    kinds = (OrgKind.ONE_STOP_UNIT,) if unit_list else ORG_KINDS
    lr = list_request()
    page = organizations_page(db.session, kinds, lr)
    columns = [_("Code"), _("Name")]
    columns += [_("Level"), _("Agency")] if unit_list else [_("Kind"), _("Level")]
    columns.append(_("Province"))
    new_links = (
        [{"url": url_for("admin.unit_new"), "label": _("New one-stop unit")}]
        if unit_list
        else [
            {
                "url": url_for("admin.organization_new", kind="postal_operator"),
                "label": _("New postal operator"),
            },
            {"url": url_for("admin.organization_new", kind="agency"), "label": _("New agency")},
        ]
    )
    return render_template(
        "admin/list.html",
        title=_("One-stop units") if unit_list else _("Organizations"),
        columns=columns,
        rows=_org_rows(page.items, unit_list),
        page=page,
        q=lr.q,
        show_inactive=lr.show_inactive,
        new_links=new_links,
        args=list_args(),
        filters=[],
    )


@bp.get("/organizations")
@roles_required(Role.SYSTEM_ADMIN)
def organizations() -> str:
    return _list(unit_list=False)


@bp.get("/units")
@roles_required(Role.SYSTEM_ADMIN)
def units() -> str:
    return _list(unit_list=True)


def _prepare(form: OrganizationForm, kind: str) -> None:
    form.kind.choices = [(k.value, label) for k, label in KIND_LABELS.items()]
    form.kind.data = kind
    form.level.choices = level_choices()
    form.parent_id.choices = org_choices(db.session, (OrgKind.AGENCY,), _l("— choose —"))
    form.province_code.choices, form.commune_code.choices = place_choices(db.session, form.province_code.data)


def _edit(org: Organization | None, kind: str) -> str | Response:
    if kind not in {k.value for k in OrgKind}:
        abort(404)
    form = OrganizationForm(obj=org) if request.method == "GET" else OrganizationForm()
    if org is not None and request.method == "GET":
        form.lat.data = "" if org.lat is None else str(org.lat)
        form.lon.data = "" if org.lon is None else str(org.lon)
    _prepare(form, kind)
    if request.method == "POST" and form.validate():
        lat, lat_ok = parse_coordinate(form, "lat")
        lon, lon_ok = parse_coordinate(form, "lon")
        if lat_ok and lon_ok:
            data = OrganizationInput(
                kind=kind,
                code=form.code.data or "",
                name=form.name.data or "",
                level=form.level.data or None,
                parent_id=form.parent_id.data,
                tax_code=form.tax_code.data,
                province_code=form.province_code.data,
                commune_code=form.commune_code.data,
                address=form.address.data or "",
                phone=form.phone.data,
                email=form.email.data,
                lat=lat,
                lon=lon,
                coordinate_source=(
                    org.coordinate_source if org and org.lat == lat and org.lon == lon else "manual"
                ),
            )
            try:
                saved = save_organization(db.session, current_user, data, org)
                db.session.commit()
                flash(_("Saved %(name)s.", name=saved.name), "success")
                return redirect(
                    url_for("admin.units" if kind == OrgKind.ONE_STOP_UNIT else "admin.organizations")
                )
            except ValidationFailed as exc:
                db.session.rollback()
                flash(exc.message, "error")
                apply_errors(form, exc.fields)
    keys = api_keys_of(db.session, org.id) if org is not None and kind in api_keys.API_ORG_KINDS else None
    return render_template(
        "admin/organization_form.html",
        form=form,
        org=org,
        kind=kind,
        kind_label=KIND_LABELS[OrgKind(kind)],
        keys=keys,
        key_form=ApiKeyForm(),
        confirm=ConfirmForm(),
        new_key=None,
    )


def _get_org(org_id: int, unit: bool) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or (org.kind == OrgKind.ONE_STOP_UNIT) != unit:
        abort(404)
    return org


@bp.route("/organizations/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def organization_new() -> str | Response:
    kind = request.args.get("kind", OrgKind.AGENCY.value)
    if kind == OrgKind.ONE_STOP_UNIT:
        return redirect(url_for("admin.unit_new"))
    return _edit(None, kind)


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def organization_edit(org_id: int) -> str | Response:
    org = _get_org(org_id, unit=False)
    return _edit(org, org.kind)


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def unit_new() -> str | Response:
    return _edit(None, OrgKind.ONE_STOP_UNIT.value)


@bp.route("/units/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SYSTEM_ADMIN)
def unit_edit(org_id: int) -> str | Response:
    return _edit(_get_org(org_id, unit=True), OrgKind.ONE_STOP_UNIT.value)


@bp.post("/organizations/<int:org_id>/active")
@roles_required(Role.SYSTEM_ADMIN)
def organization_active(org_id: int) -> Response:
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    endpoint = "admin.unit_edit" if org.kind == OrgKind.ONE_STOP_UNIT else "admin.organization_edit"
    return toggle_active(
        org.name,
        lambda active: set_organization_active(db.session, current_user, org, active),
        url_for(endpoint, org_id=org.id),
    )


@bp.post("/organizations/<int:org_id>/api-keys")
@roles_required(Role.SYSTEM_ADMIN)
def api_key_new(org_id: int) -> str | Response:
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    key_form = ApiKeyForm()
    new_key = None
    if key_form.validate_on_submit():
        try:
            _key, new_key = api_keys.create_api_key(
                db.session, org, key_form.name.data or "", clock().now(), actor_id=current_user.id
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
    form = OrganizationForm(obj=org)
    form.lat.data = "" if org.lat is None else str(org.lat)
    form.lon.data = "" if org.lon is None else str(org.lon)
    _prepare(form, org.kind)
    # The key is shown on this response only: never flashed (the session cookie is not secret).
    return render_template(
        "admin/organization_form.html",
        form=form,
        org=org,
        kind=org.kind,
        kind_label=KIND_LABELS[OrgKind(org.kind)],
        keys=api_keys_of(db.session, org.id),
        key_form=key_form,
        confirm=ConfirmForm(),
        new_key=new_key,
    )


@bp.post("/api-keys/<int:key_id>/revoke")
@roles_required(Role.SYSTEM_ADMIN)
def api_key_revoke(key_id: int) -> Response:
    key = db.session.get(ApiKey, key_id)
    if key is None or not ConfirmForm().validate_on_submit():
        abort(404 if key is None else 400)
    api_keys.revoke(db.session, key, clock().now(), current_user.id)
    db.session.commit()
    flash(_("The key %(name)s is revoked.", name=key.name), "success")
    org = key.organization
    endpoint = "admin.unit_edit" if org.kind == OrgKind.ONE_STOP_UNIT else "admin.organization_edit"
    return redirect(url_for(endpoint, org_id=org.id))

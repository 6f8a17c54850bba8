"""An organization's own API keys, for its officers: create (shown once), see when each was last used,
revoke. Administrators keep the same on every organization's admin page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import Organization
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import ApiKey, Role
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.web_helpers import apply_errors
from postal_hub.webhooks import services
from postal_hub.webhooks.forms import ApiKeyForm, ConfirmForm
from postal_hub.webhooks.views import bp

OWN_KEY_ROLES = (Role.UNIT_OFFICER, Role.POSTAL_MANAGER)


def _own_org() -> Organization:
    ids = services.organization_ids_for(db.session, current_user) or []
    org = db.session.get(Organization, ids[0]) if ids else None
    if org is None:
        abort(404)
    return org


def _page(org: Organization, form: ApiKeyForm, new_key: str | None = None) -> str:
    keys = db.session.scalars(
        sa.select(ApiKey).where(ApiKey.organization_id == org.id).order_by(ApiKey.id.desc())
    ).all()
    return render_template(
        "webhooks/api_keys.html", org=org, keys=keys, form=form, confirm=ConfirmForm(), new_key=new_key
    )


@bp.get("/api-keys")
@roles_required(*OWN_KEY_ROLES)
def api_keys_page() -> str:
    return _page(_own_org(), ApiKeyForm(formdata=None))


@bp.post("/api-keys")
@roles_required(*OWN_KEY_ROLES)
def api_key_create() -> str:
    org = _own_org()
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(org, form)
    try:
        _key, plaintext = api_keys.create_api_key(
            db.session, org, form.name.data or "", clock().now(), actor_id=current_user.id
        )
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc.fields)
        return _page(org, form)
    db.session.commit()
    # Shown in this response only, never flashed: the session cookie is not a place for secrets.
    return _page(org, ApiKeyForm(formdata=None), plaintext)


@bp.post("/api-keys/<int:key_id>/revoke")
@roles_required(*OWN_KEY_ROLES)
def api_key_revoke_own(key_id: int) -> Response:
    org = _own_org()
    key = db.session.get(ApiKey, key_id)
    if key is None or key.organization_id != org.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    api_keys.revoke(db.session, key, clock().now(), current_user.id)
    db.session.commit()
    flash(_("The key %(name)s is revoked.", name=key.name), "success")
    return redirect(url_for("webhooks.api_keys_page"))

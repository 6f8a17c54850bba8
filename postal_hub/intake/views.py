"""Public pages: the procedure catalogue with printable checklists, and dossier tracking."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from postal_hub.core.orgs.models import GovLevel
from postal_hub.core.pagination import ListRequest, parse_page
from postal_hub.extensions import db
from postal_hub.intake.forms import TrackForm
from postal_hub.intake.queries import catalogue_page, procedure_by_code, tracking_lookup
from postal_hub.intake.status import DOSSIER_STATUS_LABELS
from postal_hub.web_helpers import list_args, lookup_limited

bp = Blueprint("intake", __name__)


@bp.get("/procedures")
def catalogue() -> str:
    lr = ListRequest(q=request.args.get("q", ""), page=parse_page(request.args.get("page")), per_page=20)
    level = request.args.get("level", "")
    page = catalogue_page(db.session, lr, level if level in {lv.value for lv in GovLevel} else None)
    return render_template("intake/catalogue.html", page=page, lr=lr, level=level, args=list_args())


@bp.get("/procedures/<code>")
def procedure_page(code: str) -> str:
    procedure = procedure_by_code(db.session, code)
    if procedure is None:
        abort(404)
    return render_template(
        "intake/procedure.html", procedure=procedure, print_mode=request.args.get("print") == "1"
    )


@bp.get("/track")
def track_form() -> str | Response:
    form = TrackForm(request.args)
    if form.code.data:
        return redirect(url_for("intake.track", code=form.code.data.strip()))
    return render_template("intake/track_form.html", form=form)


@bp.get("/track/<code>")
def track(code: str) -> tuple[str, int, dict[str, str]] | str | tuple[str, int]:
    if (limited := lookup_limited()) is not None:
        return limited
    view = db.read(lambda conn: tracking_lookup(conn, code))
    if view is None:
        return render_template(
            "intake/track_form.html", form=TrackForm(data={"code": code}), not_found=code
        ), 404
    return render_template("intake/track.html", view=view, statuses=DOSSIER_STATUS_LABELS)

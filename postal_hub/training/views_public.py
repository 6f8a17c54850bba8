"""The public verification page: anyone holding a printed certificate checks its number here.

It says only whether the number is valid, for whom (a masked name) and until when; lookups share the
tracking page's per-address limit, so the sequential numbers cannot be walked quickly.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from postal_hub.core.clock import to_local
from postal_hub.extensions import db
from postal_hub.services import clock
from postal_hub.training.blueprint import bp
from postal_hub.training.certificates import verify
from postal_hub.web_helpers import lookup_limited


@bp.get("/verify/certificates")
def verify_form() -> str | Response:
    number = " ".join(request.args.get("number", "").split())
    if number:
        return redirect(url_for("training.verify_certificate", number=number.upper()[:32]))
    return render_template("training/verify.html", result=None, number="")


@bp.get("/verify/certificates/<number>")
def verify_certificate(number: str) -> tuple[str, int] | tuple[str, int, dict[str, str]] | str:
    if (limited := lookup_limited()) is not None:
        return limited
    result = verify(db.session, number, to_local(clock().now()).date())
    page = render_template("training/verify.html", result=result, number=result.number)
    return page if result.found else (page, 404)

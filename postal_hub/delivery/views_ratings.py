"""The staff's view of satisfaction ratings: the rates against the target, and the latest ratings."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import PermissionDenied, ValidationFailed
from postal_hub.core.users.models import Role
from postal_hub.delivery import ratings
from postal_hub.delivery.blueprint import bp
from postal_hub.delivery.remittance import parse_period
from postal_hub.delivery.status import (
    RATING_LEVEL_LABELS,
    RATING_REASON_LABELS,
    RATING_SUBJECT_LABELS,
    RatingLevel,
    RatingSubject,
)
from postal_hub.extensions import db
from postal_hub.services import clock

VIEWERS = (Role.SYSTEM_ADMIN, Role.UNIT_OFFICER, Role.AGENCY_SUPERVISOR, Role.POSTAL_MANAGER)
QUERY_ARGS = ("month", "from", "to")


@bp.get("/ratings")
@roles_required(*VIEWERS)
def ratings_page() -> tuple[str, int]:
    try:
        scope = ratings.scope_for(db.session, current_user)
    except PermissionDenied:
        abort(403)
    args = {k: request.args.get(k, "").strip() for k in QUERY_ARGS}
    errors: dict[str, str] = {}
    today = to_local(clock().now()).date()
    try:
        period = parse_period(args["month"], args["from"], args["to"], today)
    except ValidationFailed as exc:
        errors = exc.fields
        period = parse_period("", "", "", today)
    summary = ratings.satisfaction_summary(
        db.session, scope.unit_ids, scope.operator_id, start=period.start, end=period.end
    )
    html = render_template(
        "delivery/ratings.html",
        args=args,
        errors=errors,
        period=period,
        summary=summary,
        rows=ratings.recent(db.session, scope, period.start, period.end),
        target=ratings.TARGET,
        subjects=RATING_SUBJECT_LABELS,
        levels=RATING_LEVEL_LABELS,
        level_order=list(RatingLevel),
        subject_order=list(RatingSubject),
        reasons=RATING_REASON_LABELS,
        limit=ratings.RECENT,
    )
    return html, 422 if errors else 200

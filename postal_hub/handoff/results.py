"""The unit says a dossier's result is ready; the post then collects it (the delivery feature)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core.errors import Conflict
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus, ResultDelivery


def mark_result_ready(
    session: Session,
    actor: User | None,
    who: str,
    dossier: Dossier,
    summary: str,
    result_delivery: str | None,
    now: datetime,
) -> None:
    """Only a dossier the unit has received can have its result ready; the citizen's choice of how
    the result comes back may be changed at this moment (e.g. they asked the unit by phone)."""
    errors = FieldErrors()
    summary = errors.require("summary", summary, 500)
    if result_delivery is not None and result_delivery not in {r.value for r in ResultDelivery}:
        errors.add("result_delivery", _l("Choose home, post_office or counter."))
    errors.raise_if_any()
    if dossier.status != DossierStatus.RECEIVED.value:
        raise Conflict(
            str(
                _l("The result of %(code)s cannot be ready: the unit has not received it.", code=dossier.code)
            )
        )
    if result_delivery:
        dossier.result_delivery = result_delivery
    set_status(
        session, dossier, DossierStatus.RESULT_READY, now, dossier.unit.name, actor, note=summary, via=who
    )

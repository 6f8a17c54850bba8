"""The unit hands a result over at its own counter: no delivery, no post, the same identity check."""

from __future__ import annotations

import hmac
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.access import managed_ids
from postal_hub.core import audit
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.delivery.identity import IdentityMismatch, four_digits
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.lifecycle import set_status
from postal_hub.intake.models import Dossier
from postal_hub.intake.status import DossierStatus, ResultDelivery


def may_hand_over_at_unit(session: Session, actor: User, dossier: Dossier) -> bool:
    return actor.has_role(Role.UNIT_OFFICER) and dossier.unit_id in managed_ids(session, actor)


def hand_over_at_unit(
    session: Session, officer: User, dossier: Dossier, recipient_name: str, id_digits: str, now: datetime
) -> None:
    """The citizen chose to collect the result at the unit, or the post returned it there: an officer
    of the unit hands it over once
    the last 4 digits of the citizen ID card shown match the applicant's. A wrong answer is audited
    and raises IdentityMismatch (commit, then show it)."""
    if not may_hand_over_at_unit(session, officer, dossier):
        raise PermissionDenied(
            str(_l("Only the officers of %(unit)s hand this result over.", unit=dossier.unit.name))
        )
    session.refresh(dossier, ["status", "result_delivery"], with_for_update=True)
    # A result the post brought back (not delivered, not collected) waits at the unit's counter too.
    returned = dossier.status == DossierStatus.RETURNED.value
    if not returned and dossier.result_delivery != ResultDelivery.COUNTER.value:
        raise Conflict(str(_l("The result of %(code)s comes back through the post.", code=dossier.code)))
    if not returned and dossier.status != DossierStatus.RESULT_READY.value:
        raise Conflict(str(_l("The result of %(code)s is not waiting at the counter.", code=dossier.code)))
    errors = FieldErrors()
    name = errors.optional_text("recipient_name", recipient_name, 255) or dossier.applicant_name
    digits = four_digits(errors, id_digits)
    errors.raise_if_any()
    if not hmac.compare_digest(dossier.applicant_citizen_id[-4:], digits):
        audit.record(session, officer.id, "dossier.counter_id_mismatch", "dossier", dossier.code, {}, at=now)
        session.flush()
        message = str(_l("The ID digits do not match the applicant's citizen ID."))
        raise IdentityMismatch(message, {"id_digits": message}, False)
    note = str(_l("Handed to %(name)s at the unit's counter", name=name))
    place = dossier.unit.name
    set_status(
        session, dossier, DossierStatus.DELIVERED, now, place, officer, event_code="delivered", note=note
    )
    record_custody(
        session,
        dossier,
        CustodyKind.DELIVERED,
        now,
        actor_label(officer),
        place,
        "",
        {"name": name, "unit_counter": True},
    )

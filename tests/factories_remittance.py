"""Fees collected for a unit: the hand-computed example the remittance tests check, and COD handovers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.models import Contract
from postal_hub.core.clock import LOCAL_TZ
from postal_hub.core.orgs.models import Organization
from postal_hub.core.users.models import Role
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus, Outcome
from postal_hub.intake.models import Dossier
from tests import factories

OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội: the other unit's commune


def cod(
    session: Session,
    dossier: Dossier,
    amount: int,
    method: str,
    at: datetime,
    operator_id: int | None = None,
    office_id: int | None = None,
    outcome: Outcome = Outcome.DELIVERED,
) -> DeliveryAttempt:
    """A delivered result with the fees collected on handover (built directly, not through a run)."""
    delivery = Delivery(
        dossier_id=dossier.id,
        status=DeliveryStatus.DELIVERED.value,
        method=DeliveryMethod.HOME.value,
        unit_id=dossier.unit_id,
        operator_id=operator_id or dossier.operator_id,
        office_id=office_id or dossier.office_id,
        contract_id=_contract_id(session, dossier),
        summary="Giấy chứng nhận",
        province_code=dossier.applicant_province_code,
        commune_code=dossier.applicant_commune_code,
        street=dossier.applicant_street,
        amount_due=amount,
        manage_salt=secrets.token_hex(16),
    )
    attempt = DeliveryAttempt(
        number=1,
        outcome=outcome.value,
        at=at,
        signature_sha256="0" * 64 if outcome == Outcome.DELIVERED else None,
        amount_collected=amount,
        payment_method=method,
    )
    delivery.attempts_made.append(attempt)
    session.add(delivery)
    session.flush()
    return attempt


def _contract_id(session: Session, dossier: Dossier) -> int:
    found = session.scalar(sa.select(Contract.id).where(Contract.unit_id == dossier.unit_id).limit(1))
    assert found is not None
    return found


def local(day: int, hour: int = 9, month: int = 11, minute: int = 0) -> datetime:
    """A moment in 2026, given in Hà Nội time (UTC+7), as the aware UTC instant stored."""
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def example(session: Session) -> dict[str, Any]:
    """November 2026 at unit A, by hand:

    at acceptance  8,000 cash (fee; the post's own 10,000 is not the unit's)
                   nothing (a free procedure, payment "none")
                   70,000 card (fee 50,000 + charge 20,000)
    on delivery    30,000 cash, 15,000 transfer
    not counted    a fee of 8,000 marked "none" (not collected), a COD at 00:30 on 1 December (local),
                   a failed handover, and unit B's fee and COD
    ---------------------------------------------------------------------------
    4 lines, 123,000: acceptance 78,000 (2), delivery 45,000 (2);
    cash 38,000 (2), card 70,000 (1), transfer 15,000 (1)
    """
    world = factories.intake_setup(session)
    free = factories.procedure(session, competent_level="commune", fee=0, charge=0)
    dear = factories.procedure(session, competent_level="commune", fee=50_000, charge=20_000)
    paid = factories.accepted_dossier(session, world, local(3))
    nothing = factories.accepted_dossier(
        session, world, local(4), procedure_id=free.id, payment_method="none"
    )
    card = factories.accepted_dossier(
        session, world, local(5, 14), procedure_id=dear.id, payment_method="card"
    )
    cod(session, paid, 30_000, "cash", local(12, 10))
    cod(session, nothing, 15_000, "transfer", local(13, 16))
    cod(session, card, 40_000, "cash", local(1, 0, month=12, minute=30))  # December, local time
    refused = factories.accepted_dossier(session, world, local(6), payment_method="none")
    cod(session, refused, 9_000, "cash", local(14), outcome=Outcome.FAILED)

    other = factories.intake_setup(session, unit_commune=OTHER_COMMUNE)
    theirs = factories.accepted_dossier(
        session, other, local(7), applicant=factories.applicant(commune_code=OTHER_COMMUNE)
    )
    cod(session, theirs, 99_000, "cash", local(15))
    people = {
        "officer": factories.user(session, Role.UNIT_OFFICER, organization=world["unit"]),
        "supervisor": factories.user(
            session, Role.AGENCY_SUPERVISOR, organization=session.get(Organization, world["unit"].parent_id)
        ),
        "manager": factories.user(session, Role.POSTAL_MANAGER, organization=world["operator"]),
        "other_officer": factories.user(session, Role.UNIT_OFFICER, organization=other["unit"]),
        "other_manager": factories.user(session, Role.POSTAL_MANAGER, organization=other["operator"]),
        "admin": factories.user(session, Role.SYSTEM_ADMIN),
        "clerk": world["clerk"],
    }
    return {
        "world": world,
        "other": other,
        "dossiers": {"paid": paid, "nothing": nothing, "card": card, "theirs": theirs},
        **people,
    }

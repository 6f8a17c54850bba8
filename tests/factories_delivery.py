"""Factories for result delivery: a world where a result comes back, and results at each step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from postal_hub.core.users.models import Role
from tests.factories import accepted_dossier, manifest_for, pickup_setup, unit_officer, user

# The applicant of tests.factories.applicant(): citizen ID 001090012345, phone 0912345678.
APPLICANT_ID_TAIL = "2345"


def delivery_world(session: Session, **overrides: Any) -> dict[str, Any]:
    """pickup_setup's world (an office in Hà Nội with a pickup schedule, a postman and a manager) plus
    an officer of the unit: everything a result needs to come back to the citizen."""
    world = pickup_setup(session, **overrides)
    world["officer"] = unit_officer(session, world)
    world["second_postman"] = user(
        session, Role.POSTMAN, organization=world["operator"], post_office_id=world["office"].id
    )
    session.flush()
    return world


def received_dossier(session: Session, world: dict[str, Any], now: datetime, **overrides: Any) -> Any:
    """A dossier accepted at the world's office, carried to the unit and confirmed received there."""
    from postal_hub.handoff.receiving import confirm_line

    dossier = accepted_dossier(session, world, now, **overrides)
    manifest = manifest_for(session, world, [dossier], now)
    officer = world["officer"]
    confirm_line(session, officer, officer.username, manifest, manifest.lines[0], True, None, "", now)
    return dossier


def ready_result(
    session: Session,
    world: dict[str, Any],
    now: datetime,
    result_delivery: str = "home",
    amount_due: int = 0,
    **overrides: Any,
) -> tuple[Any, Any]:
    """(dossier, delivery): a received dossier whose result the unit has just marked ready."""
    from postal_hub.delivery.ready import ResultReady, mark_result_ready
    from postal_hub.services import geocoder

    dossier = received_dossier(session, world, now, result_delivery=result_delivery, **overrides)
    officer = world["officer"]
    delivery = mark_result_ready(
        session,
        officer,
        officer.username,
        dossier,
        ResultReady("Giấy phép số 12/GP", None, amount_due),
        now,
        geocoder(),
    )
    return dossier, delivery


def result_manifest(
    session: Session, world: dict[str, Any], dossiers: list[Any], now: datetime, dispatch: bool = True
) -> Any:
    """A manifest of results from the unit to the world's office, prepared (and sent) by the officer."""
    from postal_hub.handoff.services import LineInput, create_manifest
    from postal_hub.handoff.services import dispatch as send
    from postal_hub.handoff.status import Direction

    officer = world["officer"]
    made = create_manifest(
        session,
        officer,
        world["office"],
        world["unit"],
        [LineInput(d.code, f"KQ-SEAL-{d.id:06d}") for d in dossiers],
        now,
        direction=Direction.TO_POST,
    )
    if dispatch:
        send(session, officer, made, now)
    return made


def delivery_at_office(
    session: Session, world: dict[str, Any], now: datetime, result_delivery: str = "home", **overrides: Any
) -> Any:
    """A delivery whose result reached the office: confirmed there by the clerk off a results manifest.
    For home delivery it holds the first free window of the office's schedule from the next day."""
    from postal_hub.handoff.receiving import confirm_line

    dossier, delivery = ready_result(session, world, now, result_delivery, **overrides)
    manifest = result_manifest(session, world, [dossier], now)
    clerk = world["clerk"]
    confirm_line(session, clerk, clerk.username, manifest, manifest.lines[0], True, None, "", now)
    session.refresh(delivery)
    return delivery


def delivered_result(session: Session, world: dict[str, Any], now: datetime, **overrides: Any) -> Any:
    """A delivery handed over to the applicant, its status moved directly (no attempt, no proof): for
    tests about what follows a handover. Home delivery goes through a run with the world's postman;
    collection at the office is handed over at the counter."""
    from postal_hub.delivery.events import set_status
    from postal_hub.delivery.status import DeliveryMethod, DeliveryStatus
    from postal_hub.intake.lifecycle import set_status as set_dossier_status
    from postal_hub.intake.status import DossierStatus

    delivery = delivery_at_office(session, world, now, **overrides)
    dossier, place, postman = delivery.dossier, delivery.office.name, world["postman"]
    if delivery.method == DeliveryMethod.HOME.value:
        set_status(
            session,
            delivery,
            DeliveryStatus.ASSIGNED,
            now,
            world["manager"],
            "assigned",
            postman_id=postman.id,
            route_position=1,
            planned_at=now,
        )
        set_status(session, delivery, DeliveryStatus.OUT, now, postman, "out")
        set_dossier_status(
            session,
            dossier,
            DossierStatus.OUT_FOR_DELIVERY,
            now,
            place,
            postman,
            event_code="out_for_delivery",
        )
    actor = postman if delivery.method == DeliveryMethod.HOME.value else world["clerk"]
    set_status(session, delivery, DeliveryStatus.DELIVERED, now, actor, "delivered", closed_at=now)
    set_dossier_status(session, dossier, DossierStatus.DELIVERED, now, place, actor, event_code="delivered")
    return delivery


def out_for_delivery(session: Session, world: dict[str, Any], now: datetime, **kw: Any) -> Any:
    """A home delivery out with the world's postman (or `postman=`), as starting a run leaves it:
    assigned, then out with a fresh one-time code round, the dossier out for delivery. Pass
    `delivery=` to take out again one that is back at the office; other keywords go to
    delivery_at_office (amount_due=...)."""
    from postal_hub.core.custody.kinds import CustodyKind
    from postal_hub.delivery.events import set_status
    from postal_hub.delivery.status import DeliveryStatus
    from postal_hub.intake.custody import actor_label, record_custody
    from postal_hub.intake.lifecycle import set_status as set_dossier_status
    from postal_hub.intake.status import DossierStatus

    postman = kw.pop("postman", None) or world["postman"]
    delivery = kw.pop("delivery", None) or delivery_at_office(session, world, now, **kw)
    manager = world["manager"]
    set_status(
        session,
        delivery,
        DeliveryStatus.ASSIGNED,
        now,
        manager,
        "assigned",
        postman_id=postman.id,
        route_position=1,
        planned_at=now,
    )
    set_status(
        session, delivery, DeliveryStatus.OUT, now, postman, "out", code_round=(delivery.code_round or 0) + 1
    )
    dossier = delivery.dossier
    set_dossier_status(
        session,
        dossier,
        DossierStatus.OUT_FOR_DELIVERY,
        now,
        delivery.office.name,
        postman,
        event_code="out_for_delivery",
    )
    record_custody(
        session, dossier, CustodyKind.OUT_FOR_DELIVERY, now, actor_label(postman), delivery.office.name
    )
    return delivery

"""Factories: each builds a valid record through the real services, with unique codes, and lets a
test override just what it is about."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.orgs.services import (
    OrganizationInput,
    PostOfficeInput,
    save_organization,
    save_post_office,
)
from postal_hub.core.places.models import Commune
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.procedures.services import ComponentInput, ProcedureInput, save_procedure
from postal_hub.core.users.models import Role, User
from postal_hub.core.users.services import UserInput, save_user
from tests.conftest import TEST_PASSWORD

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def commune_in(session: Session, province_code: str = "01") -> Commune:
    commune = session.scalar(
        sa.select(Commune).where(Commune.province_code == province_code).order_by(Commune.code)
    )
    assert commune is not None
    return commune


def operator(session: Session, **overrides: Any) -> Organization:
    n = _n()
    values: dict[str, Any] = {
        "kind": OrgKind.POSTAL_OPERATOR.value,
        "code": f"OP{n}",
        "name": f"Bưu chính {n}",
    }
    values.update(overrides)
    return save_organization(session, None, OrganizationInput(**values))


def agency(session: Session, **overrides: Any) -> Organization:
    n = _n()
    values: dict[str, Any] = {
        "kind": OrgKind.AGENCY.value,
        "code": f"000.00.{n % 100:02d}.H{n % 90 + 10:02d}",
        "name": f"UBND {n}",
        "level": "province",
        "province_code": "01",
    }
    values.update(overrides)
    return save_organization(session, None, OrganizationInput(**values))


def unit(session: Session, parent: Organization | None = None, **overrides: Any) -> Organization:
    parent = parent or agency(session)
    n = _n()
    values: dict[str, Any] = {
        "kind": OrgKind.ONE_STOP_UNIT.value,
        "code": f"{n % 1000:03d}.01.01.G{n % 90 + 10:02d}",
        "name": f"Bộ phận Một cửa {n}",
        "level": parent.level or "province",
        "parent_id": parent.id,
    }
    values.update(overrides)
    return save_organization(session, None, OrganizationInput(**values))


def post_office(session: Session, operator_org: Organization | None = None, **overrides: Any) -> PostOffice:
    operator_org = operator_org or operator(session)
    province_code = overrides.pop("province_code", "01")
    commune = commune_in(session, province_code)
    n = _n()
    values: dict[str, Any] = {
        "code": f"T{n:05d}",
        "name": f"Bưu cục thử {n}",
        "postcode": "10000",
        "address": f"{n} Phố Huế, {commune.name}",
        "province_code": province_code,
        "commune_code": commune.code,
        "opening_hours": "Mo-Fr 07:30-17:00",
    }
    values.update(overrides)
    return save_post_office(session, None, operator_org, PostOfficeInput(**values))


def procedure(session: Session, **overrides: Any) -> Procedure:
    """A procedure in the default test group, so staff certified by factories_training.certify may take it."""
    from tests.factories_training import DEFAULT_GROUP, procedure_group

    n = _n()
    values: dict[str, Any] = {
        "group_id": procedure_group(session, DEFAULT_GROUP, "Nhóm thủ tục thử").id,
        "code": f"9.{n:06d}",
        "name": f"Thủ tục thử {n}",
        "competent_level": "commune",
        "processing_days": 3,
        "fee": 0,
        "charge": 0,
        "components": [
            ComponentInput("TP1", "Tờ khai", True, 1),
            ComponentInput("TP2", "Bản sao CCCD", False, 1),
        ],
    }
    values.update(overrides)
    return save_procedure(session, None, ProcedureInput(**values))


def user(
    session: Session,
    role: Role = Role.POSTAL_CLERK,
    organization: Organization | None = None,
    **overrides: Any,
) -> User:
    if organization is None and role not in (Role.CITIZEN, Role.SYSTEM_ADMIN):
        if role == Role.UNIT_OFFICER:
            organization = unit(session)
        elif role == Role.AGENCY_SUPERVISOR:
            organization = agency(session)
        else:
            organization = operator(session)
    n = _n()
    values: dict[str, Any] = {
        "username": f"user{n}",
        "full_name": f"Người dùng {n}",
        "role": role.value,
        "organization_id": organization.id if organization else None,
        "password": TEST_PASSWORD,
    }
    values.update(overrides)
    return save_user(session, None, UserInput(**values), password_method="pbkdf2:sha256:1000")


def contract(
    session: Session,
    unit_org: Organization | None = None,
    operator_org: Organization | None = None,
    activate: bool = True,
    now: Any = None,
    **overrides: Any,
) -> Any:
    """An active contract (assessed, then activated) unless activate=False; scope overridable."""
    from datetime import date

    from postal_hub.contracts import services
    from postal_hub.contracts.inputs import ContractInput, ScopeInput, TermInput
    from postal_hub.contracts.status import TaskType

    unit_org = unit_org or unit(session)
    operator_org = operator_org or operator(session)
    scope_values: dict[str, Any] = {
        "terms": [TermInput(t.value, 8, 10_000) for t in TaskType],
        "nationwide": True,
        "page_price": 500,
        "penalty_per_breach": 20_000,
    }
    for key in (
        "terms",
        "working_hours",
        "all_procedures",
        "procedure_ids",
        "nationwide",
        "province_codes",
        "page_price",
        "penalty_per_breach",
        "pickup_bands",
        "delivery_attempts",
        "collection_hold_days",
    ):
        if key in overrides:
            scope_values[key] = overrides.pop(key)
    n = _n()
    values: dict[str, Any] = {
        "number": f"HĐ-{n:04d}/2026",
        "unit_id": unit_org.id,
        "operator_id": operator_org.id,
        "procurement_method": "direct_appointment",
        "award_decision": f"QĐ {n}/QĐ-UBND",
        "signed_on": date(2026, 1, 5),
        "valid_from": date(2026, 1, 10),
        "valid_to": date(2027, 12, 31),
        "scope": ScopeInput(**scope_values),
    }
    values.update(overrides)
    when = now or _fixed_now()
    made = services.save_draft(session, None, ContractInput(**values), when)
    if activate:
        assess(session, made, when)
        services.activate(session, None, made, when)
    return made


def assess(session: Session, contract_obj: Any, now: Any) -> Any:
    from datetime import date

    from postal_hub.contracts import services

    return services.record_assessment(
        session,
        None,
        contract_obj,
        date(2026, 1, 6),
        "Quầy tiếp nhận, máy quét",
        5,
        12,
        40,
        20,
        "Đủ năng lực",
        "Nguyễn Văn B",
        now,
    )


def _fixed_now() -> Any:
    from tests.fakes import FixedClock

    return FixedClock().now()


def commune_unit(session: Session, commune_code: str, **overrides: Any) -> Organization:
    """A commune-level one-stop unit in the given commune (and its province)."""
    from postal_hub.core.places.models import Commune

    commune = session.get(Commune, commune_code)
    assert commune is not None
    parent = agency(session, level="commune", province_code=commune.province_code, commune_code=commune.code)
    return unit(
        session,
        parent,
        level="commune",
        province_code=commune.province_code,
        commune_code=commune.code,
        **overrides,
    )


def certify(session: Session, *users: User) -> None:
    from tests.factories_training import certify as certify_default

    certify_default(session, *users)


def intake_setup(
    session: Session, unit_commune: str = "00097", office_province: str = "79", **contract_overrides: Any
) -> dict[str, Any]:
    """A commune-level unit, a procedure it handles, an office (by default in another province) and a
    nationwide contract covering all work: the smallest world where a dossier can be accepted."""
    handling_unit = commune_unit(session, unit_commune)
    proc = procedure(session, competent_level="commune", fee=8_000, charge=0)
    op = operator(session)
    office = post_office(session, op, province_code=office_province)
    made = contract(session, handling_unit, op, **contract_overrides)
    clerk = user(session, Role.POSTAL_CLERK, organization=op, post_office_id=office.id)
    certify(session, clerk)
    return {
        "unit": handling_unit,
        "procedure": proc,
        "operator": op,
        "office": office,
        "contract": made,
        "clerk": clerk,
    }


def applicant(commune_code: str = "00097", province_code: str = "01") -> Any:
    from postal_hub.intake.services import ApplicantInput

    return ApplicantInput(
        name="Nguyễn Văn An",
        citizen_id="001090012345",
        phone="0912345678",
        province_code=province_code,
        commune_code=commune_code,
        street="12 Phúc Xá",
    )


def webhook_endpoint(
    session: Session,
    organization: Organization | None = None,
    url: str = "https://hooks.example.com/postal-hub",
    event_types: tuple[str, ...] = (),
    app_secret: str | None = None,
    **overrides: Any,
) -> Any:
    """A registered endpoint (through the service) and its plaintext secret: (endpoint, secret)."""
    from datetime import UTC, datetime

    from postal_hub.webhooks.services import EndpointInput, register
    from tests.conftest import TEST_CONFIG
    from tests.fakes import FakeResolver

    org = organization or unit(session)
    return register(
        session,
        org,
        EndpointInput(url=url, event_types=event_types, **overrides),
        FakeResolver(),
        allow_loopback=True,
        app_secret=app_secret or str(TEST_CONFIG["SECRET_KEY"]),
        actor_id=None,
        now=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    )


def accepted_dossier(session: Session, world: dict[str, Any], now: Any, **overrides: Any) -> Any:
    """A complete dossier accepted at the world's office by its clerk."""
    from postal_hub.intake.models import Dossier
    from postal_hub.intake.services import AcceptanceInput, accept

    values: dict[str, Any] = {
        "procedure_id": world["procedure"].id,
        "applicant": applicant(),
        "present": {c.code for c in world["procedure"].components},
    }
    values.update(overrides)
    result = accept(session, world["clerk"], world["office"], AcceptanceInput(**values), now)
    assert isinstance(result, Dossier)
    return result


def manifest_for(
    session: Session, world: dict[str, Any], dossiers: list[Any], now: Any, dispatch: bool = True
) -> Any:
    """A manifest from the world's office to its unit with one sealed envelope per dossier."""
    from postal_hub.handoff.services import LineInput, create_manifest
    from postal_hub.handoff.services import dispatch as send

    made = create_manifest(
        session,
        world["clerk"],
        world["office"],
        world["unit"],
        [LineInput(d.code, f"SEAL-{d.id:06d}") for d in dossiers],
        now,
    )
    if dispatch:
        send(session, world["clerk"], made, now)
    return made


def unit_officer(session: Session, world: dict[str, Any]) -> User:
    return user(session, Role.UNIT_OFFICER, organization=world["unit"])


# --- home pickup -----------------------------------------------------------------------------------
# Hà Nội's Phường Hồng Hà (00097) is the applicant's commune in these worlds; the office sits 1-2 km away.
PICKUP_POINT = (21.0285, 105.8542)


def pickup_schedule(session: Session, office: PostOffice, **overrides: Any) -> Any:
    from postal_hub.pickup.models import PickupSchedule

    values: dict[str, Any] = {
        "office_id": office.id,
        "windows": "Mo-Fr 08:00-10:00,10:00-12:00,14:00-16:00; Sa 08:00-10:00",
        "capacity": 4,
        "service_minutes": 10,
        "active": True,
    }
    values.update(overrides)
    schedule = PickupSchedule(**values)
    session.add(schedule)
    session.flush()
    return schedule


def pickup_setup(
    session: Session,
    office_province: str = "01",
    office_point: tuple[float, float] = (21.0400, 105.8500),
    capacity: int = 4,
    **contract_overrides: Any,
) -> dict[str, Any]:
    """intake_setup's world with a located office that picks up (schedule, postman) under the contract."""
    world = intake_setup(session, office_province=office_province, **contract_overrides)
    office = world["office"]
    office.lat, office.lon = office_point
    office.opening_hours = "Mo-Fr 07:30-17:00; Sa 07:30-11:30"
    world["schedule"] = pickup_schedule(session, office, capacity=capacity)
    world["postman"] = user(
        session,
        Role.POSTMAN,
        organization=world["operator"],
        post_office_id=office.id,
        full_name="Trần Bưu Tá",
    )
    world["manager"] = user(
        session, Role.POSTAL_MANAGER, organization=world["operator"], post_office_id=office.id
    )
    certify(session, world["postman"], world["manager"])
    session.flush()
    return world


def booking_input(world: dict[str, Any], slot_start: Any, **overrides: Any) -> Any:
    """A valid booking at PICKUP_POINT (a device point: the office choice does not hang on the gazetteer)."""
    from postal_hub.pickup.booking import BookingInput, Place

    values: dict[str, Any] = {
        "procedure_code": world["procedure"].code,
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
        "citizen_id": "001090012345",
        "place": Place("01", "00097", "12 Phúc Xá", *PICKUP_POINT),
        "slot_start": slot_start,
        "result_delivery": "home",
        "consent": True,
    }
    values.update(overrides)
    return BookingInput(**values)


def next_window(hour: int = 8, days: int = 3) -> Any:
    """A window start `days` after the fixed test clock's day (Friday 20/11/2026), local time."""
    from datetime import datetime, timedelta

    from postal_hub.core.clock import LOCAL_TZ

    return datetime(2026, 11, 20, hour, 0, tzinfo=LOCAL_TZ) + timedelta(days=days)


def booked_pickup(session: Session, world: dict[str, Any], now: Any, **overrides: Any) -> Any:
    from postal_hub.pickup.booking import book
    from postal_hub.services import pickup_settings

    slot = overrides.pop("slot_start", next_window())
    return book(session, pickup_settings(), booking_input(world, slot, **overrides), now)

"""The demo history's world, loaded once: contracts, routes and citizens."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from postal_hub.contracts.coverage import version_in_force
from postal_hub.contracts.models import Contract, ContractTerm, ContractVersion
from postal_hub.contracts.status import ContractStatus
from postal_hub.core import validators
from postal_hub.core.clock import to_local
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.places.data import legacy_province_codes
from postal_hub.core.places.models import Commune
from postal_hub.core.procedures.models import Procedure
from postal_hub.demo.history_data import (
    FAMILY,
    GIVEN,
    MIDDLE,
    MOBILE,
    PROCEDURE_WEIGHTS,
    STREETS,
)
from postal_hub.intake.routing import competent_unit

# --- The demo's world, loaded once --------------------------------------------------------------------

Cover = tuple[Contract, ContractVersion, ContractTerm]


class _Contracts:
    """The active contracts, loaded once, asked the question of contracts.coverage.find_coverage (the
    same rule, in memory: thousands of tasks would otherwise each cost several queries)."""

    def __init__(self, session: Session) -> None:
        self.by_unit: dict[int, list[Contract]] = defaultdict(list)
        query = (
            sa.select(Contract)
            .where(Contract.status == ContractStatus.ACTIVE.value)
            .options(
                selectinload(Contract.versions).selectinload(ContractVersion.terms),
                selectinload(Contract.versions).selectinload(ContractVersion.procedures),
                selectinload(Contract.versions).selectinload(ContractVersion.provinces),
            )
            .order_by(Contract.id)
        )
        for contract in session.scalars(query):
            self.by_unit[contract.unit_id].append(contract)

    def find(
        self, task_type: str, procedure: Procedure, unit: Organization, office: PostOffice, at: datetime
    ) -> Cover | None:
        day = to_local(at).date()
        for unit_id in (unit.id, unit.parent_id):
            for contract in self.by_unit.get(unit_id or 0, []):
                if (
                    contract.operator_id != office.operator_id
                    or not contract.valid_from <= day <= contract.valid_to
                ):
                    continue
                version = version_in_force(contract, at)
                term = version.term(task_type) if version else None
                if version is None or term is None:
                    continue
                if (version.all_procedures or procedure in version.procedures) and (
                    version.nationwide or any(p.code == office.province_code for p in version.provinces)
                ):
                    return contract, version, term
        return None


@dataclass
class _Route:
    procedure: Procedure
    unit: Organization
    communes: list[str]
    offices: list[PostOffice]
    office_weights: list[float]
    weight: float


@dataclass
class _Citizen:
    name: str
    citizen_id: str
    phone: str
    province_code: str
    commune_code: str
    street: str
    last_procedure: int = 0
    # kind_key -> (plan index, component code, when the dossier it came in was completed)
    documents: dict[str, tuple[int, str, datetime]] = field(default_factory=dict)


def _routes(session: Session) -> list[_Route]:
    """Procedure and competent unit pairs, as the routing sends them, with the offices that take them."""
    offices = list(
        session.scalars(sa.select(PostOffice).where(PostOffice.active.is_(True)).order_by(PostOffice.code))
    )
    communes: dict[str, list[str]] = defaultdict(list)
    for code, province in session.execute(
        sa.select(Commune.code, Commune.province_code).where(Commune.active.is_(True)).order_by(Commune.code)
    ):
        communes[province].append(code)
    units = list(
        session.scalars(
            sa.select(Organization)
            .where(Organization.kind == OrgKind.ONE_STOP_UNIT.value, Organization.active.is_(True))
            .order_by(Organization.code)
        )
    )
    procedures = session.scalars(
        sa.select(Procedure)
        .where(Procedure.active.is_(True), Procedure.postal_allowed.is_(True))
        .order_by(Procedure.code)
        .options(selectinload(Procedure.components))
    )
    routes = []
    for procedure in procedures:
        for unit in units:
            if not unit.province_code or not unit.commune_code:
                continue
            if unit.id != (procedure.unit_id or unit.id) or unit.level != procedure.competent_level:
                continue  # not a unit this procedure could be routed to: spare the routing its queries
            places = (
                [unit.commune_code]
                if procedure.competent_level == "commune"
                else communes[unit.province_code]
            )
            try:
                if competent_unit(session, procedure, places[0]).id != unit.id:
                    continue
            except ValidationFailed:
                continue
            weights = [
                (6.0 if o.commune_code == unit.commune_code else 1.0)
                if o.province_code == unit.province_code
                else (0.0 if procedure.onsite_inspection else 0.09)
                for o in offices
            ]
            scale = 2.0 if unit.level == "province" else 1.0
            routes.append(
                _Route(
                    procedure,
                    unit,
                    places,
                    offices,
                    weights,
                    scale * PROCEDURE_WEIGHTS.get(procedure.code, 1.0),
                )
            )
    return routes


def _citizen(rng: random.Random, province: str, commune: str, today: date) -> _Citizen:
    for _ in range(20):
        year = rng.randint(1950, 2006)
        female = rng.random() < 0.52
        sex = (2 if year >= 2000 else 0) + int(female)
        born = province if rng.random() < 0.7 else rng.choice(legacy_province_codes())
        cid = f"0{born}{sex}{year % 100:02d}{rng.randint(0, 999_999):06d}"
        phone = f"{rng.choice(MOBILE)}{rng.randint(0, 9_999_999):07d}"
        try:
            cid, phone = validators.citizen_id(cid, today), validators.mobile_phone(phone)
        except validators.InvalidValue:
            continue
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[female])} {rng.choice(GIVEN[female])}"
        street = f"{rng.randint(1, 250)} {rng.choice(STREETS.get(province, STREETS['01']))}"
        return _Citizen(name, cid, phone, province, commune, street)
    raise RuntimeError("could not make a valid citizen ID and phone")  # pragma: no cover

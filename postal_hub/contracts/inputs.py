"""What a contract form (or the demo data) hands to the services, and how it is checked."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.contracts.bands import normalise_bands
from postal_hub.contracts.status import ProcurementMethod, TaskType
from postal_hub.core import validators
from postal_hub.core.orgs.models import Organization, OrgKind
from postal_hub.core.places.models import Province
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.validation import FieldErrors

MAX_SLA_HOURS = 24 * 365
# Result delivery settings: door attempts before a result goes back, days it waits at an office.
DELIVERY_ATTEMPTS = (1, 10)
COLLECTION_HOLD_DAYS = (1, 90)


@dataclass
class TermInput:
    task_type: str
    sla_hours: int | None
    unit_price: object


@dataclass
class ScopeInput:
    """Everything an amendment may change: scope, procedures, area, SLA and prices."""

    terms: list[TermInput] = dataclasses.field(default_factory=list)
    working_hours: bool = True
    all_procedures: bool = True
    procedure_ids: list[int] = dataclasses.field(default_factory=list)
    nationwide: bool = False
    province_codes: list[str] = dataclasses.field(default_factory=list)
    page_price: object = 0
    penalty_per_breach: object = 0
    pickup_bands: str = ""
    delivery_attempts: object = 3
    collection_hold_days: object = 15


@dataclass
class ContractInput:
    number: str
    unit_id: int | None
    operator_id: int | None
    procurement_method: str
    award_decision: str
    signed_on: date | None
    valid_from: date | None
    valid_to: date | None
    scope: ScopeInput
    notes: str = ""


@dataclass
class CleanScope:
    terms: list[tuple[str, int, int]]
    working_hours: bool
    all_procedures: bool
    procedures: list[Procedure]
    nationwide: bool
    provinces: list[Province]
    page_price: int
    penalty_per_breach: int
    pickup_bands: str = ""
    delivery_attempts: int = 3
    collection_hold_days: int = 15


def _whole_number(errors: FieldErrors, field: str, value: object, bounds: tuple[int, int]) -> int | None:
    low, high = bounds
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if number is None and isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        errors.add(field, _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
        return None
    return number


def clean_scope(session: Session, data: ScopeInput, errors: FieldErrors) -> CleanScope:
    terms: list[tuple[str, int, int]] = []
    known = {t.value for t in TaskType}
    for term in data.terms:
        if term.task_type not in known:
            errors.add("terms", _l("Unknown task type."))
            continue
        field = f"terms-{term.task_type}"
        if term.sla_hours is None or not 0 < term.sla_hours <= MAX_SLA_HOURS:
            errors.add(field + "-sla_hours", _l("The SLA is a whole number of hours above 0."))
        price = errors.check(field + "-unit_price", validators.non_negative_vnd, term.unit_price)
        if term.sla_hours and price is not None:
            terms.append((term.task_type, term.sla_hours, price))
    if not data.terms:
        errors.add("terms", _l("Choose at least one kind of work the post takes over."))
    procedures: list[Procedure] = []
    if not data.all_procedures:
        procedures = list(session.scalars(sa.select(Procedure).where(Procedure.id.in_(data.procedure_ids))))
        if not procedures:
            errors.add(
                "procedure_ids", _l("Choose the procedures covered, or cover all of the unit's procedures.")
            )
    provinces: list[Province] = []
    if not data.nationwide:
        provinces = list(session.scalars(sa.select(Province).where(Province.code.in_(data.province_codes))))
        if not provinces:
            errors.add("province_codes", _l("Choose the provinces served, or the whole country."))
    page_price = errors.check("page_price", validators.non_negative_vnd, data.page_price)
    penalty = errors.check("penalty_per_breach", validators.non_negative_vnd, data.penalty_per_breach)
    bands = errors.check("pickup_bands", normalise_bands, data.pickup_bands) or ""
    if bands and not any(t[0] == TaskType.HOME_PICKUP for t in terms):
        errors.add("pickup_bands", _l("Distance bands apply to home pickup; include home pickup first."))
    attempts = _whole_number(errors, "delivery_attempts", data.delivery_attempts, DELIVERY_ATTEMPTS)
    hold_days = _whole_number(errors, "collection_hold_days", data.collection_hold_days, COLLECTION_HOLD_DAYS)
    return CleanScope(
        terms,
        data.working_hours,
        data.all_procedures,
        procedures,
        data.nationwide,
        provinces,
        page_price or 0,
        penalty or 0,
        bands,
        attempts or DELIVERY_ATTEMPTS[0],
        hold_days or COLLECTION_HOLD_DAYS[0],
    )


def clean_header(
    session: Session, data: ContractInput, errors: FieldErrors, current_id: int | None
) -> dict[str, object]:
    from postal_hub.contracts.models import Contract

    number = errors.require("number", data.number, 40)
    unit = session.get(Organization, data.unit_id) if data.unit_id else None
    if unit is None or unit.kind not in (OrgKind.ONE_STOP_UNIT, OrgKind.AGENCY):
        errors.add("unit_id", _l("Choose the one-stop unit or agency that outsources the work."))
    operator = session.get(Organization, data.operator_id) if data.operator_id else None
    if operator is None or operator.kind != OrgKind.POSTAL_OPERATOR:
        errors.add("operator_id", _l("Choose the postal operator."))
    if data.procurement_method not in {m.value for m in ProcurementMethod}:
        errors.add("procurement_method", _l("Choose how the contractor was selected."))
    award = errors.require("award_decision", data.award_decision, 120)
    for name in ("signed_on", "valid_from", "valid_to"):
        if getattr(data, name) is None:
            errors.add(name, _l("Enter a date (dd/mm/yyyy)."))
        else:
            setattr(data, name, errors.sane_date(name, getattr(data, name)))
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        errors.add("valid_to", _l("The contract must end after it starts."))
    if number and "number" not in errors.errors:
        clash = session.scalar(sa.select(Contract.id).where(Contract.number == number))
        if clash is not None and clash != current_id:
            errors.add("number", _l("Another contract already has this number."))
    return {
        "number": number,
        "unit_id": data.unit_id,
        "operator_id": data.operator_id,
        "procurement_method": data.procurement_method,
        "award_decision": award,
        "signed_on": data.signed_on,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "notes": (data.notes or "").strip()[:5000],
    }

"""Creating and changing procedures and their components."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit, validators
from postal_hub.core.orgs.models import GovLevel, Organization, OrgKind
from postal_hub.core.permissions import require_admin
from postal_hub.core.procedures.models import Procedure, ProcedureComponent, ProcedureGroup
from postal_hub.core.text import fold
from postal_hub.core.users.models import User
from postal_hub.core.validation import FieldErrors

_COMPONENT_CODE = re.compile(r"^[A-Za-z0-9._-]{1,16}$")
MAX_PROCESSING_DAYS = 365


@dataclass
class ComponentInput:
    code: str
    name: str
    original: bool
    count: int


@dataclass
class ProcedureInput:
    code: str
    name: str
    competent_level: str
    processing_days: int | None
    fee: object = 0
    charge: object = 0
    field: str = ""
    unit_id: int | None = None
    group_id: int | None = None
    postal_allowed: bool = True
    onsite_inspection: bool = False
    components: list[ComponentInput] = dataclasses.field(default_factory=list)


def clean_procedure(
    session: Session, data: ProcedureInput, current_id: int | None, errors: FieldErrors | None = None
) -> dict[str, object]:
    errors = errors or FieldErrors()
    code = errors.check("code", validators.procedure_code, data.code)
    name = errors.require("name", data.name, 500)
    field_name = errors.optional_text("field", data.field, 120)
    if data.competent_level not in {lv.value for lv in GovLevel}:
        errors.add("competent_level", _l("Choose the competent level: ministry, province or commune."))
    if data.unit_id is not None:
        unit = session.get(Organization, data.unit_id)
        if unit is None or unit.kind != OrgKind.ONE_STOP_UNIT:
            errors.add("unit_id", _l("The competent unit must be a one-stop unit."))
    if data.group_id is not None:
        group = session.get(ProcedureGroup, data.group_id)
        # A group deactivated later stays on its procedures; only a change *to* an inactive one is refused.
        kept = current_id is not None and data.group_id == session.scalar(
            sa.select(Procedure.group_id).where(Procedure.id == current_id)
        )
        if group is None or not (group.active or kept):
            errors.add("group_id", _l("Choose an active procedure group."))
    fee = errors.check("fee", validators.non_negative_vnd, data.fee)
    charge = errors.check("charge", validators.non_negative_vnd, data.charge)
    days = data.processing_days
    if days is None or not 1 <= days <= MAX_PROCESSING_DAYS:
        errors.add("processing_days", _l("Processing time is 1 to 365 days."))
    if not data.components:
        errors.add("components", _l("A procedure needs at least one dossier component."))
    seen: set[str] = set()
    for i, comp in enumerate(data.components):
        prefix = f"components-{i}-"
        comp_code = (comp.code or "").strip().upper()
        if not _COMPONENT_CODE.match(comp_code):
            errors.add(prefix + "code", _l("Give each component a short code such as TP1."))
        elif comp_code in seen:
            errors.add(prefix + "code", _l("Two components share the code %(code)s.", code=comp_code))
        seen.add(comp_code)
        errors.require(prefix + "name", comp.name, 500)
        if not 1 <= comp.count <= 99:
            errors.add(prefix + "count", _l("The number of copies is 1 to 99."))
    if code and "code" not in errors.errors:
        clash = session.scalar(sa.select(Procedure.id).where(Procedure.code == code))
        if clash is not None and clash != current_id:
            errors.add("code", _l("Another procedure already uses this code."))
    errors.raise_if_any()
    return {
        "code": code,
        "name": name,
        "search_key": fold(f"{code} {name}"),
        "field": field_name,
        "competent_level": data.competent_level,
        "unit_id": data.unit_id,
        "group_id": data.group_id,
        "fee": fee,
        "charge": charge,
        "processing_days": days,
        "postal_allowed": bool(data.postal_allowed),
        "onsite_inspection": bool(data.onsite_inspection),
        "components": [
            {
                "code": c.code.strip().upper(),
                "name": " ".join(c.name.split()),
                "original": bool(c.original),
                "count": c.count,
            }
            for c in data.components
        ],
    }


def apply_procedure(session: Session, values: dict[str, object], procedure: Procedure | None) -> Procedure:
    components = cast(list[dict[str, Any]], values.pop("components"))
    if procedure is None:
        procedure = Procedure(active=True)
        session.add(procedure)
    for key, value in values.items():
        setattr(procedure, key, value)
    existing = {c.code: c for c in procedure.components}
    kept: list[ProcedureComponent] = []
    for position, comp in enumerate(components, start=1):
        component = existing.get(comp["code"]) or ProcedureComponent(code=comp["code"])
        component.position = position
        component.name = comp["name"]
        component.original = comp["original"]
        component.count = comp["count"]
        kept.append(component)
    procedure.components = kept
    session.flush()
    return procedure


def save_procedure(
    session: Session, actor: User | None, data: ProcedureInput, procedure: Procedure | None = None
) -> Procedure:
    if actor is not None:
        require_admin(actor)
    values = clean_procedure(session, data, procedure.id if procedure else None)
    details = {k: v for k, v in values.items() if k != "search_key"}
    procedure = apply_procedure(session, values, procedure)
    audit.record(session, actor.id if actor else None, "procedure.saved", "procedure", procedure.id, details)
    return procedure


def set_procedure_active(session: Session, actor: User, procedure: Procedure, active: bool) -> None:
    require_admin(actor)
    procedure.active = active
    audit.record(
        session,
        actor.id,
        "procedure.activated" if active else "procedure.deactivated",
        "procedure",
        procedure.id,
    )
    session.flush()

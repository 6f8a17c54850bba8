"""The demo history's bulk rows: numbering and writing the planned dossiers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.contracts.task_models import Task
from postal_hub.contracts.tasks import DEFAULT_WARN_FRACTION
from postal_hub.core.clock import to_local
from postal_hub.core.codes import make_dossier_code, make_s10
from postal_hub.core.counters import CodeCounter
from postal_hub.core.files import FileStore
from postal_hub.core.text import fold
from postal_hub.core.working_calendar import WorkingCalendar, due_at
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.demo.dossiers import DEMO_SCAN
from postal_hub.demo.history_data import (
    AT_UNIT,
)
from postal_hub.demo.history_journeys import (
    TaskSpec,
)
from postal_hub.demo.history_planner import (
    _Plan,
)
from postal_hub.demo.history_world import (
    Cover,
)
from postal_hub.intake.models import Dossier, DossierComponent, DossierEvent, DossierFile
from postal_hub.intake.services import HOURS_PER_WORKING_DAY, ITEM_SERVICE, acceptance_task
from postal_hub.intake.status import ResultDelivery

# --- Writing it ----------------------------------------------------------------------------------------


def _number(session: Session, plans: list[_Plan]) -> None:
    """Codes from the counters acceptance uses, so later dossiers continue the sequences; a code some
    demo task already names (the contracts' sample tasks) is skipped."""
    taken = set(session.scalars(sa.select(Dossier.code)))
    taken |= set(session.scalars(sa.select(Task.dossier_code).where(Task.dossier_code.is_not(None))))
    counters = {c.name: c for c in session.scalars(sa.select(CodeCounter))}

    def counter(name: str) -> CodeCounter:
        if name not in counters:
            counters[name] = CodeCounter(name=name, value=0)
            session.add(counters[name])
        return counters[name]

    for plan in plans:
        day = to_local(plan.accepted_at).date()
        daily = counter(f"dossier:{plan.route.unit.code}:{day:%y%m%d}")
        while True:
            daily.value += 1
            plan.code = make_dossier_code(plan.route.unit.code, day, daily.value)
            if plan.code not in taken:
                break
        taken.add(plan.code)
        serials = counter(f"s10:{ITEM_SERVICE}")
        serials.value += 1
        plan.item_number = make_s10(ITEM_SERVICE, serials.value)
    session.flush()


def _dossier_row(plan: _Plan) -> dict[str, Any]:
    procedure, citizen, journey = plan.route.procedure, plan.citizen, plan.journey
    appointment = WorkingCalendar().add_working_hours(
        plan.accepted_at, procedure.processing_days * HOURS_PER_WORKING_DAY
    )
    return {
        "code": plan.code,
        "item_number": plan.item_number,
        "status": journey.status,
        "channel": plan.channel.value,
        "procedure_id": procedure.id,
        "unit_id": plan.route.unit.id,
        "operator_id": plan.office.operator_id,
        "office_id": plan.office.id,
        "applicant_name": citizen.name,
        "applicant_citizen_id": citizen.citizen_id,
        "applicant_phone": citizen.phone,
        "applicant_province_code": citizen.province_code,
        "applicant_commune_code": citizen.commune_code,
        "applicant_street": citizen.street,
        "search_key": fold(f"{citizen.name} {citizen.phone}")[:255],
        "result_delivery": plan.method,
        "payment_method": plan.payment,
        "fee": procedure.fee,
        "charge": procedure.charge,
        "postal_price": plan.postal_price,
        "accepted_at": plan.accepted_at,
        "appointment_at": appointment,
        "digitized_at": journey.digitized_at,
        "counter_queued_at": plan.queued_at,
        "counter_started_at": plan.started_at,
        "updated_at": journey.events[-1][1],
    }


def _task_row(
    plan: _Plan, spec: TaskSpec[datetime], cover: Cover, now: datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    contract, version, term = cover
    due = due_at(spec.created_at, term.sla_hours, version.working_hours, calendar)
    warn = due_at(spec.created_at, term.sla_hours * DEFAULT_WARN_FRACTION, version.working_hours, calendar)
    until = spec.completed_at or now
    done = spec.status == TaskStatus.DONE.value
    outcomes = {TaskStatus.DONE.value: "Hoàn thành", TaskStatus.CANCELLED.value: "Không thực hiện"}
    pages = (
        sum(scan[1] for scan in plan.scans) if spec.task_type == TaskType.DIGITIZATION.value and done else 0
    )
    return {
        "contract_id": contract.id,
        "version_id": version.id,
        "task_type": spec.task_type,
        "status": spec.status,
        "dossier_code": plan.code,
        "procedure_id": plan.route.procedure.id,
        "unit_id": plan.route.unit.id,
        "operator_id": plan.office.operator_id,
        "post_office_id": plan.office.id,
        "created_at": spec.created_at,
        "warn_at": warn,
        "due_at": due,
        "started_at": spec.started_at,
        "completed_at": spec.completed_at,
        "outcome": outcomes.get(spec.status, ""),
        "sla_met": (spec.completed_at is not None and spec.completed_at <= due) if done else None,
        "unit_price": plan.postal_price
        if spec.task_type == acceptance_task(plan.channel).value
        else term.unit_price,
        "page_price": version.page_price,
        "penalty": version.penalty_per_breach,
        "pages": pages,
        # The escalation job told the managers at the time; it must not tell them again now.
        "near_due_notified_at": warn if warn < until else None,
        "overdue_notified_at": due + timedelta(minutes=5) if due + timedelta(minutes=5) < until else None,
    }


def _write(session: Session, plans: list[_Plan], now: datetime, store: FileStore | None) -> None:
    calendar = WorkingCalendar()
    ids = list(
        session.execute(
            sa.insert(Dossier).returning(Dossier.id, sort_by_parameter_order=True),
            [_dossier_row(p) for p in plans],
        ).scalars()
    )
    digest = store.put(DEMO_SCAN) if store is not None else hashlib.sha256(DEMO_SCAN).hexdigest()
    scans = [(i, *scan) for i, p in enumerate(plans) for scan in p.scans]
    file_rows = [
        {
            "dossier_id": ids[i],
            "component_code": code,
            "filename": f"{code}.pdf",
            "content_type": "application/pdf",
            "size": len(DEMO_SCAN),
            "pages": pages,
            "sha256": digest,
            "uploaded_at": uploaded,
        }
        for i, code, pages, uploaded in scans
    ]
    inserted = sa.insert(DossierFile).returning(DossierFile.id, sort_by_parameter_order=True)
    file_ids = list(session.execute(inserted, file_rows).scalars()) if file_rows else []
    file_of = {(scan[0], scan[1]): file_id for scan, file_id in zip(scans, file_ids, strict=True)}
    components, events, tasks, ratings = [], [], [], []
    for i, plan in enumerate(plans):
        unit, office = plan.route.unit.name, plan.office.name
        for c in plan.route.procedure.components:
            source = plan.reused.get(c.code)
            components.append(
                {
                    "dossier_id": ids[i],
                    "position": c.position,
                    "code": c.code,
                    "name": c.name,
                    "kind_key": fold(c.name),
                    "original": c.original,
                    "count": c.count,
                    "reused_file_id": file_of[source] if source else None,
                    "reuse_consent_at": plan.accepted_at if source else None,
                }
            )
        for code, moment in plan.journey.events:
            at_unit = code in AT_UNIT or (code == "delivered" and plan.method == ResultDelivery.COUNTER.value)
            note = {
                "rejected": "Thiếu giấy tờ: văn bản ủy quyền",
                "resubmitted": "Công dân đã bổ sung giấy tờ",
            }
            place = (unit if at_unit else office)[:255]
            events.append(
                {"dossier_id": ids[i], "code": code, "at": moment, "place": place, "note": note.get(code, "")}
            )
        tasks += [_task_row(plan, spec, cover, now, calendar) for spec, cover in plan.tasks]
        ratings += [{"dossier_id": ids[i], **r} for r in plan.ratings]
    for model, rows in ((DossierComponent, components), (DossierEvent, events), (Task, tasks)):
        session.execute(sa.insert(model), rows)
    if ratings:
        session.execute(sa.insert(SatisfactionRating), ratings)

"""Accepting a dossier at the counter: check it, route it, number it, price it, and start its tasks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from postal_hub.contracts.coverage import find_coverage, require_coverage
from postal_hub.contracts.status import TaskType
from postal_hub.contracts.tasks import complete_task, create_task
from postal_hub.core import audit, validators
from postal_hub.core.clock import to_local
from postal_hub.core.codes import make_dossier_code, make_s10
from postal_hub.core.counters import next_value
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.errors import Conflict, PermissionDenied
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.orgs.services import check_place
from postal_hub.core.procedures.models import Procedure, ProcedureComponent
from postal_hub.core.text import fold
from postal_hub.core.users.models import Role, User
from postal_hub.core.validation import FieldErrors
from postal_hub.core.working_calendar import WorkingCalendar
from postal_hub.intake.custody import actor_label, record_custody
from postal_hub.intake.lifecycle import record_event
from postal_hub.intake.models import Dossier, DossierComponent
from postal_hub.intake.routing import competent_unit
from postal_hub.intake.status import Channel, DossierStatus, PaymentMethod, ResultDelivery
from postal_hub.training import gate
from postal_hub.training.gate import GateAction

ITEM_SERVICE = "RR"  # registered item: the sealed envelope is signed for at every hand-off
HOURS_PER_WORKING_DAY = 8
MAX_DAILY_SEQUENCE = 9999
# A queue ticket older than this is a typing slip (or yesterday's ticket): no counter day lasts longer.
MAX_QUEUE_WAIT = timedelta(hours=12)


@dataclass
class ApplicantInput:
    name: str
    citizen_id: str
    phone: str
    province_code: str
    commune_code: str
    street: str


@dataclass
class AcceptanceInput:
    procedure_id: int | None
    applicant: ApplicantInput
    present: set[str] = dataclasses.field(default_factory=set)
    subject_commune_code: str | None = None
    result_delivery: str = ResultDelivery.HOME.value
    payment_method: str = PaymentMethod.CASH.value
    submission_token: str | None = None
    channel: Channel = Channel.COUNTER
    # A home pickup's price was quoted at booking (distance band included); the counter's is the term's.
    postal_price: int | None = None
    # Counter only (ignored for other channels): when the clerk started serving the citizen, and when
    # the citizen took a queue ticket. Either may be unknown (None).
    counter_started_at: datetime | None = None
    counter_queued_at: datetime | None = None
    # A home pickup: the end of the window the citizen booked. The pickup is on time when the postman
    # took the dossier by then, whatever the contract's hours from the moment of acceptance say.
    promised_by: datetime | None = None


@dataclass(frozen=True)
class Incomplete:
    """Not accepted: the citizen takes home the list of what is missing."""

    procedure: Procedure
    missing: list[ProcedureComponent]


def clean_applicant(
    session: Session, data: ApplicantInput, now: datetime, errors: FieldErrors
) -> dict[str, str]:
    name = errors.require("applicant_name", data.name)
    citizen_id = errors.check("citizen_id", validators.citizen_id, data.citizen_id, to_local(now).date())
    phone = errors.check("phone", validators.mobile_phone, data.phone)
    if not data.province_code:
        errors.add("province_code", _l("Choose the province."))
    if not data.commune_code:
        errors.add("commune_code", _l("Choose the commune."))
    check_place(session, errors, data.province_code or None, data.commune_code or None)
    street = errors.require("street", data.street)
    return {
        "applicant_name": name,
        "applicant_citizen_id": citizen_id or "",
        "applicant_phone": phone or "",
        "applicant_province_code": data.province_code,
        "applicant_commune_code": data.commune_code,
        "applicant_street": street,
    }


def _counter_times(data: AcceptanceInput, now: datetime, errors: FieldErrors) -> AcceptanceInput:
    """Waiting and handling times are kept for the counter only. The ticket time is copied by hand, so
    it is checked: not later than now, nor than the start of service, nor more than 12 hours ago."""
    if data.channel != Channel.COUNTER:
        return dataclasses.replace(data, counter_queued_at=None, counter_started_at=None)
    queued, started = data.counter_queued_at, data.counter_started_at
    if started is not None and started > now:
        started = None  # a clock gone wrong: a negative handling time would only skew the dashboards
    if queued is not None:
        if queued > now:
            errors.add("counter_queued_at", _l("The queue ticket time is later than now."))
        elif now - queued > MAX_QUEUE_WAIT:
            errors.add("counter_queued_at", _l("The queue ticket time is more than 12 hours ago."))
        elif started is not None and queued > started:
            errors.add("counter_queued_at", _l("The queue ticket time is after service started."))
    return dataclasses.replace(data, counter_queued_at=queued, counter_started_at=started)


def acceptance_task(channel: Channel) -> TaskType:
    """A dossier taken at the citizen's door is billed as a home pickup, else as counter acceptance."""
    return TaskType.HOME_PICKUP if channel == Channel.PICKUP else TaskType.COUNTER_ACCEPTANCE


def accepting_office(session: Session, actor: User) -> PostOffice:
    if not actor.has_role(Role.POSTAL_CLERK, Role.POSTAL_MANAGER) or actor.post_office_id is None:
        raise PermissionDenied(str(_l("Only a postal clerk attached to a post office accepts dossiers.")))
    office = session.get(PostOffice, actor.post_office_id)
    if office is None or not office.active:
        raise PermissionDenied(str(_l("Your post office is not active.")))
    return office


def accept(
    session: Session, actor: User | None, office: PostOffice, data: AcceptanceInput, now: datetime
) -> Dossier | Incomplete:
    """A complete dossier is accepted and numbered; an incomplete one is not, and nothing is written."""
    if data.submission_token:
        earlier = session.scalar(sa.select(Dossier).where(Dossier.submission_token == data.submission_token))
        if earlier is not None:
            return earlier  # the same form sent twice: one dossier, not two
    errors = FieldErrors()
    procedure = session.get(Procedure, data.procedure_id) if data.procedure_id else None
    if procedure is None or not procedure.active:
        errors.add("procedure_id", _l("Choose a procedure from the catalogue."))
    elif not procedure.postal_allowed:
        errors.add("procedure_id", _l("This procedure cannot be handed in through the post."))
    values = clean_applicant(session, data.applicant, now, errors)
    if data.result_delivery not in {r.value for r in ResultDelivery}:
        errors.add("result_delivery", _l("Choose how the result is returned."))
    if data.payment_method not in {p.value for p in PaymentMethod}:
        errors.add("payment_method", _l("Choose how the fees are paid."))
    data = _counter_times(data, now, errors)
    errors.raise_if_any()
    assert procedure is not None
    # The clerk (or the postman at the door) must be certified for the procedure's group today.
    action = GateAction.PICKUP if data.channel == Channel.PICKUP else GateAction.COUNTER
    let_through = gate.require(session, actor, procedure, action, now)
    # Where it goes and whether the post may take it come first: a list of documents to bring is no
    # help for a dossier that could never be accepted here.
    place = data.subject_commune_code or data.applicant.commune_code
    unit = competent_unit(session, procedure, place, office)
    acceptance = require_coverage(session, acceptance_task(data.channel), procedure, unit, office, now)
    missing = [c for c in procedure.components if c.code not in data.present]
    if missing:
        return Incomplete(procedure, missing)
    try:
        with session.begin_nested():
            price = acceptance.term.unit_price if data.postal_price is None else data.postal_price
            dossier = _number_and_record(session, actor, office, data, procedure, unit, price, values, now)
            if let_through and actor is not None:
                # Logged only for a dossier really accepted (an incomplete one is not), under its code.
                gate.log_override(session, actor, procedure, action, let_through, dossier.code, now)
            return dossier
    except IntegrityError:
        # Two clicks on "Accept": the other request committed the same form first; show its dossier.
        earlier = session.scalar(sa.select(Dossier).where(Dossier.submission_token == data.submission_token))
        if data.submission_token and earlier is not None:
            return earlier
        raise


def _number_and_record(
    session: Session,
    actor: User | None,
    office: PostOffice,
    data: AcceptanceInput,
    procedure: Procedure,
    unit: Organization,
    postal_price: int,
    values: dict[str, str],
    now: datetime,
) -> Dossier:
    day = to_local(now).date()
    sequence = next_value(session, f"dossier:{unit.code}:{day:%y%m%d}")
    if sequence > MAX_DAILY_SEQUENCE:
        raise Conflict(
            str(
                _l(
                    "%(unit)s has reached 9999 dossiers today; the national code has no more numbers.",
                    unit=unit.name,
                )
            )
        )
    dossier = Dossier(
        code=make_dossier_code(unit.code, day, sequence),
        item_number=make_s10(ITEM_SERVICE, next_value(session, f"s10:{ITEM_SERVICE}")),
        submission_token=data.submission_token,
        status=DossierStatus.ACCEPTED.value,
        channel=data.channel.value,
        procedure_id=procedure.id,
        unit_id=unit.id,
        operator_id=office.operator_id,
        office_id=office.id,
        subject_commune_code=data.subject_commune_code or None,
        search_key=fold(f"{values['applicant_name']} {values['applicant_phone']}")[:255],
        result_delivery=data.result_delivery,
        payment_method=data.payment_method,
        fee=procedure.fee,
        charge=procedure.charge,
        postal_price=postal_price,
        accepted_at=now,
        accepted_by_id=actor.id if actor else None,
        counter_queued_at=data.counter_queued_at,
        counter_started_at=data.counter_started_at,
        appointment_at=WorkingCalendar().add_working_hours(
            now, procedure.processing_days * HOURS_PER_WORKING_DAY
        ),
        **values,
    )
    dossier.components = [
        DossierComponent(
            position=c.position,
            code=c.code,
            name=c.name,
            kind_key=fold(c.name),
            original=c.original,
            count=c.count,
        )
        for c in procedure.components
    ]
    session.add(dossier)
    session.flush()
    record_event(session, dossier, "accepted", now, office.name, actor)
    record_custody(
        session,
        dossier,
        CustodyKind.PICKED_UP if data.channel == Channel.PICKUP else CustodyKind.ACCEPTED_AT_COUNTER,
        now,
        actor_label(actor, f"api:{office.code}"),
        office.name,
        details={"channel": data.channel.value},
    )
    done = create_task(
        session,
        acceptance_task(data.channel),
        unit,
        office,
        now,
        procedure,
        dossier.code,
        actor=actor,
        unit_price=postal_price,
    )
    if data.channel == Channel.PICKUP and data.promised_by is not None:
        done.due_at = done.warn_at = data.promised_by
    complete_task(session, done, now, outcome=str(_l("Accepted")), actor=actor)
    for later in (TaskType.DIGITIZATION, TaskType.CARRIAGE):
        if find_coverage(session, later, procedure, unit, office, now) is not None:
            create_task(session, later, unit, office, now, procedure, dossier.code, actor=actor)
    audit.record(
        session,
        actor.id if actor else None,
        "dossier.accepted",
        "dossier",
        dossier.code,
        {"office": office.code, "unit": unit.code},
        at=now,
    )
    return dossier

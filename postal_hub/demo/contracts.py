"""Demo contracts: one nationwide with an amendment, one for two provinces, one expired, one draft;
with a few weeks of tasks, so task lists, escalations and statements have something real to show."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts import services, statements
from postal_hub.contracts.inputs import ContractInput, ScopeInput, TermInput
from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import TaskType
from postal_hub.contracts.tasks import complete_task, create_task, escalate, start_task
from postal_hub.core.clock import to_local
from postal_hub.core.notifications import InboxNotifier
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure

ALL = list(TaskType)
PRICES = {
    TaskType.GUIDANCE: (4, 5_000),
    TaskType.COUNTER_ACCEPTANCE: (4, 15_000),
    TaskType.HOME_PICKUP: (8, 30_000),
    TaskType.DIGITIZATION: (16, 2_000),
    TaskType.CARRIAGE: (24, 12_000),
    TaskType.RESULT_COLLECTION: (16, 10_000),
    TaskType.RESULT_DELIVERY: (16, 28_000),
}


def _terms(types: list[TaskType], raise_by: int = 0) -> list[TermInput]:
    return [TermInput(t.value, PRICES[t][0], PRICES[t][1] + raise_by) for t in types]


def _org(session: Session, code: str) -> Organization:
    org = session.scalar(sa.select(Organization).where(Organization.code == code))
    assert org is not None, code
    return org


def _contract(
    session: Session,
    number: str,
    unit: str,
    method: str,
    award: str,
    start: date,
    end: date,
    scope: ScopeInput,
    now: datetime,
    notes: str = "",
) -> Contract:
    return services.save_draft(
        session,
        None,
        ContractInput(
            number=number,
            unit_id=_org(session, unit).id,
            operator_id=_org(session, "VNPOST").id,
            procurement_method=method,
            award_decision=award,
            signed_on=start - timedelta(days=10),
            valid_from=start,
            valid_to=end,
            scope=scope,
            notes=notes,
        ),
        now,
    )


def _assess(
    session: Session, contract: Contract, on: date, now: datetime, offices: int, trained: int
) -> None:
    services.record_assessment(
        session,
        None,
        contract,
        on,
        "Quầy tiếp nhận điện tử, 2 máy quét A3, kết nối Hệ thống thông tin giải quyết thủ tục hành chính",
        12,
        offices,
        offices * 4,
        trained,
        "Doanh nghiệp bưu chính đủ năng lực tiếp nhận, số hóa và trả kết quả trong phạm vi hợp đồng.",
        "Phó Chánh Văn phòng UBND",
        now,
    )


def seed_contracts(session: Session, now: datetime) -> None:
    if session.scalar(sa.select(Contract.id).where(Contract.number == "01/2025/HĐ-TTPVHCC-BĐVN")) is not None:
        return
    today = to_local(now).date()
    this_year, start_last_year = date(today.year, 1, 1), date(today.year - 1, 1, 1)
    hanoi_procedures = [
        p.id
        for p in session.scalars(
            sa.select(Procedure).where(Procedure.competent_level == "commune").order_by(Procedure.code)
        )
    ]

    nationwide = _contract(
        session,
        "01/2025/HĐ-TTPVHCC-BĐVN",
        "000.00.01.H26",
        "direct_appointment",
        "Quyết định số 35/QĐ-UBND về việc giao Bưu điện Việt Nam cung ứng dịch vụ bưu chính công ích",
        start_last_year,
        date(today.year + 1, 12, 31),
        ScopeInput(terms=_terms(ALL), nationwide=True, page_price=500, penalty_per_breach=20_000),
        now,
        "Tiếp nhận, số hóa và trả kết quả không phụ thuộc địa giới hành chính.",
    )
    _assess(session, nationwide, start_last_year - timedelta(days=20), now, 23, 41)
    services.activate(session, None, nationwide, services.start_of_day(start_last_year))
    services.amend(
        session,
        None,
        nationwide,
        "PL-01/" + str(today.year),
        this_year,
        ScopeInput(
            terms=_terms(ALL, raise_by=2_000),
            nationwide=True,
            page_price=600,
            penalty_per_breach=25_000,
            pickup_bands="5:0; 10:8000; 20:15000",
        ),
        "Điều chỉnh đơn giá theo chỉ số giá.",
        now,
    )

    two_provinces = _contract(
        session,
        "07/2026/HĐ-TTPVHCC-BĐHCM",
        "000.00.01.H29",
        "competitive_offering",
        "Quyết định số 412/QĐ-TTPVHCC phê duyệt kết quả chào hàng cạnh tranh",
        this_year,
        date(today.year, 12, 31),
        ScopeInput(
            terms=_terms(
                [
                    TaskType.COUNTER_ACCEPTANCE,
                    TaskType.HOME_PICKUP,
                    TaskType.DIGITIZATION,
                    TaskType.RESULT_DELIVERY,
                ]
            ),
            nationwide=False,
            province_codes=["79", "92"],
            all_procedures=False,
            procedure_ids=hanoi_procedures[:8],
            page_price=450,
            penalty_per_breach=15_000,
        ),
        now,
        "Phạm vi: Thành phố Hồ Chí Minh và Thành phố Cần Thơ.",
    )
    _assess(session, two_provinces, this_year - timedelta(days=15), now, 18, 30)
    services.activate(session, None, two_provinces, services.start_of_day(this_year))

    ended = _contract(
        session,
        "12/2024/HĐ-TTPVHCC-BĐĐN",
        "000.00.01.H15",
        "open_bidding",
        "Quyết định số 88/QĐ-UBND phê duyệt kết quả đấu thầu rộng rãi",
        date(today.year - 2, 1, 1),
        date(today.year - 1, 6, 30),
        ScopeInput(
            terms=_terms([TaskType.COUNTER_ACCEPTANCE, TaskType.RESULT_DELIVERY]),
            nationwide=False,
            province_codes=["48"],
        ),
        now,
    )
    _assess(session, ended, date(today.year - 3, 12, 1), now, 10, 12)
    # It ran from two years ago and ended last year: activated then, expired by the expiry job now.
    services.activate(session, None, ended, services.start_of_day(date(today.year - 2, 1, 2)))
    services.expire_ended(session, now)

    _contract(
        session,
        "03/2026/HĐ-TTPVHCC-BĐH",
        "000.00.01.H57",
        "direct_appointment",
        "Dự thảo — chờ đánh giá năng lực",
        this_year,
        date(today.year + 1, 12, 31),
        ScopeInput(
            terms=_terms([TaskType.HOME_PICKUP, TaskType.RESULT_DELIVERY]),
            nationwide=False,
            province_codes=["46"],
        ),
        now,
    )

    _commune_contracts(session, this_year, today, now)
    _seed_tasks(session, nationwide, "01", now, seed=1)
    _seed_tasks(session, two_provinces, "79", now, seed=2)
    last_month = today.replace(day=1) - timedelta(days=1)
    statement = statements.prepare(session, None, nationwide, last_month.year, last_month.month, now)
    statements.submit(session, None, statement, now, "Bảng kê tháng trước, đề nghị Trung tâm xác nhận.")
    escalate(session, now, InboxNotifier())


def _commune_contracts(session: Session, start: date, today: date, now: datetime) -> None:
    """Each commune's one-stop unit signs its own contract, so its dossiers can be handed in anywhere."""
    communes = session.scalars(
        sa.select(Organization)
        .where(Organization.kind == "one_stop_unit", Organization.level == "commune")
        .order_by(Organization.code)
    )
    work = [
        TaskType.COUNTER_ACCEPTANCE,
        TaskType.HOME_PICKUP,
        TaskType.DIGITIZATION,
        TaskType.CARRIAGE,
        TaskType.RESULT_COLLECTION,
        TaskType.RESULT_DELIVERY,
    ]
    for n, unit in enumerate(communes, start=1):
        contract = _contract(
            session,
            f"{n:02d}/{today.year}/HĐ-{unit.code}-BĐVN",
            unit.code,
            "direct_appointment",
            "Quyết định giao nhiệm vụ cung ứng dịch vụ bưu chính công ích của UBND",
            start,
            date(today.year + 1, 12, 31),
            ScopeInput(terms=_terms(work), nationwide=True, page_price=500, penalty_per_breach=20_000),
            now,
            "Tiếp nhận hồ sơ cấp xã tại mọi bưu cục trên toàn quốc.",
        )
        _assess(session, contract, start - timedelta(days=10), now, 59, 41)
        services.activate(session, None, contract, services.start_of_day(start))


def _seed_tasks(session: Session, contract: Contract, province: str, now: datetime, seed: int) -> None:
    rng = random.Random(seed)
    offices = list(
        session.scalars(
            sa.select(PostOffice)
            .where(PostOffice.province_code == province, PostOffice.active.is_(True))
            .order_by(PostOffice.code)
        )
    )[:6]
    version = contract.versions[-1]
    types = [TaskType(t.task_type) for t in version.terms]
    procedures = version.procedures or list(session.scalars(sa.select(Procedure).order_by(Procedure.code)))
    for n in range(45):
        # Most tasks are weeks old and finished; the last few days' are still running (some near or past due).
        recent = n % 5 == 0
        age = timedelta(hours=rng.uniform(1, 110)) if recent else timedelta(days=rng.uniform(3, 50))
        created = now - age
        task_type = rng.choice(types)
        task = create_task(
            session,
            task_type,
            contract.unit,
            rng.choice(offices),
            created,
            procedure=rng.choice(procedures),
            dossier_code=f"{contract.unit.code}-{to_local(created):%y%m%d}-{n + 1:04d}",
        )
        hours_needed = rng.choice([1, 2, 3, 5, 8, 20, 40])
        finished = created + timedelta(hours=hours_needed)
        if not recent and finished < now - timedelta(hours=1):
            start_task(session, task, created + timedelta(minutes=20))
            pages = rng.randint(5, 60) if task_type == TaskType.DIGITIZATION else 0
            complete_task(session, task, finished, outcome="Hoàn thành", pages=pages)

"""The contract vocabulary: task types, procurement methods, and each entity's allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class TaskType(StrEnum):
    GUIDANCE = "guidance"
    COUNTER_ACCEPTANCE = "counter_acceptance"
    HOME_PICKUP = "home_pickup"
    DIGITIZATION = "digitization"
    CARRIAGE = "carriage"
    RESULT_COLLECTION = "result_collection"
    RESULT_DELIVERY = "result_delivery"


TASK_TYPE_LABELS = {
    TaskType.GUIDANCE: _l("Guidance"),
    TaskType.COUNTER_ACCEPTANCE: _l("Counter acceptance"),
    TaskType.HOME_PICKUP: _l("Home pickup"),
    TaskType.DIGITIZATION: _l("Digitization"),
    TaskType.CARRIAGE: _l("Carriage to the unit"),
    TaskType.RESULT_COLLECTION: _l("Result collection"),
    TaskType.RESULT_DELIVERY: _l("Result delivery"),
}


class ProcurementMethod(StrEnum):
    """Contractor selection methods named by the Law on Bidding (Luật Đấu thầu)."""

    DIRECT_APPOINTMENT = "direct_appointment"  # chỉ định thầu
    COMPETITIVE_OFFERING = "competitive_offering"  # chào hàng cạnh tranh
    OPEN_BIDDING = "open_bidding"  # đấu thầu rộng rãi
    LIMITED_BIDDING = "limited_bidding"  # đấu thầu hạn chế


PROCUREMENT_LABELS = {
    ProcurementMethod.DIRECT_APPOINTMENT: _l("Direct appointment"),
    ProcurementMethod.COMPETITIVE_OFFERING: _l("Competitive offering"),
    ProcurementMethod.OPEN_BIDDING: _l("Open bidding"),
    ProcurementMethod.LIMITED_BIDDING: _l("Limited bidding"),
}


class ContractStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"


CONTRACT_STATUS_LABELS = {
    ContractStatus.DRAFT: _l("Draft"),
    ContractStatus.ACTIVE: _l("In force"),
    ContractStatus.SUSPENDED: _l("Suspended"),
    ContractStatus.EXPIRED: _l("Expired"),
    ContractStatus.TERMINATED: _l("Terminated"),
}

CONTRACT_MACHINE = StateMachine[ContractStatus](
    _l("contract"),
    {
        ContractStatus.DRAFT: frozenset({ContractStatus.ACTIVE, ContractStatus.TERMINATED}),
        ContractStatus.ACTIVE: frozenset(
            {ContractStatus.SUSPENDED, ContractStatus.EXPIRED, ContractStatus.TERMINATED}
        ),
        ContractStatus.SUSPENDED: frozenset(
            {ContractStatus.ACTIVE, ContractStatus.EXPIRED, ContractStatus.TERMINATED}
        ),
    },
    CONTRACT_STATUS_LABELS,
)


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: _l("Open"),
    TaskStatus.IN_PROGRESS: _l("In progress"),
    TaskStatus.DONE: _l("Done"),
    TaskStatus.CANCELLED: _l("Cancelled"),
}

TASK_MACHINE = StateMachine[TaskStatus](
    _l("task"),
    {
        TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
        TaskStatus.IN_PROGRESS: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    },
    TASK_STATUS_LABELS,
)


class StatementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISPUTED = "disputed"


STATEMENT_STATUS_LABELS = {
    StatementStatus.DRAFT: _l("Draft"),
    StatementStatus.SUBMITTED: _l("Submitted"),
    StatementStatus.APPROVED: _l("Approved"),
    StatementStatus.DISPUTED: _l("Disputed"),
}

STATEMENT_MACHINE = StateMachine[StatementStatus](
    _l("statement"),
    {
        StatementStatus.DRAFT: frozenset({StatementStatus.SUBMITTED}),
        StatementStatus.SUBMITTED: frozenset({StatementStatus.APPROVED, StatementStatus.DISPUTED}),
        StatementStatus.DISPUTED: frozenset({StatementStatus.DRAFT}),
    },
    STATEMENT_STATUS_LABELS,
)

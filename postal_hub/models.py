"""Imports every model so SQLAlchemy's metadata (Alembic, tests) knows the whole schema."""

from postal_hub.api.idempotency_models import IdempotencyRecord
from postal_hub.contracts.models import (
    CapacityAssessment,
    Contract,
    ContractDocument,
    ContractStatusChange,
    ContractTerm,
    ContractVersion,
)
from postal_hub.contracts.statement_models import Statement, StatementComment, StatementLine
from postal_hub.contracts.task_models import Task
from postal_hub.core.audit import AuditEntry
from postal_hub.core.counters import CodeCounter
from postal_hub.core.custody.models import CustodyCheckpoint, CustodyEntry, CustodyHead
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.notifications import Notification
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.procedures.models import Procedure, ProcedureComponent, ProcedureGroup
from postal_hub.core.settings import DeploymentSetting
from postal_hub.core.users.models import ApiKey, SignInFailure, User
from postal_hub.db import Base
from postal_hub.delivery.models import Delivery, DeliveryAttempt, DeliveryEvent, SatisfactionRating
from postal_hub.handoff.models import Manifest, ManifestExtra, ManifestLine
from postal_hub.intake.models import Dossier, DossierComponent, DossierEvent, DossierFile
from postal_hub.monitoring.models import (
    Alert,
    DailyStats,
    DossierFact,
    OfficeMonthStats,
    OfficeMonthTotals,
    RefreshState,
    TaskMonthTotals,
    UnitMonthStats,
    UnitMonthTotals,
)
from postal_hub.monitoring.models_rollups import (
    MonthStats,
    OfficeDayTotals,
    OfficeUnitMonth,
    TaskContractDay,
    TaskContractMonth,
    TaskDayTotals,
    TaskTypeDay,
    TaskTypeMonth,
    UnitDayTotals,
)
from postal_hub.pickup.models import Pickup, PickupEvent, PickupSchedule, PickupSlot
from postal_hub.training.models import (
    Attendance,
    Certificate,
    CertificateReminder,
    Course,
    Enrolment,
    TrainingSession,
)
from postal_hub.webhooks.models import OutboxMessage, WebhookAttempt, WebhookEndpoint

__all__ = [
    "Alert",
    "ApiKey",
    "Attendance",
    "AuditEntry",
    "Base",
    "CapacityAssessment",
    "Certificate",
    "CertificateReminder",
    "CitizenMessage",
    "CodeCounter",
    "Commune",
    "Contract",
    "ContractDocument",
    "ContractStatusChange",
    "ContractTerm",
    "ContractVersion",
    "Course",
    "CustodyCheckpoint",
    "CustodyEntry",
    "CustodyHead",
    "DailyStats",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryEvent",
    "DeploymentSetting",
    "Dossier",
    "DossierComponent",
    "DossierEvent",
    "DossierFact",
    "DossierFile",
    "Enrolment",
    "IdempotencyRecord",
    "Manifest",
    "ManifestExtra",
    "ManifestLine",
    "MonthStats",
    "Notification",
    "OfficeDayTotals",
    "OfficeMonthStats",
    "OfficeMonthTotals",
    "OfficeUnitMonth",
    "Organization",
    "OutboxMessage",
    "Pickup",
    "PickupEvent",
    "PickupSchedule",
    "PickupSlot",
    "PostOffice",
    "Procedure",
    "ProcedureComponent",
    "ProcedureGroup",
    "Province",
    "RefreshState",
    "SatisfactionRating",
    "SignInFailure",
    "Statement",
    "StatementComment",
    "StatementLine",
    "Task",
    "TaskContractDay",
    "TaskContractMonth",
    "TaskDayTotals",
    "TaskMonthTotals",
    "TaskTypeDay",
    "TaskTypeMonth",
    "TrainingSession",
    "UnitDayTotals",
    "UnitMonthStats",
    "UnitMonthTotals",
    "User",
    "WebhookAttempt",
    "WebhookEndpoint",
]

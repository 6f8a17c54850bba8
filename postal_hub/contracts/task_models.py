"""Tasks (work orders): one piece of contracted work on one dossier, priced and timed by its version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.contracts.models import Contract, ContractVersion
from postal_hub.contracts.status import TaskStatus, TaskType
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.procedures.models import Procedure
from postal_hub.core.users.models import User
from postal_hub.db import Base, UTCDateTime, enum_check


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        enum_check("status", TaskStatus),
        enum_check("task_type", TaskType),
        sa.CheckConstraint("pages >= 0", name="pages_not_negative"),
        sa.Index("ix_tasks_open_due", "status", "due_at"),
        # Monitoring sums tasks by the month they were opened.
        sa.Index("ix_tasks_created_at", "created_at"),
        sa.Index("ix_tasks_completed_at", "completed_at"),
        # An office's tasks over a period (its dashboard): no summary table keeps tasks by office.
        sa.Index("ix_tasks_office_created", "post_office_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_versions.id"))
    task_type: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(12), default=TaskStatus.OPEN.value)
    # The dossier arrives with the intake feature; until then a task names it by its code.
    dossier_code: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    procedure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("procedures.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # Indexed first in ix_tasks_office_created (below), which serves every lookup by office.
    post_office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post_offices.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(sa.String(255), default="")
    sla_met: Mapped[bool | None] = mapped_column()
    # Priced by the version in force when the task was created, whatever amendments come later.
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    page_price: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    penalty: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pages: Mapped[int] = mapped_column(sa.Integer, default=0)
    near_due_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contract: Mapped[Contract] = relationship()
    version: Mapped[ContractVersion] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    unit: Mapped[Organization] = relationship(foreign_keys=[unit_id])
    post_office: Mapped[PostOffice | None] = relationship()
    assigned_user: Mapped[User | None] = relationship()

    def is_overdue(self, now: datetime) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS) and now > self.due_at

    def is_near_due(self, now: datetime) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS) and self.warn_at <= now <= self.due_at

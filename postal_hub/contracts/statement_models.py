"""Monthly statements of a contract: the bill the operator submits and the agency approves."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.contracts.models import Contract
from postal_hub.contracts.status import StatementStatus
from postal_hub.core.clock import utcnow
from postal_hub.db import Base, UTCDateTime, enum_check


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "year", "month"),
        enum_check("status", StatementStatus),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    month: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12), default=StatementStatus.DRAFT.value)
    services_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pages_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    penalties_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    contract: Mapped[Contract] = relationship()
    lines: Mapped[list[StatementLine]] = relationship(
        order_by="StatementLine.position", cascade="all, delete-orphan"
    )
    comments: Mapped[list[StatementComment]] = relationship(
        order_by="StatementComment.id", cascade="all, delete-orphan"
    )


class StatementLine(Base):
    """kind: 'task' (a task type at one price), 'pages' (digitized pages) or 'penalty' (SLA breaches)."""

    __tablename__ = "statement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(10))
    task_type: Mapped[str | None] = mapped_column(sa.String(30))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    amount: Mapped[int] = mapped_column(sa.BigInteger)


class StatementComment(Base):
    __tablename__ = "statement_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statements.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(sa.String(20), default="comment")
    body: Mapped[str] = mapped_column(sa.Text)

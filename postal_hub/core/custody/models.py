"""Custody entries, the head of each organization's chain, and signed checkpoints of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.db import Base, UTCDateTime, enum_check


class CustodyEntry(Base):
    """One custody change. Never updated or deleted: the migration adds triggers that refuse both."""

    __tablename__ = "custody_entries"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "seq"),
        enum_check("kind", CustodyKind),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    organization_code: Mapped[str] = mapped_column(sa.String(32))
    seq: Mapped[int] = mapped_column(sa.Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(sa.String(30))
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    dossier_code: Mapped[str] = mapped_column(sa.String(40), default="")
    item_number: Mapped[str] = mapped_column(sa.String(13), default="")
    manifest_number: Mapped[str] = mapped_column(sa.String(40), default="")
    actor: Mapped[str] = mapped_column(sa.String(160), default="")
    place: Mapped[str] = mapped_column(sa.String(255), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class CustodyHead(Base):
    """The chain's length and last hash; its row lock serialises appends so the chain never forks."""

    __tablename__ = "custody_heads"

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    size: Mapped[int] = mapped_column(sa.Integer, default=0)
    head_hash: Mapped[str] = mapped_column(sa.String(64))


class CustodyCheckpoint(Base):
    """A signed statement 'this organization's chain had SIZE entries ending in HEAD at AT'."""

    __tablename__ = "custody_checkpoints"
    __table_args__ = (sa.UniqueConstraint("organization_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    size: Mapped[int] = mapped_column(sa.Integer)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    public_key: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(100))

"""Gap-free counters in the database: S10 serials and each unit's daily dossier sequence.

The increment is one UPDATE ... RETURNING inside the caller's transaction. Concurrent acceptances
queue on the row lock, and a rolled-back acceptance rolls its number back too, so numbers are never
duplicated, never skipped, never reused.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from postal_hub.db import Base


class CodeCounter(Base):
    __tablename__ = "code_counters"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def next_value(session: Session, name: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(CodeCounter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
    )
    value = session.execute(
        sa.update(CodeCounter)
        .where(CodeCounter.name == name)
        .values(value=CodeCounter.value + 1)
        .returning(CodeCounter.value)
    ).scalar_one()
    return int(value)

"""A table of allowed status changes, checked in one place (house rule 3).

Each stateful entity declares its machine; the single function that changes that entity's status
calls `check()` before assigning, and records the change in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from postal_hub.core.errors import Conflict, InvalidTransition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    name: object  # a (lazy) translatable noun, e.g. _l("contract")
    transitions: Mapping[S, frozenset[S]]
    labels: Mapping[S, object] = field(default_factory=dict)

    def allowed(self, current: S) -> frozenset[S]:
        return self.transitions.get(current, frozenset())

    def can(self, current: S, target: S) -> bool:
        return target in self.allowed(current)

    def check(self, current: S, target: S) -> None:
        if not self.can(current, target):
            raise InvalidTransition(
                str(
                    _l(
                        "A %(what)s cannot go from %(current)s to %(target)s.",
                        what=self.name,
                        current=self.labels.get(current, current.value),
                        target=self.labels.get(target, target.value),
                    )
                )
            )


def compare_and_set(
    session: Session,
    record: Any,
    expected: str,
    values: dict[str, Any],
    conflict: str,
    guard: dict[str, Any] | None = None,
) -> bool:
    """Write `values` only if the row's status is still `expected` (the one just checked).

    Two concurrent moves of the same record cannot both pass the check in Python, because the UPDATE
    re-reads the row under its lock: one wins, the other gets Conflict(conflict) and changes nothing.
    With conflict="" the loser is told by a False instead. `guard` names more columns that must still
    hold the values just read (e.g. the seat a booking holds, which a move changes but not its status)."""
    model = type(record)
    session.flush()
    result = session.execute(
        sa.update(model)
        .where(
            model.id == record.id,
            model.status == expected,
            *(getattr(model, name) == value for name, value in (guard or {}).items()),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if conflict:
            raise Conflict(conflict)
        return False
    for name, value in values.items():
        set_committed_value(record, name, value)
    return True

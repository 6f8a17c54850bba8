"""A table of allowed status changes, checked in one place (house rule 3).

Each stateful entity declares its machine; the single function that changes that entity's status
calls `check()` before assigning, and records the change in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import InvalidTransition

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

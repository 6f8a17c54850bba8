"""Paging and search for list screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session

from postal_hub.core.text import fold

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class ListRequest:
    """What every list screen asks for: a search, whether to include inactive records, a page."""

    q: str = ""
    show_inactive: bool = False
    page: int = 1
    per_page: int = 25


def parse_page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def paginate(session: Session, stmt: sa.Select[Any], page: int, per_page: int) -> Page[Any]:
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, int(total))


def search_filter(column: QueryableAttribute[str], query: str | None) -> sa.ColumnElement[bool] | None:
    """Every word of the query, diacritics optional, must appear in the folded search key."""
    words = fold(query or "").split()
    if not words:
        return None
    return sa.and_(*(column.contains(w, autoescape=True) for w in words[:8]))

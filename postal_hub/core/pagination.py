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


MAX_PAGE = 100_000


def is_number(text: str | None) -> bool:
    """ASCII digits only: str.isdigit() also says yes to '²' and other digits int() refuses."""
    return bool(text) and text.isascii() and text.isdecimal()  # type: ignore[union-attr]


MAX_RECORD_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def record_number(value: str | None) -> int | None:
    """A record id typed into a URL or a filter: ASCII digits within the id range, else None."""
    text = (value or "").strip()
    return int(text) if is_number(text) and len(text) <= 10 and 0 < int(text) <= MAX_RECORD_ID else None


def page_number(value: str | None) -> int | None:
    """A page number from 1 to MAX_PAGE, or None for anything else."""
    text = (value or "").strip()
    return int(text) if is_number(text) and len(text) <= 6 and 0 < int(text) <= MAX_PAGE else None


def parse_page(value: str | None) -> int:
    return page_number(value) or 1


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

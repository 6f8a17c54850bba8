"""Seat counters: one row per office window, created on first use, taken by a conditional UPDATE.

`UPDATE ... SET booked = booked + 1 WHERE id = ? AND booked < capacity` is one atomic statement on
both engines: concurrent bookings of the last seat queue on the row and re-check the condition, so
exactly `capacity` of them succeed, never more. A read-then-write ("count, then insert") could not
promise that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from postal_hub.pickup.models import PickupSchedule, PickupSlot
from postal_hub.pickup.schedule import Window


def ensure_slot(session: Session, office_id: int, window: Window, capacity: int) -> int:
    """The slot row's id, inserting it if no request has yet (concurrent inserts meet ON CONFLICT).

    A new row takes the schedule's capacity as committed now, read under a share lock: a manager saving
    a lower capacity at this moment either commits first (and is read here) or waits for this booking
    and then resizes the row it created. `capacity` is what the caller read, the fallback only."""
    held = session.scalar(
        sa.select(PickupSchedule.capacity)
        .where(PickupSchedule.office_id == office_id)
        .with_for_update(read=True)
    )
    capacity = int(held) if held is not None else capacity
    values = {
        "office_id": office_id,
        "start_at": window.start,
        "end_at": window.end,
        "capacity": capacity,
        "booked": 0,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(PickupSlot).values(**values).on_conflict_do_nothing(index_elements=["office_id", "start_at"])
    )
    slot_id = session.scalar(
        sa.select(PickupSlot.id).where(PickupSlot.office_id == office_id, PickupSlot.start_at == window.start)
    )
    assert slot_id is not None
    return int(slot_id)


def take_seat(session: Session, slot_id: int) -> bool:
    result = session.execute(
        sa.update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked < PickupSlot.capacity)
        .values(booked=PickupSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_seat(session: Session, slot_id: int | None) -> None:
    if slot_id is None:
        return
    session.execute(
        sa.update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked > 0)
        .values(booked=PickupSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def booked_counts(
    session: Session, office_ids: Sequence[int], start: datetime, end: datetime
) -> dict[tuple[int, datetime], tuple[int, int]]:
    """(office, window start) -> (capacity, booked) for the slot rows that exist in [start, end)."""
    if not office_ids:
        return {}
    rows = session.execute(
        sa.select(PickupSlot.office_id, PickupSlot.start_at, PickupSlot.capacity, PickupSlot.booked).where(
            PickupSlot.office_id.in_(office_ids), PickupSlot.start_at >= start, PickupSlot.start_at < end
        )
    ).all()
    return {(int(r[0]), r[1]): (int(r[2]), int(r[3])) for r in rows}


def resize_future_slots(session: Session, office_id: int, capacity: int, now: datetime) -> None:
    """A new capacity applies to windows not yet started, never below the seats already taken."""
    session.execute(
        sa.update(PickupSlot)
        .where(PickupSlot.office_id == office_id, PickupSlot.start_at > now)
        .values(capacity=sa.case((PickupSlot.booked > capacity, PickupSlot.booked), else_=capacity))
        .execution_options(synchronize_session=False)
    )

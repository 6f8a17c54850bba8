"""Reminders, the phone-position rule, distance bands and a replanning race: regressions from review."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.contracts.bands import normalise_bands, parse_bands
from postal_hub.core.errors import DomainError, ValidationFailed
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.core.validators import MAX_VND, InvalidValue
from postal_hub.pickup import manage, planner, reminders
from postal_hub.pickup.booking import Place
from postal_hub.pickup.day_plan import plan_the_day
from postal_hub.pickup.dispatch import assign
from postal_hub.pickup.door import fail
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.reminders import remind_upcoming
from postal_hub.pickup.status import FailureReason
from postal_hub.services import pickup_settings
from tests import factories
from tests.factories import booked_pickup, next_window, pickup_setup


def _reminders(session: Session) -> list[str]:
    session.flush()
    return list(
        session.scalars(
            sa.select(CitizenMessage.body)
            .where(CitizenMessage.kind == "pickup.reminder")
            .order_by(CitizenMessage.id)
        )
    )


# ---- Reminders ------------------------------------------------------------------------------------


def test_a_booking_moved_after_its_reminder_is_reminded_of_the_new_window(
    session: Session, clock: Any
) -> None:
    """Reminded on Sunday evening for Monday 08:00, the citizen moves the pickup to Wednesday (allowed
    until 2 hours before the window). `reminded_at` stays set, so Wednesday's window gets no reminder."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())  # Monday 23/11 08:00
    sunday_evening = next_window() - timedelta(hours=15)
    assert remind_upcoming(session, pickup_settings(), sunday_evening) == 1
    wednesday = next_window(days=5)
    manage.reschedule(
        session, pickup_settings(), pickup, wednesday, sunday_evening + timedelta(hours=1), "vi"
    )

    tuesday_evening = wednesday - timedelta(hours=15)
    assert remind_upcoming(session, pickup_settings(), tuesday_evening) == 1
    assert "25/11/2026" in _reminders(session)[-1]


def test_a_booking_rebooked_after_a_failed_visit_is_reminded_of_the_new_window(
    session: Session, clock: Any
) -> None:
    """Nobody home on Monday; the citizen picks Wednesday from the link. That visit is never reminded."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assert remind_upcoming(session, pickup_settings(), next_window() - timedelta(hours=15)) == 1
    monday = next_window() + timedelta(minutes=30)
    fail(session, pickup_settings(), world["postman"], pickup, FailureReason.NOBODY_HOME.value, "", monday)
    wednesday = next_window(days=5)
    manage.reschedule(session, pickup_settings(), pickup, wednesday, monday + timedelta(hours=2), "vi")

    assert remind_upcoming(session, pickup_settings(), wednesday - timedelta(hours=15)) == 1


def test_two_job_runs_reminding_at_the_same_moment_send_one_reminder(
    session: Session, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker and a `run-jobs` (or a second worker) both run citizen_messages. On PostgreSQL (READ
    COMMITTED) both read the booking with reminded_at NULL before either commits; `reminded_at = now`
    is a plain UPDATE, so both queue a reminder. Simulated: the other run reminds and commits between
    this run's read and its write."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    evening = next_window() - timedelta(hours=15)
    real_scalars = Session.scalars

    def scalars_then_other_run(self: Session, *args: Any, **kwargs: Any) -> Any:
        rows = real_scalars(self, *args, **kwargs).all()
        monkeypatch.setattr(Session, "scalars", real_scalars)  # only the reminder query is interleaved
        # The other run's committed work: its reminder and its mark.
        self.add(
            CitizenMessage(
                created_at=evening,
                recipient=pickup.applicant_phone,
                kind="pickup.reminder",
                subject_ref=pickup.reference,
                body="(the other run's reminder)",
                next_attempt_at=evening,
            )
        )
        self.execute(sa.update(Pickup).where(Pickup.id == pickup.id).values(reminded_at=evening))

        class _Rows:
            def all(self) -> list[Any]:
                return list(rows)

        return _Rows()

    monkeypatch.setattr(Session, "scalars", scalars_then_other_run)
    reminders.remind_upcoming(session, pickup_settings(), evening)
    assert len(_reminders(session)) == 1


# ---- The phone's position ---------------------------------------------------------------------------

HCMC_CENTRE = (10.7769, 106.7009)
NINH_KIEU = "31135"  # Phường Ninh Kiều, Cần Thơ: the gazetteer knows only the province capital's point


def test_a_phone_in_another_province_does_not_move_an_address_known_only_by_its_province(
    session: Session, clock: Any
) -> None:
    """A son in Hồ Chí Minh City books for his parents in Ninh Kiều, Cần Thơ, with "use my location".
    Ninh Kiều's reference point is Cần Thơ's capital (as for 2,653 of the 3,321 communes), and the rule
    keeps a phone point within 250 km of it: 129 km away, the HCMC position is kept as the door, an HCMC
    office comes, and the postman is sent to the son's flat. No office near Cần Thơ exists here, so the
    right answer is "no post office picks up here"."""
    world = pickup_setup(
        session, office_province="79", office_point=(10.7800, 106.7000), unit_commune=NINH_KIEU
    )
    place = Place("92", NINH_KIEU, "Số 1 Hai Bà Trưng", *HCMC_CENTRE)
    try:
        pickup = booked_pickup(session, world, clock.now(), place=place)
    except ValidationFailed:
        return  # no office near Cần Thơ picks up: the right answer
    assert pickup.point_precision != "device", (
        f"{pickup.office.name} (Hồ Chí Minh City) comes to the phone's position, not to Ninh Kiều"
    )


# ---- Distance bands -------------------------------------------------------------------------------


def test_a_distance_band_surcharge_above_the_largest_amount_is_refused_with_the_contract(
    session: Session,
) -> None:
    """Every other price is capped at MAX_VND; the band surcharge is not. A contract saved with
    "30:10000000000000000000" then makes every booking under it a 500 (OverflowError on SQLite,
    bigint out of range on PostgreSQL) instead of a refusal when the contract is written."""
    with pytest.raises(ValidationFailed) as refused:
        factories.contract(session, pickup_bands=f"30:{MAX_VND * 10_000_000}")
    assert "pickup_bands" in refused.value.fields


def test_bands_written_back_tidy_can_be_read_again() -> None:
    """normalise_bands writes km with %g (6 significant digits): two bands 0.3 m apart become the same
    distance, and the stored text is refused by parse_bands at every later quote and booking."""
    tidy = normalise_bands("5.04:0; 10.06:5000")
    assert parse_bands(tidy) == parse_bands("5.04:0; 10.06:5000")
    with pytest.raises(InvalidValue):  # bands closer than a tenth of a kilometre are refused when saved
        normalise_bands("100.0001:0; 100.0004:5000")


# ---- Replanning while a booking moves -----------------------------------------------------------------


def test_replanning_the_day_while_the_citizen_moves_a_booking_leaves_no_plan_on_it(
    session: Session, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop already on the same postman's route is updated by plain attribute writes, not by the
    guarded compare-and-set: if the citizen moved it to another day between the plan's read and its
    write, the plan's UPDATE lands on the moved booking, which ends unassigned but with a route
    position and a planned time of the old day. Simulated by the citizen's committed move arriving
    while the solver runs."""
    world = pickup_setup(session)
    pickup = booked_pickup(session, world, clock.now())
    assign(session, world["manager"], pickup, world["postman"], clock.now())
    real_plan = planner.plan_day

    def plan_while_citizen_moves(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        # The citizen's reschedule to Wednesday, committed by another request (its row, as it wrote it).
        session.execute(
            sa.update(Pickup)
            .where(Pickup.id == pickup.id)
            .values(
                status="booked",
                postman_id=None,
                route_position=None,
                planned_at=None,
                slot_start=next_window(days=5),
                slot_end=next_window(10, days=5),
            )
            .execution_options(synchronize_session=False)
        )
        return plan

    monkeypatch.setattr(planner, "plan_day", plan_while_citizen_moves)
    try:
        plan_the_day(
            session, world["manager"], world["office"], next_window().date(), [world["postman"]], clock.now()
        )
    except DomainError:
        return  # refusing the stale plan is a fine answer
    session.flush()
    row = session.execute(
        sa.select(Pickup.status, Pickup.postman_id, Pickup.planned_at).where(Pickup.id == pickup.id)
    ).one()
    assert row.postman_id is not None or row.planned_at is None, f"unassigned but planned: {row}"


# ---- A capacity change racing the first booking of a window ---------------------------------------


def test_lowering_the_capacity_while_a_window_gets_its_first_booking_cannot_overbook_it(
    session: Session, clock: Any, connection: sa.Connection
) -> None:
    """The manager lowers the seats per window from 4 to 2. A citizen's booking read the schedule
    (capacity 4) just before the manager's save committed; no slot row existed yet, so the resize
    touched nothing, and the booking then inserts the window's slot row with the capacity it read.
    That window now takes 4 bookings: `ensure_slot` copies a capacity read earlier in the request
    instead of the committed one. (Read-committed interleaving, simulated with a second session that
    commits between the booking's read and its write.)"""
    from postal_hub.core.orgs.models import PostOffice
    from postal_hub.core.users.models import User
    from postal_hub.pickup.booking import SlotFull
    from postal_hub.pickup.schedule_admin import ScheduleInput, save_schedule

    world = pickup_setup(session, capacity=4)
    session.commit()  # the booking request has read the schedule (it is in its identity map)

    manager_request = Session(bind=connection, join_transaction_mode="create_savepoint")
    manager = manager_request.get(User, world["manager"].id)
    office = manager_request.get(PostOffice, world["office"].id)
    assert manager is not None and office is not None
    save_schedule(
        manager_request,
        manager,
        office,
        ScheduleInput(world["schedule"].windows, 2, 10, True),
        clock.now(),
    )
    manager_request.commit()
    manager_request.close()

    booked_pickup(session, world, clock.now())  # the booking request goes on with what it read
    session.commit()
    session.expire_all()  # every later request reads afresh
    for n in range(3):
        with contextlib.suppress(SlotFull):
            booked_pickup(session, world, clock.now(), phone=f"098765432{n}", citizen_id="001190012345")
    in_window = session.scalar(
        sa.select(sa.func.count())
        .select_from(Pickup)
        .where(Pickup.office_id == world["office"].id, Pickup.slot_start == next_window())
    )
    assert in_window is not None and in_window <= 2, f"{in_window} bookings in a window of 2 seats"

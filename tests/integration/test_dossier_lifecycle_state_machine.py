"""Hypothesis drives one dossier through any sequence of the actions the product allows (through the real
services, on the fake clock) and tries the ones it forbids: no sequence reaches an illegal state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.orm import Session

from postal_hub.contracts.status import TaskStatus
from postal_hub.contracts.task_models import Task
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.errors import DomainError
from postal_hub.core.notifications import InboxNotifier
from postal_hub.delivery import runs
from postal_hub.delivery.failures import fail_attempt
from postal_hub.delivery.handover import HandoverInput, hand_over, hand_over_at_unit
from postal_hub.delivery.models import Delivery, DeliveryAttempt
from postal_hub.delivery.ready import ResultReady, mark_result_ready
from postal_hub.delivery.status import DeliveryStatus
from postal_hub.handoff.models import Manifest, ManifestLine
from postal_hub.handoff.receiving import confirm_line
from postal_hub.handoff.resend import send_again
from postal_hub.handoff.services import LineInput, create_manifest, dispatch
from postal_hub.handoff.status import Direction
from postal_hub.intake.digitization import mark_digitized, upload_scan
from postal_hub.intake.models import Dossier, DossierEvent
from postal_hub.intake.status import DOSSIER_MACHINE, DossierStatus
from postal_hub.services import file_store, geocoder
from tests import factories
from tests.factories_delivery import APPLICANT_ID_TAIL, delivery_at_office, delivery_world, received_dossier
from tests.fakes import FixedClock

S = DossierStatus
SECRET = "test-secret"  # the test app's SECRET_KEY: one-time codes and tokens are signed with it
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"signature strokes"
SCAN = b"%PDF-1.4\n/Type /Page\n"

# Who holds the dossier (or its result) in each status, and after each kind of custody entry.
HOLDER_OF_STATUS = {
    S.ACCEPTED: "post",
    S.DIGITIZED: "post",
    S.DISPATCHED: "post",
    S.REJECTED: "post",
    S.RECEIVED: "unit",
    S.RESULT_READY: "unit",
    S.RESULT_COLLECTED: "post",
    S.OUT_FOR_DELIVERY: "postman",
    S.RETURNING: "post",
    S.RETURNED: "unit",
    S.DELIVERED: "citizen",
}
HOLDER_AFTER = {
    CustodyKind.ACCEPTED_AT_COUNTER: "post",
    CustodyKind.PICKED_UP: "post",
    CustodyKind.SEALED: "post",
    CustodyKind.DISPATCHED: "post",
    CustodyKind.RECEIVED: "unit",
    CustodyKind.REJECTED: "post",
    CustodyKind.RESULT_HANDED_TO_POST: "post",
    CustodyKind.RECEIVED_AT_OFFICE: "post",
    CustodyKind.REFUSED_AT_OFFICE: "unit",
    CustodyKind.OUT_FOR_DELIVERY: "postman",
    CustodyKind.BACK_AT_OFFICE: "post",
    CustodyKind.DELIVERED: "citizen",
    CustodyKind.RETURNED: "unit",
}
REASONS = st.sampled_from(["missing_component", "damaged_seal", "other"])
METHODS = st.sampled_from(["home", "post_office", "counter"])


class DossierLifecycle(RuleBasedStateMachine):
    """One world and one dossier per run, inside a savepoint rolled back at the end of the run."""

    session: ClassVar[Session]
    reached: ClassVar[set[tuple[str, str | None]]] = set()  # (dossier status, delivery status) seen

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = self.session.begin_nested()
        self.clock = FixedClock()
        self.world = delivery_world(self.session)
        self.seals = 0

    @initialize(start=st.sampled_from(["at_the_counter", "received", "at_the_office_home", "at_the_office"]))
    def a_dossier(self, start: str) -> None:
        """Runs start at the counter or, to reach the later steps within a short run, further on (the
        factories take it there through the same services)."""
        now = self.clock.now()
        self.dossier: Dossier
        if start == "at_the_counter":
            self.dossier = factories.accepted_dossier(self.session, self.world, now)
        elif start == "received":
            self.dossier = received_dossier(self.session, self.world, now)
        else:
            method = "home" if start == "at_the_office_home" else "post_office"
            self.dossier = delivery_at_office(self.session, self.world, now, result_delivery=method).dossier
        self.seals = 1
        self.refusals = 0
        self.history: list[str] = [self.dossier.status]
        self.events_before = self._events()
        self._observe()

    def _observe(self) -> None:
        """What the preconditions look at, read once after each action (they are asked every step)."""
        self.s = self.status
        self.ds = self._delivery_status()
        self.rd = self.dossier.result_delivery

    def teardown(self) -> None:
        self.savepoint.rollback()
        # The next run may get the same ids back (SQLite reuses them): forget the rolled-back objects.
        self.session.expunge_all()

    # --- what the machine observes --------------------------------------------------------------------
    @property
    def status(self) -> S:
        self.session.refresh(self.dossier, ["status"])
        return S(self.dossier.status)

    def _delivery(self) -> Delivery | None:
        found = self.session.scalar(sa.select(Delivery).where(Delivery.dossier_id == self.dossier.id))
        if found is not None:
            self.session.refresh(found)
        return found

    def _delivery_status(self) -> DeliveryStatus | None:
        found = self._delivery()
        return DeliveryStatus(found.status) if found is not None else None

    def _events(self) -> list[tuple[str, datetime]]:
        rows = self.session.execute(
            sa.select(DossierEvent.code, DossierEvent.at)
            .where(DossierEvent.dossier_id == self.dossier.id)
            .order_by(DossierEvent.id)
        )
        return [(code, at) for code, at in rows]

    def _snapshot(self) -> tuple[Any, ...]:
        """Everything an action could change: a refused action must leave all of it as it was."""
        self.session.flush()

        def count(model: Any, *where: Any) -> int:
            return int(self.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)

        tasks = self.session.execute(
            sa.select(Task.id, Task.status).where(Task.dossier_code == self.dossier.code).order_by(Task.id)
        ).all()
        delivery = self._delivery()
        return (
            self.status,
            self._delivery_status(),
            delivery.attempts if delivery else None,
            len(self._events()),
            count(CustodyEntry, CustodyEntry.dossier_id == self.dossier.id),
            count(Manifest),
            tuple(tasks),
        )

    def _moved(self) -> None:
        """After an allowed action: the new status is one the table allows from the last one."""
        status = self.status
        if status.value != self.history[-1]:
            assert DOSSIER_MACHINE.can(S(self.history[-1]), status), (self.history, status)
            self.history.append(status.value)
        delivery = self._delivery_status()
        self.reached.add((status.value, delivery.value if delivery else None))
        events = self._events()
        assert len(events) > len(self.events_before), "an action happened without a timeline event"
        self.events_before = events
        self._observe()

    def _refused(self, attempt: Any) -> None:
        """A forbidden action raises a domain error and changes nothing, not even before raising."""
        before = self._snapshot()
        inner = self.session.begin_nested()
        with pytest.raises(DomainError):
            attempt()
        assert self._snapshot() == before
        inner.rollback()

    def _tick(self, minutes: int = 7) -> datetime:
        self.clock.advance(minutes=minutes)
        return self.clock.now()

    def _manifest(self, direction: Direction, actor: Any) -> Manifest:
        self.seals += 1
        made = create_manifest(
            self.session,
            actor,
            self.world["office"],
            self.world["unit"],
            [LineInput(self.dossier.code, f"SEAL-{self.dossier.id}-{self.seals}")],
            self._tick(),
            direction=direction,
        )
        dispatch(self.session, actor, made, self._tick())
        return made

    def _open_line(self, direction: Direction) -> tuple[Manifest, Any]:
        manifest = self.session.scalar(
            sa.select(Manifest)
            .join(ManifestLine, ManifestLine.manifest_id == Manifest.id)
            .where(
                ManifestLine.dossier_id == self.dossier.id,
                Manifest.direction == direction.value,
                Manifest.status == "dispatched",
            )
            .order_by(Manifest.id.desc())
        )
        assert manifest is not None
        line = next(line for line in manifest.lines if line.dossier_id == self.dossier.id)
        return manifest, line

    # --- the journey to the unit ------------------------------------------------------------------
    @precondition(lambda self: self.s == S.ACCEPTED and not self.dossier.files)
    @rule()
    def digitize(self) -> None:
        now = self._tick()
        for component in self.dossier.components:
            upload_scan(
                self.session,
                self.world["clerk"],
                self.dossier,
                component.code,
                f"{component.code}.pdf",
                SCAN + component.code.encode(),
                file_store(),
                now,
                5_000_000,
            )
        mark_digitized(self.session, self.world["clerk"], self.dossier, self._tick())
        self._moved()

    @precondition(lambda self: self.s in (S.ACCEPTED, S.DIGITIZED))
    @rule()
    def dispatch_to_unit(self) -> None:
        self._manifest(Direction.TO_UNIT, self.world["clerk"])
        self._moved()

    @precondition(lambda self: self.s == S.DISPATCHED)
    @rule(accepted=st.booleans(), reason=REASONS)
    def unit_answers_receipt(self, accepted: bool, reason: str) -> None:
        manifest, line = self._open_line(Direction.TO_UNIT)
        officer = self.world["officer"]
        note = "" if accepted or reason != "other" else "Thiếu chữ ký"
        confirm_line(
            self.session,
            officer,
            officer.username,
            manifest,
            line,
            accepted,
            None if accepted else reason,
            note,
            self._tick(),
        )
        assert self.status == (S.RECEIVED if accepted else S.REJECTED)
        self._moved()

    @precondition(lambda self: self.s == S.REJECTED)
    @rule()
    def put_right_and_send_again(self) -> None:
        send_again(self.session, self.world["clerk"], self.dossier, None, "Đã bổ sung", self._tick())
        assert self.status == S.ACCEPTED
        self._moved()

    # --- the result ----------------------------------------------------------------------------------
    @precondition(lambda self: self.s == S.RECEIVED)
    @rule(method=METHODS)
    def result_ready(self, method: str) -> None:
        officer = self.world["officer"]
        mark_result_ready(
            self.session,
            officer,
            officer.username,
            self.dossier,
            ResultReady("Giấy phép số 12/GP", method, 0),
            self._tick(),
            geocoder(),
        )
        assert self.status == S.RESULT_READY
        self._moved()

    @precondition(lambda self: self.s == S.RETURNED or (self.s == S.RESULT_READY and self.rd == "counter"))
    @rule()
    def collect_at_the_unit_counter(self) -> None:
        hand_over_at_unit(
            self.session, self.world["officer"], self.dossier, "", APPLICANT_ID_TAIL, self._tick()
        )
        assert self.status == S.DELIVERED
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.AT_UNIT and self.s == S.RESULT_READY)
    @rule()
    def post_collects_the_result(self) -> None:
        self._manifest(Direction.TO_POST, self.world["officer"])
        assert self.status == S.RESULT_COLLECTED and self._delivery_status() == DeliveryStatus.IN_TRANSIT
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.IN_TRANSIT)
    @rule(accepted=st.booleans())
    def office_answers_the_result_envelope(self, accepted: bool) -> None:
        manifest, line = self._open_line(Direction.TO_POST)
        clerk = self.world["clerk"]
        reason = None if accepted else "damaged_seal"
        confirm_line(self.session, clerk, clerk.username, manifest, line, accepted, reason, "", self._tick())
        expected = DeliveryStatus.AT_OFFICE if accepted else DeliveryStatus.AT_UNIT
        assert self._delivery_status() == expected
        assert self.status == (S.RESULT_COLLECTED if accepted else S.RESULT_READY)
        self._moved()

    # --- handing the result over -------------------------------------------------------------------
    @precondition(lambda self: self.ds == DeliveryStatus.AT_OFFICE and self.rd == "home")
    @rule()
    def take_out_for_delivery(self) -> None:
        delivery = self._delivery()
        assert delivery is not None
        runs.assign(self.session, self.world["manager"], delivery, self.world["postman"], self._tick())
        self.session.refresh(delivery)
        assert delivery.day is not None
        if delivery.day > to_local(self.clock.now()).date():
            start = datetime.combine(delivery.day, datetime.min.time(), LOCAL_TZ) + timedelta(hours=8)
            self.clock.advance(seconds=(start - self.clock.now()).total_seconds())
        runs.take_out(self.session, self.world["postman"], delivery, self._tick())
        assert self.status == S.OUT_FOR_DELIVERY and self._delivery_status() == DeliveryStatus.OUT
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.OUT)
    @rule()
    def deliver_at_the_door_with_an_id_check(self) -> None:
        delivery = self._delivery()
        data = HandoverInput(id_digits=APPLICANT_ID_TAIL, signature=SIGNATURE)
        hand_over(
            self.session,
            self.world["postman"],
            delivery,
            data,
            self._tick(),
            SECRET,
            file_store(),
            InboxNotifier(),
        )
        assert self.status == S.DELIVERED and self._delivery_status() == DeliveryStatus.DELIVERED
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.OUT)
    @rule(reason=st.sampled_from(["nobody_home", "refused"]))
    def failed_attempt(self, reason: str) -> None:
        delivery = self._delivery()
        assert delivery is not None
        fail_attempt(self.session, self.world["postman"], delivery, reason, "", None, None, self._tick())
        assert self.status == S.RESULT_COLLECTED
        assert self._delivery_status() in (DeliveryStatus.AT_OFFICE, DeliveryStatus.TO_RETURN)
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.AT_OFFICE)
    @rule()
    def collect_at_the_office_counter(self) -> None:
        delivery = self._delivery()
        data = HandoverInput(id_digits=APPLICANT_ID_TAIL, signature=SIGNATURE)
        hand_over(
            self.session,
            self.world["clerk"],
            delivery,
            data,
            self._tick(),
            SECRET,
            file_store(),
            InboxNotifier(),
        )
        assert self.status == S.DELIVERED and self._delivery_status() == DeliveryStatus.DELIVERED
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.TO_RETURN)
    @rule()
    def send_the_result_back_to_the_unit(self) -> None:
        self._manifest(Direction.RETURN, self.world["clerk"])
        assert self.status == S.RETURNING and self._delivery_status() == DeliveryStatus.RETURNING
        self._moved()

    @precondition(lambda self: self.ds == DeliveryStatus.RETURNING)
    @rule(accepted=st.booleans())
    def unit_answers_the_return(self, accepted: bool) -> None:
        manifest, line = self._open_line(Direction.RETURN)
        officer = self.world["officer"]
        reason = None if accepted else "damaged_seal"
        confirm_line(
            self.session, officer, officer.username, manifest, line, accepted, reason, "", self._tick()
        )
        assert self.status == (S.RETURNED if accepted else S.RESULT_COLLECTED)
        self._moved()

    @precondition(lambda self: self.refusals < len(self.history))
    @rule(hours=st.integers(min_value=1, max_value=30))
    def time_passes(self, hours: int) -> None:
        self.refusals += 1
        self.clock.advance(hours=hours)

    # --- what the product refuses --------------------------------------------------------------------
    def _forbidden(self) -> dict[str, Any]:
        """The actions the product refuses in the dossier's present state, each ready to try."""
        status, delivery_status, delivery = self.status, self._delivery_status(), self._delivery()
        world, officer, clerk, postman = (
            self.world,
            self.world["officer"],
            self.world["clerk"],
            self.world["postman"],
        )
        at_the_door = HandoverInput(id_digits=APPLICANT_ID_TAIL, signature=SIGNATURE)
        counter = status == S.RETURNED or (
            status == S.RESULT_READY and self.dossier.result_delivery == "counter"
        )
        tries: dict[str, Any] = {}
        if status not in (S.ACCEPTED, S.DIGITIZED):
            tries["dispatch"] = lambda: self._manifest(Direction.TO_UNIT, clerk)
        if status != S.ACCEPTED:
            tries["digitize"] = lambda: mark_digitized(self.session, clerk, self.dossier, self._tick())
        if status != S.RECEIVED:
            ready = ResultReady("Giấy phép", "home", 0)
            tries["result_ready"] = lambda: mark_result_ready(
                self.session, officer, officer.username, self.dossier, ready, self._tick(), geocoder()
            )
        if status != S.REJECTED:
            tries["send_again"] = lambda: send_again(
                self.session, clerk, self.dossier, None, "", self._tick()
            )
        if not counter:
            tries["unit_counter"] = lambda: hand_over_at_unit(
                self.session, officer, self.dossier, "", APPLICANT_ID_TAIL, self._tick()
            )
        if delivery is not None and delivery_status != DeliveryStatus.AT_OFFICE:
            tries["office_counter"] = lambda: hand_over(
                self.session,
                clerk,
                delivery,
                at_the_door,
                self._tick(),
                SECRET,
                file_store(),
                InboxNotifier(),
            )
        if delivery is not None and delivery_status != DeliveryStatus.OUT:
            tries["fail_attempt"] = lambda: fail_attempt(
                self.session, postman, delivery, "nobody_home", "", None, None, self._tick()
            )
            tries["door"] = lambda: hand_over(
                self.session,
                postman,
                delivery,
                at_the_door,
                self._tick(),
                SECRET,
                file_store(),
                InboxNotifier(),
            )
        if delivery is not None and delivery_status not in (
            DeliveryStatus.AT_OFFICE,
            DeliveryStatus.ASSIGNED,
        ):
            tries["assign"] = lambda: runs.assign(
                self.session, world["manager"], delivery, postman, self._tick()
            )
        return tries

    # At most one refusal per allowed action, or the always-enabled refusals crowd the journey out
    # (a delivered dossier has nothing left but refusals).
    @precondition(lambda self: self.refusals < len(self.history) or self.s == S.DELIVERED)
    @rule(data=st.data())
    def a_forbidden_action_is_refused_and_changes_nothing(self, data: st.DataObject) -> None:
        tries = self._forbidden()
        name = data.draw(st.sampled_from(sorted(tries)))
        self.refusals += 1
        self._refused(tries[name])

    # --- invariants ----------------------------------------------------------------------------------
    @invariant()
    def the_status_is_reachable_through_the_table(self) -> None:
        assert self.status.value == self.history[-1]
        for before, after in zip(self.history, self.history[1:], strict=False):
            assert DOSSIER_MACHINE.can(S(before), S(after))

    @invariant()
    def event_times_never_go_backwards(self) -> None:
        times = [at for _code, at in self._events()]
        assert times == sorted(times)
        assert all(at <= self.clock.now() for at in times)

    @invariant()
    def nothing_is_delivered_without_the_units_receipt_and_a_result(self) -> None:
        if self.status == S.DELIVERED:
            codes = [code for code, _at in self._events()]
            assert "received" in codes and "result_ready" in codes
            assert codes.index("received") < codes.index("result_ready") < len(codes) - 1

    @invariant()
    def custody_follows_the_status(self) -> None:
        last = self.session.scalar(
            sa.select(CustodyEntry.kind)
            .where(CustodyEntry.dossier_id == self.dossier.id)
            .order_by(CustodyEntry.id.desc())
            .limit(1)
        )
        assert last is not None
        assert HOLDER_AFTER[CustodyKind(last)] == HOLDER_OF_STATUS[self.status], (last, self.status)

    @invariant()
    def attempts_and_tasks_add_up(self) -> None:
        delivery = self._delivery()
        if delivery is not None:
            recorded = self.session.scalar(
                sa.select(sa.func.count())
                .select_from(DeliveryAttempt)
                .where(DeliveryAttempt.delivery_id == delivery.id)
            )
            assert delivery.attempts == recorded <= delivery.max_attempts
            assert (delivery.status == DeliveryStatus.DELIVERED.value) == (self.status == S.DELIVERED)
        open_tasks = self.session.scalars(
            sa.select(Task.task_type).where(
                Task.dossier_code == self.dossier.code,
                Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
            )
        ).all()
        assert len(open_tasks) == len(set(open_tasks)), open_tasks


def test_no_sequence_of_allowed_actions_reaches_an_illegal_state(session: Session) -> None:
    DossierLifecycle.session = session
    DossierLifecycle.reached = set()
    run_state_machine_as_test(
        DossierLifecycle,
        settings=settings(
            max_examples=14,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            # One world per run is built through the real services, which is slow by design.
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The runs went the whole way, by the door and back to the unit, not only through refusals.
    statuses = {status for status, _delivery in DossierLifecycle.reached}
    assert {"rejected", "received", "out_for_delivery", "delivered", "returning"} <= statuses, statuses

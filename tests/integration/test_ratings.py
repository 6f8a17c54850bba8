"""Satisfaction ratings (Circular 01/2018/TT-VPCP): the post and the unit, once per dossier, and the rates."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub import create_app
from postal_hub.core.errors import Conflict, PermissionDenied, ValidationFailed
from postal_hub.core.places.services import sync_places
from postal_hub.core.users.models import Role
from postal_hub.delivery import ratings
from postal_hub.delivery.models import SatisfactionRating
from postal_hub.delivery.ratings import RatingInput
from postal_hub.delivery.status import RatingSubject
from postal_hub.extensions import db
from postal_hub.intake.models import Dossier
from tests.conftest import ENGINE, TEST_CONFIG, count
from tests.factories import applicant, user
from tests.factories_delivery import delivered_result, delivery_at_office, delivery_world
from tests.fakes import FixedClock

GOOD = RatingInput("very_satisfied")
FINE = RatingInput("satisfied")
BAD = RatingInput("not_satisfied", ("late",))


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return delivery_world(session)


OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội: another unit's commune (a commune has one unit here)


def _delivered(session: Session, world: dict[str, Any], now: Any, **overrides: Any) -> Dossier:
    dossier: Dossier = delivered_result(session, world, now, **overrides).dossier
    return dossier


def _other_unit_rated(session: Session, now: Any) -> dict[str, Any]:
    """Another unit with its own operator, one of whose dossiers is rated not satisfied twice."""
    other = delivery_world(session, unit_commune=OTHER_COMMUNE)
    dossier = _delivered(session, other, now, applicant=applicant(commune_code=OTHER_COMMUNE))
    ratings.rate(session, dossier, BAD, BAD, now)
    return other


def _fields(caught: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return set(caught.value.fields)


def test_a_delivered_dossier_is_rated_for_the_post_and_the_unit(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    ratings.rate(session, dossier, GOOD, BAD, clock.now())
    rows = {r.subject: r for r in session.scalars(sa.select(SatisfactionRating))}
    assert rows["postal"].level == "very_satisfied" and rows["postal"].reasons == ""
    assert rows["unit"].level == "not_satisfied" and rows["unit"].reasons == "late"


def test_a_rating_carries_the_dossiers_unit_operator_and_office(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    ratings.rate(session, dossier, GOOD, GOOD, clock.now())
    for row in session.scalars(sa.select(SatisfactionRating)):
        assert (row.unit_id, row.operator_id, row.office_id) == (
            world["unit"].id,
            world["operator"].id,
            world["office"].id,
        )


def test_a_second_rating_of_the_same_dossier_is_refused_and_adds_nothing(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    ratings.rate(session, dossier, GOOD, GOOD, clock.now())
    with pytest.raises(Conflict):
        ratings.rate(session, dossier, BAD, BAD, clock.now())
    assert count(session, SatisfactionRating) == 2
    assert {r.level for r in session.scalars(sa.select(SatisfactionRating))} == {"very_satisfied"}


def test_a_dossier_whose_result_is_not_delivered_cannot_be_rated(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    delivery = delivery_at_office(session, world, clock.now())
    with pytest.raises(Conflict):
        ratings.rate(session, delivery.dossier, GOOD, GOOD, clock.now())
    assert count(session, SatisfactionRating) == 0


def test_not_satisfied_without_a_reason_is_refused_on_that_subjects_reasons(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        ratings.rate(session, dossier, RatingInput("not_satisfied"), GOOD, clock.now())
    assert _fields(caught) == {"postal_reasons"}
    assert count(session, SatisfactionRating) == 0


def test_the_other_reason_needs_a_comment(session: Session, world: dict[str, Any], clock: Any) -> None:
    dossier = _delivered(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        ratings.rate(session, dossier, GOOD, RatingInput("not_satisfied", ("other",)), clock.now())
    assert _fields(caught) == {"unit_comment"}


def test_the_other_reason_with_a_comment_is_recorded(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    ratings.rate(
        session, dossier, GOOD, RatingInput("not_satisfied", ("other", "late"), "Hẹn hai lần"), clock.now()
    )
    unit = session.scalar(sa.select(SatisfactionRating).where(SatisfactionRating.subject == "unit"))
    assert unit is not None and unit.reasons == "late,other" and unit.comment == "Hẹn hai lần"


def test_a_reason_that_does_not_apply_to_the_post_is_refused(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        ratings.rate(session, dossier, RatingInput("not_satisfied", ("result_error",)), GOOD, clock.now())
    assert "postal_reasons" in _fields(caught)


def test_an_unknown_level_is_refused_on_its_field(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        ratings.rate(session, dossier, GOOD, RatingInput("delighted"), clock.now())
    assert _fields(caught) == {"unit_level"}


def test_a_comment_longer_than_a_thousand_characters_is_refused(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    with pytest.raises(ValidationFailed) as caught:
        ratings.rate(session, dossier, RatingInput("satisfied", (), "a" * 1001), GOOD, clock.now())
    assert _fields(caught) == {"postal_comment"}


def test_reasons_are_kept_only_when_not_satisfied(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    dossier = _delivered(session, world, clock.now())
    ratings.rate(session, dossier, RatingInput("satisfied", ("late",)), GOOD, clock.now())
    postal = session.scalar(sa.select(SatisfactionRating).where(SatisfactionRating.subject == "postal"))
    assert postal is not None and postal.reasons == ""


def _three_rated(session: Session, world: dict[str, Any], now: Any) -> None:
    for postal, unit in ((GOOD, FINE), (FINE, FINE), (BAD, FINE)):
        ratings.rate(session, _delivered(session, world, now), postal, unit, now)


def test_the_summary_counts_each_level_and_the_satisfied_rate(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    _three_rated(session, world, clock.now())
    summary = ratings.satisfaction_summary(
        session, start=clock.now() - timedelta(days=1), end=clock.now() + timedelta(days=1)
    )
    postal = summary[RatingSubject.POSTAL]
    assert postal.counts == {"very_satisfied": 1, "satisfied": 1, "not_satisfied": 1}
    assert postal.rate == pytest.approx(2 / 3) and postal.meets_target is False
    assert summary[RatingSubject.UNIT].rate == 1.0 and summary[RatingSubject.UNIT].meets_target is True


def test_the_summary_counts_only_the_units_asked_for(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    _three_rated(session, world, clock.now())
    other = _other_unit_rated(session, clock.now())
    window = {"start": clock.now() - timedelta(days=1), "end": clock.now() + timedelta(days=1)}
    mine = ratings.satisfaction_summary(session, [world["unit"].id], **window)
    assert mine[RatingSubject.UNIT].total == 3 and mine[RatingSubject.UNIT].rate == 1.0
    theirs = ratings.satisfaction_summary(session, None, other["operator"].id, **window)
    assert (
        theirs[RatingSubject.POSTAL].counts["not_satisfied"] == 1 and theirs[RatingSubject.POSTAL].total == 1
    )


def test_the_summary_counts_only_ratings_given_in_the_period(
    session: Session, world: dict[str, Any], clock: Any
) -> None:
    _three_rated(session, world, clock.now())
    summary = ratings.satisfaction_summary(
        session, start=clock.now() + timedelta(seconds=1), end=clock.now() + timedelta(days=1)
    )
    assert summary[RatingSubject.POSTAL].total == 0 and summary[RatingSubject.POSTAL].rate is None


def test_a_postman_has_no_view_of_the_ratings(session: Session, world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        ratings.scope_for(session, world["postman"])


def test_a_unit_officer_sees_only_their_units_ratings(session: Session, world: dict[str, Any]) -> None:
    scope = ratings.scope_for(session, world["officer"])
    assert scope.unit_ids == [world["unit"].id] and scope.operator_id is None


def test_an_agency_supervisor_sees_the_ratings_of_the_agencys_units(
    session: Session, world: dict[str, Any]
) -> None:
    agency = world["unit"].parent_id
    supervisor = user(session, Role.AGENCY_SUPERVISOR, organization=session.get(type(world["unit"]), agency))
    scope = ratings.scope_for(session, supervisor)
    assert scope.unit_ids is not None and world["unit"].id in scope.unit_ids


# --- two submissions at the same moment ------------------------------------------------------------


@pytest.mark.skipif(ENGINE != "postgresql", reason="concurrency is proven on PostgreSQL")
def test_two_simultaneous_ratings_of_one_dossier_record_exactly_one_pair(
    own_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": own_schema, "DATABASE_POOL_SIZE": 4})
    clock = FixedClock()
    app.extensions["clock"] = clock
    with app.app_context():
        sync_places(db.session)
        world = delivery_world(db.session)
        dossier_id = delivered_result(db.session, world, clock.now()).dossier_id
        db.session.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()
    checked = ratings.already_rated

    def both_checked(session: Session, dossier_id: int) -> bool:
        # Both submissions find no rating before either writes: only the unique constraint can stop one.
        found = checked(session, dossier_id)
        barrier.wait()
        return found

    monkeypatch.setattr(ratings, "already_rated", both_checked)

    def submit(level: str) -> None:
        with app.app_context():
            dossier = db.session.get(Dossier, dossier_id)
            assert dossier is not None
            try:
                ratings.rate(db.session, dossier, RatingInput(level), RatingInput(level), clock.now())
                db.session.commit()
                outcome = "rated"
            except Conflict:
                db.session.rollback()
                outcome = "refused"
            except Exception as exc:  # reported below: each submission is rated or refused, nothing else
                db.session.rollback()
                outcome = f"error: {exc!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(level,)) for level in ("satisfied", "very_satisfied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["rated", "refused"]
    with app.app_context():
        rows = list(
            db.session.scalars(
                sa.select(SatisfactionRating).where(SatisfactionRating.dossier_id == dossier_id)
            )
        )
        assert len(rows) == 2 and len({r.level for r in rows}) == 1

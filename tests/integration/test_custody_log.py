"""The custody log in the database: append-only, verified end to end, checkpoints signed and checked."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from postal_hub.core.custody import services as custody
from postal_hub.core.custody.chain import canonical_json
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.custody.models import CustodyEntry
from postal_hub.core.custody.signing import check
from tests import factories
from tests.conftest import ENGINE
from tests.fakes import FixedClock

SECRET = "test-secret"


def _fill(session: Session, org: Any, clock: FixedClock, n: int) -> None:
    for i in range(n):
        custody.append(
            session,
            org,
            CustodyKind.SEALED,
            custody.Subject(None, f"X-261120-{i:04d}", f"RR{i:08d}5VN", "BK-1"),
            clock.now(),
            "clerk",
            "Bưu cục",
            {"seal": f"S-{i}"},
        )
        clock.advance(minutes=1)


def _without_append_only_guard(session: Session) -> None:
    """Tests of tampering need to do what the app never may; the change is rolled back with the test."""
    if ENGINE == "postgresql":
        session.execute(sa.text("ALTER TABLE custody_entries DISABLE TRIGGER custody_entries_append_only"))
    else:
        session.execute(sa.text("DROP TRIGGER custody_entries_no_update"))
        session.execute(sa.text("DROP TRIGGER custody_entries_no_delete"))


def test_appends_number_each_organizations_chain_from_one(session: Session, clock: FixedClock) -> None:
    first, second = factories.unit(session), factories.operator(session)
    _fill(session, first, clock, 3)
    _fill(session, second, clock, 2)
    seqs = session.execute(
        sa.select(CustodyEntry.organization_id, CustodyEntry.seq).order_by(CustodyEntry.id)
    ).all()
    assert [s for o, s in seqs if o == first.id] == [1, 2, 3] and [s for o, s in seqs if o == second.id] == [
        1,
        2,
    ]


def test_a_clean_chain_verifies(session: Session, clock: FixedClock) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 5)
    report = custody.verify_org(session, org, SECRET)
    assert report.ok and report.verdict.size == 5


@pytest.mark.parametrize(
    "statement", ["UPDATE custody_entries SET actor = 'x'", "DELETE FROM custody_entries"]
)
def test_the_database_refuses_to_change_or_delete_entries(
    session: Session, clock: FixedClock, statement: str
) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 2)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(sa.text(statement))


def test_an_edited_entry_is_found_at_its_position(session: Session, clock: FixedClock) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 6)
    _without_append_only_guard(session)
    session.execute(
        sa.update(CustodyEntry)
        .where(CustodyEntry.organization_id == org.id, CustodyEntry.seq == 4)
        .values(place="Nơi khác")
    )
    report = custody.verify_org(session, org, SECRET)
    assert report.verdict.problem is not None and report.verdict.problem.seq == 4


def test_a_truncated_chain_is_found_against_its_head(session: Session, clock: FixedClock) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 4)
    _without_append_only_guard(session)
    session.execute(
        sa.delete(CustodyEntry).where(CustodyEntry.organization_id == org.id, CustodyEntry.seq == 4)
    )
    report = custody.verify_org(session, org, SECRET)
    assert not report.ok and report.problems


def test_a_checkpoint_is_signed_and_exported_with_its_public_key(session: Session, clock: FixedClock) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 3)
    point = custody.make_checkpoint(session, org, clock.now(), SECRET)
    assert point is not None
    exported = custody.export_checkpoint(org.code, point)
    statement = {k: exported[k] for k in ("organization", "size", "head_hash", "at")}
    assert exported["size"] == 3 and exported["algorithm"] == "Ed25519"
    assert check(exported["public_key"], canonical_json(statement), exported["signature"])


def test_no_second_checkpoint_is_made_while_the_chain_has_not_grown(
    session: Session, clock: FixedClock
) -> None:
    org = factories.unit(session)
    _fill(session, org, clock, 2)
    assert custody.make_checkpoint(session, org, clock.now(), SECRET) is not None
    assert custody.make_checkpoint(session, org, clock.now(), SECRET) is None


def test_the_periodic_round_signs_grown_chains_once_a_day(session: Session, clock: FixedClock) -> None:
    from datetime import timedelta

    org = factories.unit(session)
    _fill(session, org, clock, 2)
    day = timedelta(hours=24)
    assert custody.checkpoint_all(session, clock.now(), SECRET, day) >= 1
    _fill(session, org, clock, 1)
    assert custody.checkpoint_all(session, clock.now(), SECRET, day) == 0
    clock.advance(hours=25)
    assert custody.checkpoint_all(session, clock.now(), SECRET, day) >= 1


def test_a_rewritten_history_no_longer_matches_its_checkpoint(session: Session, clock: FixedClock) -> None:
    from postal_hub.core.custody import chain
    from postal_hub.core.custody.models import CustodyHead

    org = factories.unit(session)
    _fill(session, org, clock, 3)
    custody.make_checkpoint(session, org, clock.now(), SECRET)
    _without_append_only_guard(session)
    # A forger rewrites entry 3 and recomputes its hash and the head, so the chain alone looks fine.
    entry = session.scalar(
        sa.select(CustodyEntry).where(CustodyEntry.organization_id == org.id, CustodyEntry.seq == 3)
    )
    assert entry is not None
    entry.place = "Nơi khác"
    entry.hash = chain.entry_hash(entry.prev_hash, chain.entry_document(entry))
    head = session.get(CustodyHead, org.id)
    assert head is not None
    head.head_hash = entry.hash
    session.flush()
    report = custody.verify_org(session, org, SECRET)
    assert report.verdict.ok and not report.ok and "checkpoint" in report.problems[0]


def test_a_checkpoint_signed_with_another_key_is_not_taken_for_ours(
    session: Session, clock: FixedClock
) -> None:
    from postal_hub.core.custody import signing

    org = factories.unit(session)
    _fill(session, org, clock, 2)
    point = custody.make_checkpoint(session, org, clock.now(), "a forger's secret")
    assert point is not None and signing.check(
        point.public_key, custody.checkpoint_message(org.code, point), point.signature
    )
    report = custody.verify_org(session, org, SECRET)
    assert not report.ok and "another key" in report.problems[0]

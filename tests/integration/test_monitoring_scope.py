"""Each viewer's dashboards count only what is theirs: the scope a role gets, and the totals it then sees
on two operators' worlds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import PermissionDenied
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.monitoring import query
from postal_hub.monitoring.access import can_monitor, scope_for
from postal_hub.monitoring.query import Filters, Scope
from postal_hub.monitoring.refresh import refresh
from tests import factories
from tests.factories_monitoring import MONDAY, past_dossier, second_world, trip, world
from tests.fakes import FixedClock

NOVEMBER = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))


@dataclass
class Worlds:
    """Operator A runs office A1 (province 79) and A2 (province 01); operator B runs B1, also in 79.
    Agency A has units UA and UA2; agency B has unit UB."""

    a: dict[str, Any]
    b: dict[str, Any]
    office_a2: PostOffice
    unit_a2: Organization
    agency_a: Organization
    agency_b: Organization


# Dossiers per (office, unit), in powers of two so that any sum says exactly which cells it counted.
CELLS = {("A1", "UA"): 1, ("A1", "UA2"): 2, ("A2", "UA"): 4, ("B1", "UB"): 8, ("B1", "UA"): 16}


@pytest.fixture
def worlds(session: Session, clock: FixedClock) -> Worlds:
    a = world(session)
    b = second_world(session, a, office_province="79")
    agency_a = session.get(Organization, a["unit"].parent_id)
    agency_b = session.get(Organization, b["unit"].parent_id)
    assert agency_a is not None and agency_b is not None
    made = Worlds(
        a=a,
        b=b,
        office_a2=factories.post_office(session, a["operator"], province_code="01"),
        unit_a2=factories.unit(
            session, agency_a, level="commune", province_code="01", commune_code=a["unit"].commune_code
        ),
        agency_a=agency_a,
        agency_b=agency_b,
    )
    offices = {"A1": a["office"], "A2": made.office_a2, "B1": b["office"]}
    units = {"UA": a["unit"], "UA2": made.unit_a2, "UB": b["unit"]}
    for (office, unit), n in CELLS.items():
        for i in range(n):
            journey = trip(MONDAY + timedelta(days=i % 10))
            owner = b if office == "B1" else a
            past_dossier(session, owner, journey, office=offices[office], unit=units[unit])
    refresh(session, clock.now())
    return made


def seen(session: Session, viewer: User) -> int:
    return query.totals(session, scope_for(session, viewer), NOVEMBER)["dossiers"]


def manager(session: Session, w: Worlds, office: PostOffice | None = None) -> User:
    return factories.user(
        session,
        Role.POSTAL_MANAGER,
        organization=w.a["operator"],
        post_office_id=office.id if office is not None else None,
    )


# --- the scope each role gets -------------------------------------------------------------------------


def test_an_administrator_sees_everything(session: Session, worlds: Worlds) -> None:
    admin = factories.user(session, Role.SYSTEM_ADMIN)
    assert (scope_for(session, admin), seen(session, admin)) == (Scope(), 31)


def test_a_postal_manager_at_an_office_gets_the_operators_province(session: Session, worlds: Worlds) -> None:
    viewer = manager(session, worlds, worlds.a["office"])
    assert scope_for(session, viewer) == Scope(operator_id=worlds.a["operator"].id, province_code="79")


def test_a_postal_manager_at_an_office_sees_their_operators_offices_in_that_province_only(
    session: Session, worlds: Worlds
) -> None:
    # A1's dossiers; not A2's (same operator, province 01), not B1's (another operator, also in 79).
    assert seen(session, manager(session, worlds, worlds.a["office"])) == 1 + 2


def test_a_postal_manager_at_the_other_province_sees_that_province(session: Session, worlds: Worlds) -> None:
    assert seen(session, manager(session, worlds, worlds.office_a2)) == 4


def test_a_postal_manager_without_an_office_sees_all_the_operator_runs(
    session: Session, worlds: Worlds
) -> None:
    viewer = manager(session, worlds)
    assert (scope_for(session, viewer), seen(session, viewer)) == (
        Scope(operator_id=worlds.a["operator"].id),
        1 + 2 + 4,
    )


def test_an_agency_supervisor_sees_their_own_units(session: Session, worlds: Worlds) -> None:
    viewer = factories.user(session, Role.AGENCY_SUPERVISOR, organization=worlds.agency_a)
    expected_units = tuple(sorted((worlds.a["unit"].id, worlds.unit_a2.id)))
    # UA's and UA2's, whichever operator's office took them in; never UB's.
    assert (scope_for(session, viewer), seen(session, viewer)) == (
        Scope(unit_ids=expected_units),
        1 + 2 + 4 + 16,
    )


def test_an_agency_supervisor_does_not_see_a_sibling_agencys_units(session: Session, worlds: Worlds) -> None:
    viewer = factories.user(session, Role.AGENCY_SUPERVISOR, organization=worlds.agency_b)
    assert seen(session, viewer) == 8


def test_a_supervisor_attached_to_a_unit_sees_that_unit(session: Session, worlds: Worlds) -> None:
    viewer = factories.user(session, Role.AGENCY_SUPERVISOR, organization=worlds.unit_a2)
    assert seen(session, viewer) == 2


def test_a_unit_officer_sees_their_own_unit_only(session: Session, worlds: Worlds) -> None:
    viewer = factories.user(session, Role.UNIT_OFFICER, organization=worlds.a["unit"])
    # Not UA2's, though the same agency runs it.
    assert (scope_for(session, viewer), seen(session, viewer)) == (
        Scope(unit_ids=(worlds.a["unit"].id,)),
        1 + 4 + 16,
    )


@pytest.mark.parametrize("role", [Role.POSTAL_CLERK, Role.POSTMAN, Role.CITIZEN, Role.TRAINER])
def test_other_roles_have_no_dashboard(session: Session, role: Role) -> None:
    viewer = factories.user(session, role)
    assert not can_monitor(viewer)
    with pytest.raises(PermissionDenied):
        scope_for(session, viewer)


# --- the same scopes on the other indicators ------------------------------------------------------------


def test_a_managers_series_by_office_lists_only_their_offices(session: Session, worlds: Worlds) -> None:
    viewer = manager(session, worlds, worlds.a["office"])
    rows = query.summed(session, scope_for(session, viewer), NOVEMBER, group_by=("office_id",))
    assert {key[0]: t["dossiers"] for key, t in rows} == {worlds.a["office"].id: 3}


def test_an_agency_supervisors_ranking_by_unit_lists_only_their_units(
    session: Session, worlds: Worlds
) -> None:
    viewer = factories.user(session, Role.AGENCY_SUPERVISOR, organization=worlds.agency_a)
    rows = query.summed(session, scope_for(session, viewer), NOVEMBER, group_by=("unit_id",))
    assert {key[0]: t["dossiers"] for key, t in rows} == {worlds.a["unit"].id: 21, worlds.unit_a2.id: 2}


def test_a_filter_cannot_widen_a_scope(session: Session, worlds: Worlds) -> None:
    viewer = factories.user(session, Role.UNIT_OFFICER, organization=worlds.a["unit"])
    other = Filters(start=NOVEMBER.start, end=NOVEMBER.end, unit_id=worlds.b["unit"].id)
    assert query.totals(session, scope_for(session, viewer), other)["dossiers"] == 0


def test_a_managers_task_figures_count_their_offices_tasks_only(
    session: Session, clock: FixedClock, worlds: Worlds
) -> None:
    viewer = manager(session, worlds, worlds.a["office"])
    rows = query.task_summed(session, scope_for(session, viewer), NOVEMBER, (), clock.now())
    everyone = query.task_summed(session, Scope(), NOVEMBER, (), clock.now())
    # Every trip leaves five tasks (acceptance, digitization, carriage, collection, delivery).
    assert (rows[0][1]["tasks"], everyone[0][1]["tasks"]) == (5 * 3, 5 * 31)


def test_a_unit_officers_task_figures_count_their_units_tasks_only(
    session: Session, clock: FixedClock, worlds: Worlds
) -> None:
    viewer = factories.user(session, Role.UNIT_OFFICER, organization=worlds.unit_a2)
    rows = query.task_summed(session, scope_for(session, viewer), NOVEMBER, (), clock.now())
    assert rows[0][1]["tasks"] == 5 * 2


def test_a_managers_unit_choices_are_the_units_their_offices_served_wherever_they_are(
    session: Session, worlds: Worlds
) -> None:
    """Office A1 (province 79) served UA and UA2, both in province 01; B1's UB is not A's to pick."""
    from postal_hub.monitoring.access import visible_units

    viewer = manager(session, worlds, worlds.a["office"])
    names = {u.id for u in visible_units(session, scope_for(session, viewer))}
    assert names == {worlds.a["unit"].id, worlds.unit_a2.id}

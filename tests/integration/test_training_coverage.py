"""Coverage counted on a small network built by hand, where every figure is known in advance."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.core.errors import NotFound
from postal_hub.core.users.models import Role, User
from postal_hub.training.coverage import (
    OfficeCoverage,
    coverage_provinces,
    coverage_totals,
    get_coverage_office,
    office_coverage,
    office_staff,
    staffing_in_area,
)
from postal_hub.training.status import EnrolmentStatus
from tests import factories
from tests.factories_training import enrolment_only, expiring_in, procedure_group

TODAY = date(2026, 11, 20)  # the test clock's day in Hanoi


def _staff(session: Session, op: Any, office: Any, role: Role = Role.POSTAL_CLERK, **kw: Any) -> User:
    return factories.user(session, role, organization=op, post_office_id=office.id, **kw)


@pytest.fixture
def net(session: Session) -> dict[str, Any]:
    """Operator A: Hà Nội office (7 staff counted) and Hồ Chí Minh office (2); operator B: one office.

    Hà Nội: clerk1 CA valid 10 days left, and an expired CB; postman CB valid (a postman serves no group at
    the counter); manager CC valid 45 days left; clerk2 CB revoked (trained); clerk3 failed a course
    (trained, no certificate); clerk4 never enrolled; clerk5 enrolled but not assessed yet; an inactive
    clerk with a valid CA (not counted). Hồ Chí Minh: clerk6 CA+CB valid 80 days left; a postman never
    trained. A manager at A's head office (no office) holds a valid CC: counted in no office."""
    ca, cb, cc = (procedure_group(session, code) for code in ("CA", "CB", "CC"))
    op_a, op_b = factories.operator(session), factories.operator(session)
    hanoi = factories.post_office(session, op_a, province_code="01")
    saigon = factories.post_office(session, op_a, province_code="79")
    other = factories.post_office(session, op_b, province_code="01")

    clerk1 = _staff(session, op_a, hanoi)
    expiring_in(session, clerk1, [ca], TODAY, 10)
    expiring_in(session, clerk1, [cb], TODAY, -50)
    postman = _staff(session, op_a, hanoi, Role.POSTMAN)
    expiring_in(session, postman, [cb], TODAY, 200)
    manager = _staff(session, op_a, hanoi, Role.POSTAL_MANAGER)
    expiring_in(session, manager, [cc], TODAY, 45)
    clerk2 = _staff(session, op_a, hanoi)
    expiring_in(session, clerk2, [cb], TODAY, 300, revoked=True)
    clerk3 = _staff(session, op_a, hanoi)
    enrolment_only(session, clerk3, EnrolmentStatus.FAILED)
    clerk4 = _staff(session, op_a, hanoi)
    clerk5 = _staff(session, op_a, hanoi)
    enrolment_only(session, clerk5, EnrolmentStatus.ENROLLED, starts_on=date(2026, 12, 7))
    gone = _staff(session, op_a, hanoi, active=False)
    expiring_in(session, gone, [ca], TODAY, 100)

    clerk6 = _staff(session, op_a, saigon)
    expiring_in(session, clerk6, [ca, cb], TODAY, 80)
    postman2 = _staff(session, op_a, saigon, Role.POSTMAN)

    head = factories.user(session, Role.POSTAL_MANAGER, organization=op_a)
    expiring_in(session, head, [cc], TODAY, 5)
    clerk7 = _staff(session, op_b, other)
    expiring_in(session, clerk7, [cc], TODAY, 20)
    return {
        "groups": (ca, cb, cc),
        "op_a": op_a,
        "op_b": op_b,
        "hanoi": hanoi,
        "saigon": saigon,
        "other": other,
        "people": {
            "clerk1": clerk1,
            "postman": postman,
            "manager": manager,
            "clerk2": clerk2,
            "clerk3": clerk3,
            "clerk4": clerk4,
            "clerk5": clerk5,
            "clerk6": clerk6,
            "postman2": postman2,
        },
        "head": head,
        "admin": factories.user(session, Role.SYSTEM_ADMIN),
        "trainer_a": factories.user(session, Role.TRAINER, organization=op_a),
    }


def _by_office(rows: list[OfficeCoverage]) -> dict[int, OfficeCoverage]:
    return {row.office.id: row for row in rows}


def _codes(groups: list[Any]) -> list[str]:
    return [g.code for g in groups]


def test_an_office_counts_its_active_postal_staff_and_those_holding_a_valid_certificate(
    session: Session, net: dict[str, Any]
) -> None:
    rows = _by_office(office_coverage(session, net["head"], TODAY))
    hanoi, saigon = rows[net["hanoi"].id], rows[net["saigon"].id]
    assert (hanoi.staff, hanoi.certified_staff) == (7, 3)
    assert (saigon.staff, saigon.certified_staff) == (2, 1)


def test_a_group_is_served_by_a_certified_clerk_or_manager_but_not_by_a_postman(
    session: Session, net: dict[str, Any]
) -> None:
    rows = _by_office(office_coverage(session, net["head"], TODAY))
    hanoi, saigon = rows[net["hanoi"].id], rows[net["saigon"].id]
    assert (_codes(hanoi.served), _codes(hanoi.unserved)) == (["CA", "CC"], ["CB"])
    assert (_codes(saigon.served), _codes(saigon.unserved)) == (["CA", "CB"], ["CC"])


def test_expiring_certificates_are_counted_within_each_horizon_including_the_shorter_ones(
    session: Session, net: dict[str, Any]
) -> None:
    rows = _by_office(office_coverage(session, net["head"], TODAY))
    assert rows[net["hanoi"].id].expiring == {30: 1, 60: 2, 90: 2}
    assert rows[net["saigon"].id].expiring == {30: 0, 60: 0, 90: 1}


def test_someone_who_failed_a_course_is_trained_and_someone_only_enrolled_or_never_enrolled_is_not(
    session: Session, net: dict[str, Any]
) -> None:
    rows = _by_office(office_coverage(session, net["head"], TODAY))
    assert rows[net["hanoi"].id].never_trained == 2  # clerk4 never enrolled, clerk5 not assessed yet
    assert rows[net["saigon"].id].never_trained == 1


def test_the_office_page_lists_each_staff_member_with_every_certificate_and_whether_trained(
    session: Session, net: dict[str, Any]
) -> None:
    lines = {line.user.id: line for line in office_staff(session, net["hanoi"])}
    people = net["people"]
    assert len(lines) == 7
    assert [c.expires_on for c in lines[people["clerk1"].id].certificates] == sorted(
        (c.expires_on for c in lines[people["clerk1"].id].certificates), reverse=True
    )
    assert len(lines[people["clerk1"].id].certificates) == 2
    assert len(lines[people["clerk1"].id].valid(TODAY)) == 1
    assert lines[people["clerk2"].id].valid(TODAY) == [] and lines[people["clerk2"].id].trained
    assert lines[people["clerk3"].id].certificates == [] and lines[people["clerk3"].id].trained
    assert not lines[people["clerk4"].id].trained and not lines[people["clerk5"].id].trained


def test_the_totals_add_up_the_offices_and_name_the_groups_no_office_serves(
    session: Session, net: dict[str, Any]
) -> None:
    totals = coverage_totals(office_coverage(session, net["head"], TODAY))
    assert (totals.offices, totals.staff, totals.certified_staff, totals.never_trained) == (2, 9, 4, 3)
    assert totals.expiring == {30: 1, 60: 2, 90: 3}
    assert (_codes(totals.served), _codes(totals.unserved)) == (["CA", "CB", "CC"], [])
    only_saigon = coverage_totals(office_coverage(session, net["head"], TODAY, province_code="79"))
    assert _codes(only_saigon.unserved) == ["CC"]


def test_a_manager_or_trainer_sees_their_operators_offices_and_the_administrator_sees_all(
    session: Session, net: dict[str, Any]
) -> None:
    mine = {net["hanoi"].id, net["saigon"].id}
    assert set(_by_office(office_coverage(session, net["head"], TODAY))) == mine
    assert set(_by_office(office_coverage(session, net["trainer_a"], TODAY))) == mine
    assert set(_by_office(office_coverage(session, net["admin"], TODAY))) >= mine | {net["other"].id}
    assert office_coverage(session, net["people"]["clerk1"], TODAY) == []


def test_the_province_filter_and_the_search_narrow_the_offices(session: Session, net: dict[str, Any]) -> None:
    assert set(_by_office(office_coverage(session, net["head"], TODAY, province_code="79"))) == {
        net["saigon"].id
    }
    found = office_coverage(session, net["head"], TODAY, q=net["hanoi"].name.upper())
    assert [row.office.id for row in found] == [net["hanoi"].id]
    assert {p.code for p in coverage_provinces(session, net["head"])} == {"01", "79"}


def test_an_office_of_another_operator_is_not_found(session: Session, net: dict[str, Any]) -> None:
    assert get_coverage_office(session, net["head"], net["hanoi"].id).id == net["hanoi"].id
    with pytest.raises(NotFound):
        get_coverage_office(session, net["head"], net["other"].id)
    assert get_coverage_office(session, net["admin"], net["other"].id).id == net["other"].id


def test_staffing_in_the_whole_country_counts_every_office_of_the_operator(
    session: Session, net: dict[str, Any]
) -> None:
    staffing = staffing_in_area(session, net["op_a"].id, None, TODAY)
    assert (staffing.offices, staffing.staff, staffing.trained) == (2, 9, 4)


def test_staffing_in_one_province_counts_only_its_offices(session: Session, net: dict[str, Any]) -> None:
    saigon = staffing_in_area(session, net["op_a"].id, ["79"], TODAY)
    hanoi = staffing_in_area(session, net["op_a"].id, ["01"], TODAY)
    assert (saigon.offices, saigon.staff, saigon.trained) == (1, 2, 1)
    assert (hanoi.offices, hanoi.staff, hanoi.trained) == (1, 7, 3)
    assert staffing_in_area(session, net["op_a"].id, ["48"], TODAY).offices == 0


def test_the_figures_change_with_the_day_certificates_lapse(session: Session, net: dict[str, Any]) -> None:
    later = date(2026, 12, 1)  # clerk1's CA lapsed on 30/11: Hà Nội no longer serves CA
    rows = _by_office(office_coverage(session, net["head"], later))
    assert _codes(rows[net["hanoi"].id].served) == ["CC"]
    assert rows[net["hanoi"].id].certified_staff == 2
    assert staffing_in_area(session, net["op_a"].id, None, later).trained == 3

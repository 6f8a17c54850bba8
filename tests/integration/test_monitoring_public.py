"""The transparency page's figures on a hand-built set where the answers are known, read after a refresh
round: per province, for the whole country, month by month and per procedure group; a rate resting on
fewer than five dossiers or ratings is withheld."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from postal_hub.monitoring import public
from postal_hub.monitoring.public import Period, Rate
from postal_hub.monitoring.refresh import refresh
from tests import factories
from tests.factories_monitoring import MONDAY, Journey, delivered_on_time, past_dossier, second_world, world
from tests.factories_training import procedure_group
from tests.fakes import FixedClock

DAY = timedelta(days=1)
TODAY = date(2026, 11, 20)  # the test clock's day
DEFAULT = public.period_for(None, TODAY)
SATISFIED = {"postal": "satisfied", "unit": "very_satisfied"}


@dataclass
class Country:
    hcm: dict[str, Any]  # the world whose office is in Hồ Chí Minh City (79)
    danang: dict[str, Any]  # and in Đà Nẵng (48)


@pytest.fixture
def country(session: Session, clock: FixedClock) -> Country:
    """Hồ Chí Minh City, November: five dossiers delivered on time (four rated by both subjects, one
    rating the post as not satisfied), one delivered late (appointment day 5, delivered day 7) and
    rated, one still open and not digitized. October: two more on time. Đà Nẵng: two on time."""
    hcm = world(session)
    danang = second_world(session, hcm, office_province="48")
    for i in range(4):
        past_dossier(session, hcm, delivered_on_time(hcm, MONDAY + i * DAY, ratings=SATISFIED))
    past_dossier(session, hcm, delivered_on_time(hcm, MONDAY, ratings={"postal": "not_satisfied"}))
    late = delivered_on_time(hcm, MONDAY, appointment_at=MONDAY + 5 * DAY, ratings={"postal": "satisfied"})
    past_dossier(session, hcm, late)
    past_dossier(session, hcm, Journey(accepted_at=MONDAY + DAY))
    for i in range(2):
        past_dossier(session, hcm, delivered_on_time(hcm, MONDAY - 28 * DAY + i * DAY))
        past_dossier(session, danang, delivered_on_time(danang, MONDAY + i * DAY))
    refresh(session, clock.now())
    return Country(hcm, danang)


def row(overview: public.Overview, code: str) -> public.ProvinceRow:
    return next(p for p in overview.provinces if p.code == code)


def shown(rate: Rate) -> float | None:
    return None if rate.value is None else round(rate.value, 1)


def test_a_province_shows_its_volume_and_each_rate(session: Session, country: Country) -> None:
    figures = row(public.overview(session, DEFAULT), "79").figures

    assert figures.dossiers == 9
    assert shown(figures.on_time) == 87.5  # 7 of the 8 closed
    assert shown(figures.postal_satisfaction) == 83.3  # 5 of 6 ratings
    assert shown(figures.digitization) == 88.9  # 8 of 9


def test_postal_and_unit_satisfaction_are_counted_apart(session: Session, country: Country) -> None:
    figures = row(public.overview(session, DEFAULT), "79").figures

    assert shown(figures.postal_satisfaction) == 83.3
    assert figures.unit_satisfaction == Rate(None, suppressed=True)  # only 4 unit ratings


def test_a_rate_from_fewer_than_five_dossiers_is_withheld(session: Session, country: Country) -> None:
    figures = row(public.overview(session, DEFAULT), "48").figures

    assert figures.dossiers == 2
    assert figures.on_time == Rate(None, suppressed=True)
    assert figures.digitization == Rate(None, suppressed=True)


def test_a_rate_with_nothing_to_count_is_empty_but_not_withheld(session: Session, country: Country) -> None:
    figures = row(public.overview(session, DEFAULT), "48").figures

    assert figures.postal_satisfaction == Rate(None, suppressed=False)


def test_the_country_sums_every_province(session: Session, country: Country) -> None:
    national = public.overview(session, DEFAULT).national

    assert national.dossiers == 11
    assert shown(national.on_time) == 90.0  # 9 of 10 closed
    assert shown(national.digitization) == 90.9  # 10 of 11


def test_a_province_without_dossiers_is_listed_with_nothing(session: Session, country: Country) -> None:
    figures = row(public.overview(session, DEFAULT), "01").figures

    assert figures.dossiers == 0
    assert all(rate == Rate(None) for rate in figures.rates)


def test_every_province_is_listed_in_vietnamese_alphabetical_order(
    session: Session, country: Country
) -> None:
    names = [p.name for p in public.overview(session, DEFAULT).provinces]

    assert len(names) == 34
    assert names[:5] == [
        "Tỉnh An Giang",
        "Tỉnh Bắc Ninh",
        "Tỉnh Cà Mau",
        "Tỉnh Cao Bằng",
        "Thành phố Cần Thơ",
    ]
    assert names.index("Tỉnh Đồng Tháp") < names.index("Tỉnh Gia Lai") < names.index("Thành phố Hà Nội")


def test_a_shorter_period_counts_only_its_own_dossiers(session: Session, country: Country) -> None:
    this_quarter = public.period_for("this_quarter", TODAY)  # from 1 October: everything
    november = Period("test", date(2026, 11, 1), TODAY)

    assert row(public.overview(session, this_quarter), "79").figures.dossiers == 9
    assert row(public.overview(session, november), "79").figures.dossiers == 7


def test_a_province_page_has_every_month_of_the_period(session: Session, country: Country) -> None:
    detail = public.province_detail(session, "79", DEFAULT)

    assert detail is not None
    months = [m for m, _f in detail.months]
    assert (len(months), months[0], months[-1]) == (13, date(2025, 11, 1), date(2026, 11, 1))
    by_month = {m: f for m, f in detail.months}
    assert by_month[date(2026, 10, 1)].dossiers == 2
    assert by_month[date(2026, 11, 1)].dossiers == 7
    assert shown(by_month[date(2026, 11, 1)].on_time) == 83.3  # 5 of 6 closed
    assert by_month[date(2026, 10, 1)].on_time == Rate(None, suppressed=True)
    assert by_month[date(2026, 9, 1)] == public.Figures.of(public.Totals())


def test_a_province_page_totals_match_the_overview(session: Session, country: Country) -> None:
    detail = public.province_detail(session, "79", DEFAULT)

    assert detail is not None
    assert detail.figures == row(public.overview(session, DEFAULT), "79").figures


def test_a_province_page_breaks_down_by_procedure_group_by_name(
    session: Session, clock: FixedClock, country: Country
) -> None:
    land = factories.procedure(session, group_id=procedure_group(session, "DD", "Đất đai").id)
    ungrouped = factories.procedure(session, group_id=None)
    for i in range(5):
        past_dossier(session, country.hcm, delivered_on_time(country.hcm, MONDAY + i * DAY), procedure=land)
    past_dossier(session, country.hcm, Journey(accepted_at=MONDAY), procedure=ungrouped)
    refresh(session, clock.now())

    detail = public.province_detail(session, "79", DEFAULT)

    assert detail is not None
    assert [(g.label, g.figures.dossiers) for g in detail.groups] == [
        ("Đất đai", 5),
        ("Nhóm thủ tục thử", 9),
        ("", 1),  # no group: listed last
    ]
    assert shown(detail.groups[0].figures.on_time) == 100.0


def test_an_unknown_province_has_no_page(session: Session, country: Country) -> None:
    assert public.province_detail(session, "99", DEFAULT) is None


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        (None, date(2025, 11, 1), TODAY),
        ("last_12_months", date(2025, 11, 1), TODAY),
        ("nonsense", date(2025, 11, 1), TODAY),
        ("this_quarter", date(2026, 10, 1), TODAY),
        ("last_quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("this_year", date(2026, 1, 1), TODAY),
    ],
)
def test_each_period_runs_between_its_days(key: str | None, start: date, end: date) -> None:
    period = public.period_for(key, TODAY)

    assert (period.start, period.end) == (start, end)


def test_last_quarter_in_january_is_the_previous_years_last() -> None:
    period = public.period_for("last_quarter", date(2027, 1, 15))

    assert (period.start, period.end) == (date(2026, 10, 1), date(2026, 12, 31))

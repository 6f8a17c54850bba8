"""CSV import: a good file imports, a file with bad rows imports nothing and names each line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.csv_import import ImportFailed, import_post_offices, import_procedures
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.procedures.models import Procedure
from tests import factories
from tests.conftest import count

OFFICE_HEADER = "code,name,postcode,address,province_code,commune_code,opening_hours,lat,lon\n"
GOOD_OFFICES = OFFICE_HEADER + (
    'A10001,Bưu cục Ba Đình,11100,"1 Điện Biên Phủ, Phường Ba Đình",01,00004,Mo-Fr 07:30-17:00,'
    "21.03652,105.82684\n"
    "A10002,Bưu cục Hồng Hà,11000,2 Phúc Xá,1,97,Mo-Sa 07:30-17:00,,\n"
)
PROC_HEADER = (
    "code,name,competent_level,unit_code,field,fee,charge,processing_days,postal_allowed,"
    "onsite_inspection,component_code,component_name,component_original,component_count\n"
)


def test_a_good_office_file_creates_every_office(session: Session) -> None:
    report = import_post_offices(session, None, factories.operator(session), GOOD_OFFICES)
    assert (report.created, report.updated) == (2, 0)
    office = session.scalar(sa.select(PostOffice).where(PostOffice.code == "A10002"))
    assert office is not None and office.commune_code == "00097"  # leading zeros restored


def test_importing_the_same_file_again_updates_nothing(session: Session) -> None:
    operator = factories.operator(session)
    import_post_offices(session, None, operator, GOOD_OFFICES)
    report = import_post_offices(session, None, operator, GOOD_OFFICES)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_a_changed_row_updates_the_office_with_that_code(session: Session) -> None:
    operator = factories.operator(session)
    import_post_offices(session, None, operator, GOOD_OFFICES)
    report = import_post_offices(
        session, None, operator, GOOD_OFFICES.replace("Bưu cục Hồng Hà", "Bưu cục Phúc Xá")
    )
    assert report.updated == 1


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(session: Session) -> None:
    operator = factories.operator(session)
    before = count(session, PostOffice)
    bad = (
        GOOD_OFFICES + "A10003,Bưu cục X,123,1 Phố,01,00004,Mo-Fr 07:30-17:00,,\n"
        "A10004,Bưu cục Y,10000,1 Phố,01,26740,Mo-Fr 07:30-17:00,,\n"
    )
    with pytest.raises(ImportFailed) as caught:
        import_post_offices(session, None, operator, bad)
    lines = {line for line, _message in caught.value.problems}
    assert lines == {4, 5}
    assert any("postcode" in message for _line, message in caught.value.problems)
    assert count(session, PostOffice) == before


def test_a_code_repeated_in_the_file_is_reported(session: Session) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_post_offices(
            session, None, factories.operator(session), GOOD_OFFICES + GOOD_OFFICES.split("\n")[1]
        )
    assert caught.value.problems[0][0] == 4


def test_a_file_missing_columns_is_refused(session: Session) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_post_offices(session, None, factories.operator(session), "code,name\nA1,B\n")
    assert caught.value.problems[0][0] == 1
    assert "postcode" in caught.value.problems[0][1]


def test_a_file_that_is_not_utf8_is_refused(session: Session) -> None:
    with pytest.raises(ImportFailed):
        import_post_offices(session, None, factories.operator(session), GOOD_OFFICES.encode("utf-16"))


def test_an_excel_utf8_file_with_a_byte_order_mark_imports(session: Session) -> None:
    report = import_post_offices(
        session, None, factories.operator(session), "\ufeff".encode() + GOOD_OFFICES.encode()
    )
    assert report.created == 2


def test_a_procedure_file_groups_component_rows_into_one_procedure(session: Session) -> None:
    rows = PROC_HEADER + (
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,0,0,1,true,false,TP1,Tờ khai,original,1\n"
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,0,0,1,true,false,TP2,Giấy chứng sinh,original,1\n"
    )
    assert import_procedures(session, None, rows).created == 1
    procedure = session.scalar(sa.select(Procedure).where(Procedure.code == "1.001193"))
    assert procedure is not None and [c.code for c in procedure.components] == ["TP1", "TP2"]


def test_procedure_rows_that_disagree_are_reported_and_nothing_is_imported(session: Session) -> None:
    rows = PROC_HEADER + (
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,0,0,1,true,false,TP1,Tờ khai,original,1\n"
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,8000,0,1,true,false,TP2,Giấy chứng sinh,original,1\n"
        "1.000894,Đăng ký kết hôn,commune,,Hộ tịch,0,0,1,true,false,TP1,Tờ khai,original,1\n"
    )
    with pytest.raises(ImportFailed) as caught:
        import_procedures(session, None, rows)
    assert caught.value.problems[0][0] == 3
    assert "fee" in caught.value.problems[0][1]
    assert count(session, Procedure) == 0


def test_a_bad_component_is_reported_on_its_own_line(session: Session) -> None:
    rows = PROC_HEADER + (
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,0,0,1,true,false,TP1,Tờ khai,original,1\n"
        "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,0,0,1,true,false,TP2,,original,1\n"
    )
    with pytest.raises(ImportFailed) as caught:
        import_procedures(session, None, rows)
    assert caught.value.problems == [(3, caught.value.problems[0][1])]
    assert "component_name" in caught.value.problems[0][1]


def test_a_negative_fee_is_refused(session: Session) -> None:
    rows = (
        PROC_HEADER + "1.001193,Đăng ký khai sinh,commune,,Hộ tịch,-5,0,1,true,false,TP1,Tờ khai,original,1\n"
    )
    with pytest.raises(ImportFailed) as caught:
        import_procedures(session, None, rows)
    assert "fee" in caught.value.problems[0][1]


def test_a_geonames_id_that_is_not_a_number_is_reported(session: Session) -> None:
    rows = (
        OFFICE_HEADER.replace("\n", ",geonameid\n")
        + "A1,Bưu cục,10000,1 Phố,01,00004,Mo-Fr 07:30-17:00,,,abc\n"
    )
    with pytest.raises(ImportFailed) as caught:
        import_post_offices(session, None, factories.operator(session), rows)
    assert caught.value.problems[0][0] == 2 and "geonameid" in caught.value.problems[0][1]

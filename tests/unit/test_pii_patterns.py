"""The log guard's patterns: real citizen IDs and phone numbers match, codes, hashes and times do not."""

from __future__ import annotations

import logging
import sys

import pytest

from tests.pii_guard import PiiLogGuard, find_pii


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("citizen id 001204012345 checked", "001204012345"),
        ("CCCD: 079123456789.", "079123456789"),
        ("old CMND 123456789 at the door", "123456789"),
        ("call 0912345678 please", "0912345678"),
        ("call 0912 345 678 please", "0912 345 678"),
        ("call 0912.345.678 please", "0912.345.678"),
        ("to +84912345678", "+84912345678"),
        ("to +84 912 345 678", "+84 912 345 678"),
        ("to 84912345678", "84912345678"),
        ("mobile 0387654321", "0387654321"),
        ("mobile 0561234567", "0561234567"),
        ("mobile 0701234567", "0701234567"),
        ("mobile 0811234567", "0811234567"),
        ("landline 02437689346", "02437689346"),
        ("landline 024 3768 9346", "024 3768 9346"),
        ("phone=0912345678&x=1", "0912345678"),
        ("/pickup/find?phone=0912345678", "0912345678"),
        ('{"phone": "0912345678"}', "0912345678"),
    ],
)
def test_a_citizen_id_or_a_phone_number_is_found(text: str, found: str) -> None:
    assert find_pii(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        "dossier 000.00.01.H26-261120-0001 accepted",
        "item EE123456785VN dispatched",
        "sha256 3f1b2c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c accepted",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "at 2026-11-20 02:00:00,123 the job ran",
        "at 2026-11-20T09:00:00+07:00",
        "unix 1795226400 and ms 1795226400123",
        "tax code 0102595740 of VNPost",
        "masked 0912•••678 and +849•••••678 and 0912***678",
        "masked id ••••••••9012",
        "postcode 100000, commune 00097, province 01",
        "fee 150000 VND and 1,500,000 VND",
        "distance 0.912345678 km",
        "user 123 pickup 4567 manifest MF-2611-00012",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "version 1.912345678",
        "an old 11-digit mobile 01212345678 and a 10-digit landline 0243768934",
        "key ph_ab12cd34_0912345678xyz",
    ],
)
def test_codes_hashes_times_and_masked_numbers_are_not_personal_data(text: str) -> None:
    assert find_pii(text) == []


def test_the_guard_keeps_a_record_whose_traceback_carries_a_phone_number() -> None:
    guard = PiiLogGuard()
    try:
        raise ValueError("no slot for 0912345678")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "booking failed", (), sys.exc_info())
    guard.emit(record)
    assert guard.records == 1
    assert len(guard.offending) == 1


def test_the_guard_keeps_nothing_from_a_record_with_a_masked_number() -> None:
    guard = PiiLogGuard()
    guard.emit(logging.LogRecord("t", logging.INFO, __file__, 1, "sms to %s", ("0912•••678",), None))
    assert guard.records == 1
    assert guard.offending == []

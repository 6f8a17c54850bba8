"""No phone number or citizen ID reaches a log line: not through a database error's message, not
through the development notifier (the suite-wide guard is tests/pii_guard.py)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from postal_hub.core.messaging.backends import LogBackend
from postal_hub.core.messaging.models import CitizenMessage
from postal_hub.db import make_engine
from postal_hub.extensions import db
from tests.pii_guard import find_pii

PHONE = "0912345678"
CITIZEN_ID = "001090012345"
FAILING_SQL = "SELECT * FROM no_such_table WHERE phone = :phone AND citizen_id = :citizen_id"


def _formatted(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in records)


def test_a_database_error_does_not_carry_the_statement_values_in_its_message() -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as raised:
        conn.execute(sa.text(FAILING_SQL), {"phone": PHONE, "citizen_id": CITIZEN_ID})
    engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert find_pii(str(raised.value)) == []


def test_the_log_line_of_a_request_failing_in_the_database_holds_no_personal_data(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def failing() -> str:
        db.session.execute(sa.text(FAILING_SQL), {"phone": PHONE, "citizen_id": CITIZEN_ID})
        return "unreachable"

    app.add_url_rule("/test-only/failing", "failing", failing)
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get("/test-only/failing").status_code == 500
    logged = _formatted(caplog.records)
    assert "no_such_table" in logged  # the traceback is there, only the values are not
    assert find_pii(logged) == []


def test_the_development_notifier_logs_the_recipient_masked(caplog: pytest.LogCaptureFixture) -> None:
    message = CitizenMessage(
        recipient=PHONE, channel="sms", kind="pickup.booked", body="Lịch hẹn HP2BQN5YK8 đã được ghi nhận."
    )
    with caplog.at_level(logging.INFO, logger="postal_hub.messages"):
        LogBackend().send(message, message.body, "https://hub.example.vn/pickup/manage/HP2BQN5YK8")
    logged = _formatted(caplog.records)
    assert "HP2BQN5YK8" in logged and PHONE[-3:] in logged
    assert find_pii(logged) == []


def test_the_development_notifier_masks_an_international_number(caplog: pytest.LogCaptureFixture) -> None:
    message = CitizenMessage(recipient="+84912345678", channel="zalo", kind="result.ready", body="Kết quả.")
    with caplog.at_level(logging.INFO, logger="postal_hub.messages"):
        LogBackend().send(message, message.body, "")
    assert find_pii(_formatted(caplog.records)) == []


def test_a_constraint_violation_holding_the_row_is_logged_without_its_values(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL puts the failing row in the error's DETAIL; hide_parameters does not touch that."""

    def failing() -> str:
        db.session.execute(
            sa.text(
                "CREATE TEMPORARY TABLE pii_probe (phone TEXT, citizen_id TEXT CHECK (length(phone) < 5))"
            )
        )
        db.session.execute(
            sa.text("INSERT INTO pii_probe VALUES (:phone, :citizen_id)"),
            {"phone": PHONE, "citizen_id": CITIZEN_ID},
        )
        return "unreachable"

    app.add_url_rule("/test-only/violating", "violating", failing)
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get("/test-only/violating").status_code == 500
    logged = _formatted(caplog.records)
    assert "IntegrityError" in logged and "INSERT INTO pii_probe" in logged
    assert find_pii(logged) == []


def test_the_same_violation_would_carry_the_row_in_its_message_on_postgresql(
    app: Flask, session: Session
) -> None:
    """Why the message is withheld: the control for the test above (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's message names the constraint only")
    session.execute(sa.text("CREATE TEMPORARY TABLE pii_probe (phone TEXT CHECK (length(phone) < 5))"))
    with pytest.raises(sa.exc.IntegrityError) as raised, session.begin_nested():
        session.execute(sa.text("INSERT INTO pii_probe VALUES (:phone)"), {"phone": PHONE})
    assert PHONE in str(raised.value)

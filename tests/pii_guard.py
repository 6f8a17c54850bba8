"""A suite-wide guard: no log record the tests make may carry a citizen ID or a phone number.

Registered from tests/conftest.py (`pytest_plugins`). A handler on the root logger formats every record
(message, arguments and traceback) as it is emitted; at the end of the run any line that matches
`PII_PATTERN` is printed and the run fails. The patterns are precise on purpose (tests/unit/
test_pii_patterns.py): dossier codes, S10 item numbers, timestamps, SHA-256 digests, tax codes and
masked numbers (`0912•••678`) are not personal data and must not trip it.
"""

from __future__ import annotations

import logging
import re

import pytest

# A digit run that stands alone: no digit, letter, underscore or joining punctuation glued to either side
# (so a part of a dossier code, a hash, an S10 number or a decimal never counts).
_ALONE_BEFORE = r"(?<![\w.,:/+-])"
_ALONE_AFTER = r"(?![\w]|[.,:/-]\d)"

CITIZEN_ID = re.compile(
    # CCCD: 12 digits; the old CMND: 9 digits.
    _ALONE_BEFORE + r"(?:\d{12}|\d{9})" + _ALONE_AFTER
)
PHONE = re.compile(
    # 0 (or +84 / 84) then a mobile's nine digits (03/05/07/08/09) or a landline's ten (02x); spaces or
    # dots may group the digits after the prefix (0912 345 678, 0912.345.678, +84 912 345 678).
    r"(?<![\w.,:/+-])(?:\+84[ .]?|84|0)(?:[35789](?:[ .]?\d){8}|2(?:[ .]?\d){9})" + _ALONE_AFTER
)
PII_PATTERN = re.compile(f"{CITIZEN_ID.pattern}|{PHONE.pattern}")


def find_pii(text: str) -> list[str]:
    """Every citizen-ID-like or phone-like token in `text`."""
    return [match.group(0) for match in PII_PATTERN.finditer(text)]


class PiiLogGuard(logging.Handler):
    """Formats every record fully (with its traceback) and keeps the lines that carry personal data."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records = 0
        self.offending: list[tuple[str, str]] = []  # (test id, line)
        self.current_test = "(outside a test)"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record whose arguments do not fit its message: still scan what it holds
            text = f"{record.msg!r} {record.args!r}"
        self.records += 1
        if PII_PATTERN.search(text):
            self.offending.append((self.current_test, text))


_GUARD_KEY = pytest.StashKey[PiiLogGuard]()
# SQLAlchemy's engine log is its SQL echo, a debugging switch that is off in every deployment and prints
# bound parameters by design; with the root logger opened up it would switch itself on.
_QUIET = ("sqlalchemy",)


def pytest_configure(config: pytest.Config) -> None:
    guard = PiiLogGuard()
    config.stash[_GUARD_KEY] = guard
    root = logging.getLogger()
    root.addHandler(guard)
    # Every record the code makes, INFO and DEBUG included, reaches the guard.
    root.setLevel(logging.DEBUG)
    for name in _QUIET:
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.WARNING)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> object:
    guard = item.config.stash[_GUARD_KEY]
    guard.current_test = item.nodeid
    yield
    guard.current_test = "(outside a test)"


def pytest_sessionfinish(session: pytest.Session) -> None:
    guard = session.config.stash.get(_GUARD_KEY, None)
    if guard is not None and guard.offending and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD_KEY, None)
    if guard is None or not guard.offending:
        return
    write = terminalreporter.write_line  # type: ignore[attr-defined]
    terminalreporter.section("personal data in the logs", red=True)  # type: ignore[attr-defined]
    write(f"{len(guard.offending)} of {guard.records} log records carry a citizen ID or a phone number:")
    for test_id, line in guard.offending[:50]:
        write(f"  {test_id}: {line.splitlines()[0][:300]}")
        for extra in [row for row in line.splitlines()[1:] if PII_PATTERN.search(row)][:3]:
            write(f"      {extra[:300]}")
    if len(guard.offending) > 50:
        write(f"  ... and {len(guard.offending) - 50} more")


def pytest_unconfigure(config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD_KEY, None)
    if guard is not None:
        logging.getLogger().removeHandler(guard)

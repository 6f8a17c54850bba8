"""The training vocabulary: session and enrolment statuses with their allowed moves."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class SessionStatus(StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


SESSION_STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Scheduled"),
    SessionStatus.COMPLETED: _l("Completed"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}

SESSION_MACHINE = StateMachine[SessionStatus](
    _l("training session"),
    {SessionStatus.PLANNED: frozenset({SessionStatus.COMPLETED, SessionStatus.CANCELLED})},
    SESSION_STATUS_LABELS,
)


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    PASSED = "passed"
    FAILED = "failed"


ENROLMENT_STATUS_LABELS = {
    EnrolmentStatus.ENROLLED: _l("Enrolled"),
    EnrolmentStatus.WAITLISTED: _l("On the waiting list"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.PASSED: _l("Passed"),
    EnrolmentStatus.FAILED: _l("Did not pass"),
}

ENROLMENT_MACHINE = StateMachine[EnrolmentStatus](
    _l("enrolment"),
    {
        EnrolmentStatus.ENROLLED: frozenset(
            {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.PASSED, EnrolmentStatus.FAILED}
        ),
        EnrolmentStatus.WAITLISTED: frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN}),
        # A corrected score may turn the result round, until a certificate is issued on it.
        EnrolmentStatus.PASSED: frozenset({EnrolmentStatus.FAILED}),
        EnrolmentStatus.FAILED: frozenset({EnrolmentStatus.PASSED}),
    },
    ENROLMENT_STATUS_LABELS,
)

# Enrolments that hold a seat in the session.
SEATED = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.PASSED, EnrolmentStatus.FAILED})

# Days before expiry at which holders and their managers are reminded, once each.
REMINDER_THRESHOLDS = (30, 7)
# The planning horizons of the coverage screen.
EXPIRY_HORIZONS = (30, 60, 90)

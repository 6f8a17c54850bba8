"""The delivery vocabulary: a result's way back to the citizen, attempts, proof and ratings."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class DeliveryStatus(StrEnum):
    AT_UNIT = "at_unit"  # result ready, waiting for the post to collect it
    IN_TRANSIT = "in_transit"  # on a manifest from the unit to the post office
    AT_OFFICE = "at_office"  # at the post office: waiting for a run, or for the citizen to collect it
    ASSIGNED = "assigned"  # on a postman's run for a day
    OUT = "out"  # with the postman, on the way to the door
    BLOCKED = "blocked"  # too many wrong identity checks: a manager must look at it
    DELIVERED = "delivered"
    TO_RETURN = "to_return"  # failed too often, or not collected in time: to go back to the unit
    RETURNING = "returning"  # on a manifest back to the unit
    RETURNED = "returned"


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.AT_UNIT: _l("Waiting at the unit for collection"),
    DeliveryStatus.IN_TRANSIT: _l("On its way to the post office"),
    DeliveryStatus.AT_OFFICE: _l("At the post office"),
    DeliveryStatus.ASSIGNED: _l("On a postman's run"),
    DeliveryStatus.OUT: _l("Out for delivery"),
    DeliveryStatus.BLOCKED: _l("Blocked after wrong identity checks"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.TO_RETURN: _l("To be returned to the unit"),
    DeliveryStatus.RETURNING: _l("On its way back to the unit"),
    DeliveryStatus.RETURNED: _l("Returned to the unit"),
}

DELIVERY_MACHINE = StateMachine[DeliveryStatus](
    _l("delivery"),
    {
        DeliveryStatus.AT_UNIT: frozenset({DeliveryStatus.IN_TRANSIT}),
        # A refused envelope goes back with the postman to where it came from.
        DeliveryStatus.IN_TRANSIT: frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.AT_UNIT}),
        DeliveryStatus.AT_OFFICE: frozenset(
            {
                DeliveryStatus.ASSIGNED,
                DeliveryStatus.DELIVERED,  # collected at the counter
                DeliveryStatus.BLOCKED,
                DeliveryStatus.TO_RETURN,
            }
        ),
        DeliveryStatus.ASSIGNED: frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.OUT}),
        DeliveryStatus.OUT: frozenset(
            {
                DeliveryStatus.DELIVERED,
                DeliveryStatus.AT_OFFICE,  # a failed attempt: back at the office for the next one
                DeliveryStatus.TO_RETURN,  # the last allowed attempt failed
                DeliveryStatus.BLOCKED,
            }
        ),
        DeliveryStatus.BLOCKED: frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.TO_RETURN}),
        DeliveryStatus.TO_RETURN: frozenset({DeliveryStatus.RETURNING}),
        DeliveryStatus.RETURNING: frozenset({DeliveryStatus.RETURNED, DeliveryStatus.TO_RETURN}),
    },
    DELIVERY_STATUS_LABELS,
)

# Where the post holds the result and a run or a counter collection may still hand it over.
AT_POST = frozenset({DeliveryStatus.AT_OFFICE, DeliveryStatus.ASSIGNED, DeliveryStatus.OUT})
CLOSED = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.RETURNED})


class DeliveryMethod(StrEnum):
    HOME = "home"
    POST_OFFICE = "post_office"


class FailureReason(StrEnum):
    NOBODY_HOME = "nobody_home"
    WRONG_ADDRESS = "wrong_address"
    REFUSED = "refused"
    ID_MISMATCH = "id_mismatch"
    NO_PAYMENT = "no_payment"
    OTHER = "other"


FAILURE_LABELS = {
    FailureReason.NOBODY_HOME: _l("Nobody at home"),
    FailureReason.WRONG_ADDRESS: _l("Address not found"),
    FailureReason.REFUSED: _l("The recipient refused the result"),
    FailureReason.ID_MISMATCH: _l("The recipient's identity could not be confirmed"),
    FailureReason.NO_PAYMENT: _l("The fee due could not be paid"),
    FailureReason.OTHER: _l("Other reason"),
}


class Recipient(StrEnum):
    APPLICANT = "applicant"
    AUTHORISED = "authorised"  # a person the applicant authorised in writing


RECIPIENT_LABELS = {
    Recipient.APPLICANT: _l("The applicant"),
    Recipient.AUTHORISED: _l("An authorised person"),
}


class IdMethod(StrEnum):
    CITIZEN_ID = "citizen_id"  # the last digits of the citizen ID card shown
    ONE_TIME_CODE = "one_time_code"  # the code sent to the applicant's phone


ID_METHOD_LABELS = {
    IdMethod.CITIZEN_ID: _l("Citizen ID card (last digits)"),
    IdMethod.ONE_TIME_CODE: _l("One-time code sent to the applicant's phone"),
}


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


class RatingSubject(StrEnum):
    POSTAL = "postal"  # the post's service: pickup, carriage, delivery
    UNIT = "unit"  # the one-stop unit's handling of the dossier


RATING_SUBJECT_LABELS = {
    RatingSubject.POSTAL: _l("The postal service"),
    RatingSubject.UNIT: _l("The one-stop unit's handling"),
}


class RatingLevel(StrEnum):
    """The three levels of Circular 01/2018/TT-VPCP."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"


RATING_LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: _l("Very satisfied"),
    RatingLevel.SATISFIED: _l("Satisfied"),
    RatingLevel.NOT_SATISFIED: _l("Not satisfied"),
}

# Satisfaction counts "very satisfied" and "satisfied" (the Circular's rate).
SATISFIED_LEVELS = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED})


class RatingReason(StrEnum):
    """Why not satisfied: the Circular's criteria, plus the post's own legs."""

    ATTITUDE = "attitude"  # thái độ, tinh thần phục vụ
    LATE = "late"  # không đúng hẹn
    GUIDANCE = "guidance"  # hướng dẫn không rõ ràng, đầy đủ
    EXTRA_REQUESTS = "extra_requests"  # yêu cầu bổ sung nhiều lần
    FEES = "fees"  # thu phí, lệ phí không đúng quy định
    RESULT_ERROR = "result_error"  # kết quả có sai sót
    OTHER = "other"


RATING_REASON_LABELS = {
    RatingReason.ATTITUDE: _l("Attitude of the staff"),
    RatingReason.LATE: _l("Not on the promised date"),
    RatingReason.GUIDANCE: _l("Guidance was unclear or incomplete"),
    RatingReason.EXTRA_REQUESTS: _l("Asked several times for more documents"),
    RatingReason.FEES: _l("Fees not as regulated"),
    RatingReason.RESULT_ERROR: _l("The result contained errors"),
    RatingReason.OTHER: _l("Other reason"),
}

EVENT_LABELS = {
    "created": _l("Result ready at the unit"),
    "collected": _l("Collected from the unit"),
    "refused_at_office": _l("Refused at the post office, back to the unit"),
    "at_office": _l("Arrived at the post office"),
    "window_set": _l("Delivery window set"),
    "switched_to_office": _l("Switched to collection at the post office"),
    "assigned": _l("Put on a postman's run"),
    "unassigned": _l("Taken off the postman's run"),
    "out": _l("Out for delivery"),
    "code_sent": _l("One-time code sent"),
    "id_mismatch": _l("Identity check did not match"),
    "blocked": _l("Blocked after wrong identity checks"),
    "unblocked": _l("Released by the manager"),
    "delivered": _l("Delivered"),
    "failed": _l("Delivery attempt failed"),
    "expired": _l("Not collected in time"),
    "to_return": _l("To be returned to the unit"),
    "returning": _l("On its way back to the unit"),
    "return_refused": _l("Refused by the unit, back at the post office"),
    "returned": _l("Returned to the unit"),
    "authorised": _l("Authorised person recorded"),
}

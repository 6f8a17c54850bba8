"""The custody changes a dossier goes through, from the counter to the citizen's hands."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class CustodyKind(StrEnum):
    ACCEPTED_AT_COUNTER = "accepted_at_counter"
    PICKED_UP = "picked_up"
    SEALED = "sealed"
    DISPATCHED = "dispatched"
    RECEIVED = "received"
    REJECTED = "rejected"
    RESULT_HANDED_TO_POST = "result_handed_to_post"
    RECEIVED_AT_OFFICE = "received_at_office"
    REFUSED_AT_OFFICE = "refused_at_office"
    OUT_FOR_DELIVERY = "out_for_delivery"
    BACK_AT_OFFICE = "back_at_office"
    DELIVERED = "delivered"
    RETURNED = "returned"


CUSTODY_LABELS = {
    CustodyKind.ACCEPTED_AT_COUNTER: _l("Accepted at the counter"),
    CustodyKind.PICKED_UP: _l("Picked up at home"),
    CustodyKind.SEALED: _l("Sealed in its envelope"),
    CustodyKind.DISPATCHED: _l("Dispatched on a manifest"),
    CustodyKind.RECEIVED: _l("Received by the unit"),
    CustodyKind.REJECTED: _l("Refused by the unit, back with the post"),
    CustodyKind.RESULT_HANDED_TO_POST: _l("Result handed to the post"),
    CustodyKind.RECEIVED_AT_OFFICE: _l("Received at the post office"),
    CustodyKind.REFUSED_AT_OFFICE: _l("Refused at the post office, back with the unit"),
    CustodyKind.OUT_FOR_DELIVERY: _l("Handed to the postman for delivery"),
    CustodyKind.BACK_AT_OFFICE: _l("Back at the post office after a failed attempt"),
    CustodyKind.DELIVERED: _l("Delivered to the citizen"),
    CustodyKind.RETURNED: _l("Returned to the unit"),
}

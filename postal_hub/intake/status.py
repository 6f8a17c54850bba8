"""The dossier's journey: statuses, allowed moves, and the event vocabulary of its timeline."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class DossierStatus(StrEnum):
    ACCEPTED = "accepted"
    DIGITIZED = "digitized"
    DISPATCHED = "dispatched"
    RECEIVED = "received"
    REJECTED = "rejected"
    RESULT_READY = "result_ready"
    RESULT_COLLECTED = "result_collected"  # the post holds the result (travelling, or at the office)
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNING = "returning"
    RETURNED = "returned"


DOSSIER_STATUS_LABELS = {
    DossierStatus.ACCEPTED: _l("Accepted at the post office"),
    DossierStatus.DIGITIZED: _l("Digitized"),
    DossierStatus.DISPATCHED: _l("On its way to the unit"),
    DossierStatus.RECEIVED: _l("Received by the unit"),
    DossierStatus.REJECTED: _l("Returned by the unit"),
    DossierStatus.RESULT_READY: _l("Result ready"),
    DossierStatus.RESULT_COLLECTED: _l("Result with the post"),
    DossierStatus.OUT_FOR_DELIVERY: _l("Out for delivery"),
    DossierStatus.DELIVERED: _l("Result delivered"),
    DossierStatus.RETURNING: _l("Result on its way back to the unit"),
    DossierStatus.RETURNED: _l("Result returned to the unit"),
}

# The whole journey; the hand-off and delivery features add the functions for the later moves.
DOSSIER_MACHINE = StateMachine[DossierStatus](
    _l("dossier"),
    {
        DossierStatus.ACCEPTED: frozenset({DossierStatus.DIGITIZED, DossierStatus.DISPATCHED}),
        DossierStatus.DIGITIZED: frozenset({DossierStatus.DISPATCHED}),
        DossierStatus.DISPATCHED: frozenset({DossierStatus.RECEIVED, DossierStatus.REJECTED}),
        # A refused dossier is put right (or re-routed) at the post and travels again.
        DossierStatus.REJECTED: frozenset({DossierStatus.ACCEPTED}),
        DossierStatus.RECEIVED: frozenset({DossierStatus.RESULT_READY}),
        # Handed over at the unit's counter, or collected by the post.
        DossierStatus.RESULT_READY: frozenset({DossierStatus.DELIVERED, DossierStatus.RESULT_COLLECTED}),
        # Collected at the office, taken out by a postman, sent back after failures; or, when the
        # office refused the envelope, back at the unit.
        DossierStatus.RESULT_COLLECTED: frozenset(
            {
                DossierStatus.OUT_FOR_DELIVERY,
                DossierStatus.DELIVERED,
                DossierStatus.RETURNING,
                DossierStatus.RESULT_READY,
            }
        ),
        # Handed over, or a failed attempt: back at the office.
        DossierStatus.OUT_FOR_DELIVERY: frozenset({DossierStatus.DELIVERED, DossierStatus.RESULT_COLLECTED}),
        # Refused by the unit on the return manifest: back with the post.
        DossierStatus.RETURNING: frozenset({DossierStatus.RETURNED, DossierStatus.RESULT_COLLECTED}),
        # The citizen collects a returned result at the unit's counter.
        DossierStatus.RETURNED: frozenset({DossierStatus.DELIVERED}),
    },
    DOSSIER_STATUS_LABELS,
)

# A dossier whose result reached the citizen: its documents may be reused later.
COMPLETED = frozenset({DossierStatus.DELIVERED})


class Channel(StrEnum):
    COUNTER = "counter"
    PICKUP = "pickup"
    API = "api"


CHANNEL_LABELS = {
    Channel.COUNTER: _l("At the counter"),
    Channel.PICKUP: _l("Home pickup"),
    Channel.API: _l("Through the unit's system (API)"),
}


class ResultDelivery(StrEnum):
    HOME = "home"
    POST_OFFICE = "post_office"
    COUNTER = "counter"


RESULT_DELIVERY_LABELS = {
    ResultDelivery.HOME: _l("Delivered to the home address"),
    ResultDelivery.POST_OFFICE: _l("Collected at this post office"),
    ResultDelivery.COUNTER: _l("Collected at the unit's counter"),
}


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"
    NONE = "none"


PAYMENT_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.CARD: _l("Card"),
    PaymentMethod.TRANSFER: _l("Bank transfer / QR"),
    PaymentMethod.NONE: _l("Nothing to pay"),
}

# Timeline events, named after the UPU event vocabulary where one fits.
EVENT_LABELS = {
    "accepted": _l("Posting / acceptance at the post office"),
    "digitized": _l("Dossier digitized"),
    "dispatched": _l("Dispatched to the competent unit"),
    "arrived": _l("Arrived at the unit"),
    "received": _l("Handed over to the unit"),
    "rejected": _l("Returned by the unit"),
    "rerouted": _l("Re-routed to the competent unit"),
    "resubmitted": _l("Put right at the post office, to be sent again"),
    "result_ready": _l("Result ready"),
    "result_collected": _l("Result collected from the unit by the post"),
    "result_refused": _l("Result envelope refused at the post office, back at the unit"),
    "at_office": _l("Result arrived at the post office"),
    "out_for_delivery": _l("Out for delivery"),
    "delivered": _l("Delivered"),
    "delivery_failed": _l("Delivery failed"),
    "returning": _l("Result on its way back to the unit"),
    "return_refused": _l("Return refused by the unit, back at the post office"),
    "returned": _l("Returned to the unit"),
}

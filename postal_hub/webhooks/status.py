"""Webhook event types and outbox message states."""

from __future__ import annotations

from enum import StrEnum

EVENT_TYPES: tuple[str, ...] = (
    "dossier.accepted",
    "dossier.digitized",
    "dossier.dispatched",
    "dossier.received",
    "dossier.rejected",
    "dossier.result_ready",
    "dossier.result_collected",
    "dossier.out_for_delivery",
    "dossier.delivered",
    "dossier.delivery_failed",
    "dossier.returned",
    "pickup.booked",
    "pickup.cancelled",
    "pickup.completed",
    "pickup.failed",
)


class MessageStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def event_labels() -> dict[str, str]:
    """Human names of the event types for the screens (English msgids, translated)."""
    from flask_babel import gettext as _

    return {
        "dossier.accepted": _("Dossier accepted"),
        "dossier.digitized": _("Dossier digitized"),
        "dossier.dispatched": _("Dossier dispatched on a manifest"),
        "dossier.received": _("Dossier received by the unit"),
        "dossier.rejected": _("Dossier rejected"),
        "dossier.result_ready": _("Result ready"),
        "dossier.result_collected": _("Result collected by the post"),
        "dossier.out_for_delivery": _("Result out for delivery"),
        "dossier.delivered": _("Result delivered"),
        "dossier.delivery_failed": _("Delivery failed"),
        "dossier.returned": _("Result returned"),
        "pickup.booked": _("Home pickup booked"),
        "pickup.cancelled": _("Home pickup cancelled"),
        "pickup.completed": _("Home pickup completed"),
        "pickup.failed": _("Home pickup failed"),
    }


def message_status_labels() -> dict[str, str]:
    from flask_babel import gettext as _

    return {"pending": _("pending"), "delivered": _("delivered"), "failed": _("failed")}

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

"""A booking as the API and the citizen's own page show it: no ID number, the phone only masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postal_hub.core.clock import to_local
from postal_hub.core.messaging.backends import mask_recipient
from postal_hub.pickup.booking import Settings
from postal_hub.pickup.manage import can_change
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.offers import FreeWindow


def window_json(window: FreeWindow) -> dict[str, Any]:
    return {
        "start": to_local(window.window.start).isoformat(),
        "end": to_local(window.window.end).isoformat(),
        "remaining": window.remaining,
    }


def pickup_json(pickup: Pickup, now: datetime, settings: Settings) -> dict[str, Any]:
    office = pickup.office
    return {
        "reference": pickup.reference,
        "status": pickup.status,
        "procedure": {"code": pickup.procedure.code, "name": pickup.procedure.name},
        "unit": {"code": pickup.unit.code, "name": pickup.unit.name},
        "post_office": {"code": office.code, "name": office.name, "address": office.address},
        "slot_start": to_local(pickup.slot_start).isoformat(),
        "slot_end": to_local(pickup.slot_end).isoformat(),
        "fee": pickup.fee,
        "distance_km": pickup.distance_km,
        "result_delivery": pickup.result_delivery,
        "applicant": {"name": pickup.applicant_name, "phone": mask_recipient(pickup.applicant_phone)},
        "address": {
            "province_code": pickup.province_code,
            "commune_code": pickup.commune_code,
            "street": pickup.street,
        },
        "point": {
            "precision": pickup.point_precision,
            "exact": pickup.point_precision in ("device", "street"),
        },
        "can_change": can_change(pickup, settings, now),
        "change_until": to_local(pickup.slot_start - settings.change_cutoff).isoformat(),
        "dossier_code": pickup.dossier.code if pickup.dossier else None,
        "failure_reason": pickup.failure_reason,
        "events": [{"code": e.code, "at": to_local(e.at).isoformat(), "note": e.note} for e in pickup.events],
    }

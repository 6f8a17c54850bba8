"""Manifests and their lines: statuses, allowed moves, and the reasons a unit may refuse an envelope."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from postal_hub.core.state import StateMachine


class Direction(StrEnum):
    TO_UNIT = "to_unit"  # dossiers, post office -> one-stop unit
    TO_POST = "to_post"  # results, one-stop unit -> post office
    RETURN = "return"  # results the post could not hand over, post office -> one-stop unit


DIRECTION_LABELS = {
    Direction.TO_UNIT: _l("Dossiers to the unit"),
    Direction.TO_POST: _l("Results to the post office"),
    Direction.RETURN: _l("Results returned to the unit"),
}


class ManifestStatus(StrEnum):
    DRAFT = "draft"
    DISPATCHED = "dispatched"
    CLOSED = "closed"
    CANCELLED = "cancelled"


MANIFEST_STATUS_LABELS = {
    ManifestStatus.DRAFT: _l("Being prepared"),
    ManifestStatus.DISPATCHED: _l("Dispatched"),
    ManifestStatus.CLOSED: _l("Closed"),
    ManifestStatus.CANCELLED: _l("Cancelled"),
}

MANIFEST_MACHINE = StateMachine[ManifestStatus](
    _l("manifest"),
    {
        ManifestStatus.DRAFT: frozenset({ManifestStatus.DISPATCHED, ManifestStatus.CANCELLED}),
        ManifestStatus.DISPATCHED: frozenset({ManifestStatus.CLOSED}),
    },
    MANIFEST_STATUS_LABELS,
)


class LineStatus(StrEnum):
    PENDING = "pending"
    RECEIVED = "received"
    REJECTED = "rejected"
    MISSING = "missing"  # not confirmed when the manifest was closed: a discrepancy


LINE_STATUS_LABELS = {
    LineStatus.PENDING: _l("Awaiting confirmation"),
    LineStatus.RECEIVED: _l("Received"),
    LineStatus.REJECTED: _l("Refused"),
    LineStatus.MISSING: _l("Not received"),
}

LINE_MACHINE = StateMachine[LineStatus](
    _l("manifest line"),
    {
        LineStatus.PENDING: frozenset({LineStatus.RECEIVED, LineStatus.REJECTED, LineStatus.MISSING}),
        # Not received by the closing, then found: the unit can still answer it.
        LineStatus.MISSING: frozenset({LineStatus.RECEIVED, LineStatus.REJECTED}),
    },
    LINE_STATUS_LABELS,
)


class RejectReason(StrEnum):
    MISSING_COMPONENT = "missing_component"
    DAMAGED_SEAL = "damaged_seal"
    WRONG_UNIT = "wrong_unit"
    OTHER = "other"


REJECT_REASON_LABELS = {
    RejectReason.MISSING_COMPONENT: _l("A component is missing"),
    RejectReason.DAMAGED_SEAL: _l("The seal is damaged"),
    RejectReason.WRONG_UNIT: _l("Not this unit's dossier (re-route)"),
    RejectReason.OTHER: _l("Other reason"),
}

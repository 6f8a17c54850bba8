"""Reading the times citizens' apps and forms send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postal_hub.core.clock import LOCAL_TZ


def parse_moment(text: Any) -> datetime | None:
    """ISO 8601; a time without an offset is read as Vietnam time."""
    if not isinstance(text, str) or not text.strip() or len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if not 2000 <= moment.year <= 2100:  # beyond, converting to Vietnam time may leave the calendar
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)

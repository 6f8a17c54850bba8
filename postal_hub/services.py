"""The app's replaceable collaborators (clock now; geocoder, notifier, ... as features need them)."""

from __future__ import annotations

from flask import current_app

from postal_hub.core.clock import Clock, SystemClock


def clock() -> Clock:
    """The clock the app runs on; tests put a fixed one in app.extensions['clock']."""
    found: Clock = current_app.extensions.setdefault("clock", SystemClock())
    return found

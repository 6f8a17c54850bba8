"""The app's replaceable collaborators: clock, file store, notifier (tests put fakes in app.extensions)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

from postal_hub.core.clock import Clock, SystemClock
from postal_hub.core.files import FileStore, LocalFileStore
from postal_hub.core.notifications import InboxNotifier, Notifier
from postal_hub.core.ratelimit import RateLimiter
from postal_hub.webhooks.sender import Sender as WebhookSender
from postal_hub.webhooks.urls import Resolver as WebhookResolver

if TYPE_CHECKING:
    from postal_hub.core.geo.geocoder import Geocoder
    from postal_hub.core.messaging.backends import MessageBackend
    from postal_hub.pickup.booking import Settings as PickupSettings


def clock() -> Clock:
    """The clock the app runs on; tests put a fixed one in app.extensions['clock']."""
    found: Clock = current_app.extensions.setdefault("clock", SystemClock())
    return found


def file_store() -> FileStore:
    """Uploaded files; FILE_STORE_PATH (default instance/files) unless a test puts in its own."""
    store: FileStore | None = current_app.extensions.get("file_store")
    if store is None:
        root = current_app.config.get("FILE_STORE_PATH") or Path(current_app.instance_path) / "files"
        store = current_app.extensions["file_store"] = LocalFileStore(Path(root))
    return store


def task_warn_fraction() -> float:
    """How far into its SLA a task is flagged as due soon (TASK_WARN_FRACTION, default 0.8)."""
    return float(current_app.config["TASK_WARN_FRACTION"])


def notifier() -> Notifier:
    found: Notifier = current_app.extensions.setdefault("notifier", InboxNotifier())
    return found


def api_limiter() -> RateLimiter:
    """Requests per API key per minute (API_REQUESTS_PER_MINUTE); a runaway client gets 429s."""
    limiter: RateLimiter = current_app.extensions.setdefault(
        "api_limiter", RateLimiter(current_app.config["API_REQUESTS_PER_MINUTE"], 60)
    )
    return limiter


def track_limiter() -> RateLimiter:
    """Public tracking lookups per address (TRACK_LOOKUPS_PER_MINUTE), shared by the page and the API."""
    limiter: RateLimiter = current_app.extensions.setdefault(
        "track_limiter", RateLimiter(current_app.config["TRACK_LOOKUPS_PER_MINUTE"], 60)
    )
    return limiter


def webhook_sender() -> WebhookSender:
    """Outbound webhook requests (requests, WEBHOOK_TIMEOUT_SECONDS); tests put in a fake receiver."""
    from postal_hub.webhooks.sender import RequestsSender

    found: WebhookSender | None = current_app.extensions.get("webhook_sender")
    if found is None:
        found = current_app.extensions["webhook_sender"] = RequestsSender(
            float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
        )
    return found


def webhook_resolver() -> WebhookResolver:
    """Host name resolution for webhook URL checks; tests put in a fake (tests never do DNS)."""
    from postal_hub.webhooks.urls import SystemResolver

    found: WebhookResolver = current_app.extensions.setdefault("webhook_resolver", SystemResolver())
    return found


def geocoder() -> Geocoder:
    """Addresses to points: the offline gazetteer by default, a self-hosted Nominatim when configured."""
    from postal_hub.core.geo.geocoder import build_geocoder

    found: Geocoder | None = current_app.extensions.get("geocoder")
    if found is None:
        found = current_app.extensions["geocoder"] = build_geocoder(current_app.config)
    return found


def message_backend() -> MessageBackend:
    """Where citizen messages go (CITIZEN_NOTIFIER: the log by default, or an HTTP gateway)."""
    from postal_hub.core.messaging.backends import build_backend

    found: MessageBackend | None = current_app.extensions.get("message_backend")
    if found is None:
        found = current_app.extensions["message_backend"] = build_backend(current_app.config)
    return found


def pickup_limiter(kind: str) -> RateLimiter:
    """Bookings made per hour per address ('ip') and per phone number ('phone'), and attempts of any
    outcome per address ('attempt', ten times the bookings): a citizen correcting a form is not
    locked out, a script trying thousands of combinations is."""
    setting = {
        "ip": "PICKUP_BOOKINGS_PER_HOUR_PER_IP",
        "phone": "PICKUP_BOOKINGS_PER_HOUR_PER_PHONE",
        "attempt": "PICKUP_BOOKINGS_PER_HOUR_PER_IP",
    }[kind]
    factor = 10 if kind == "attempt" else 1
    limiter: RateLimiter = current_app.extensions.setdefault(
        f"pickup_limiter_{kind}", RateLimiter(int(current_app.config[setting]) * factor, 3600)
    )
    return limiter


def pickup_settings() -> PickupSettings:
    from postal_hub.pickup.booking import Settings

    return Settings.from_app(current_app, geocoder())

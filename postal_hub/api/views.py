"""The API blueprint with all its endpoints registered."""

from postal_hub.api import dossiers, intake, manifests, offices, openapi, pickups, webhooks
from postal_hub.api.common import bp

__all__ = ["bp", "dossiers", "intake", "manifests", "offices", "openapi", "pickups", "webhooks"]

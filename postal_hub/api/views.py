"""The API blueprint with all its endpoints registered."""

from postal_hub.api import intake, openapi
from postal_hub.api.common import bp

__all__ = ["bp", "intake", "openapi"]

"""The webhooks blueprint with all its screens registered (endpoints and the organization's API keys)."""

from postal_hub.webhooks import views, views_keys
from postal_hub.webhooks.views import bp

__all__ = ["bp", "views", "views_keys"]

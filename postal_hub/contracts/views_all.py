"""The contracts blueprint with all its screens registered."""

from postal_hub.contracts import views, views_billing
from postal_hub.contracts.blueprint import bp

__all__ = ["bp", "views", "views_billing"]

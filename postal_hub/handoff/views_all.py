"""The hand-off blueprint with all its screens registered."""

from postal_hub.handoff import views, views_custody
from postal_hub.handoff.views import bp

__all__ = ["bp", "views", "views_custody"]

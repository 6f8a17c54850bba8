"""The intake blueprint with all its screens registered."""

from postal_hub.intake import views, views_desk
from postal_hub.intake.views import bp

__all__ = ["bp", "views", "views_desk"]

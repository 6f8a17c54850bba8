"""The delivery blueprint with all its pages registered."""

from postal_hub.delivery import views_door, views_public, views_ratings, views_runs, views_staff  # noqa: F401
from postal_hub.delivery.blueprint import bp

__all__ = ["bp", "views_door", "views_public", "views_runs", "views_staff"]

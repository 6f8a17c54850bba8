"""The pickup blueprint with all its pages registered."""

from postal_hub.pickup import views_door, views_public, views_staff
from postal_hub.pickup.blueprint import bp

__all__ = ["bp", "views_door", "views_public", "views_staff"]

"""The admin blueprint with all its screens registered."""

from postal_hub.admin import views_offices, views_orgs, views_procedures, views_users
from postal_hub.admin.blueprint import bp

__all__ = ["bp", "views_offices", "views_orgs", "views_procedures", "views_users"]

"""The monitoring blueprint with all its pages registered."""

from postal_hub.monitoring import (  # noqa: F401
    views_alerts,
    views_dashboard,
    views_lists,
    views_public,
    views_report,
)
from postal_hub.monitoring.blueprint import bp

__all__ = ["bp"]

"""The training blueprint with all its pages registered."""

from postal_hub.training import (  # noqa: F401
    views_catalogue,
    views_certificates,
    views_coverage,
    views_gate,
    views_public,
    views_roster,
    views_sessions,
)
from postal_hub.training.blueprint import bp

__all__ = ["bp"]

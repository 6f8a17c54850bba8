"""The HTTP API v1 for units', operators' and citizens' systems (see the shared API.md contract)."""

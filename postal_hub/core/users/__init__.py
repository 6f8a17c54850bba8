"""Users, roles, organization membership, sign-in and API keys."""

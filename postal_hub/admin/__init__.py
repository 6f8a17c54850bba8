"""Administration screens: organizations, one-stop units, post offices, procedures, users, API keys."""

"""What every feature stands on: places, organizations, procedures, users, codes, validation, time."""

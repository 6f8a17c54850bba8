"""Contracts between one-stop units and the postal operator: scope, coverage, SLAs, tasks, statements."""

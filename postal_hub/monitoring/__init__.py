"""Monitoring the contracted work: facts per dossier, summary tables, dashboards, alerts, reports."""

"""Dossier intake at any post office: guidance, routing, acceptance, digitization, tracking."""

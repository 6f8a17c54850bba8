"""Training and certification of postal staff, and the gate it puts on dossier work."""

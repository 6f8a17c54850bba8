"""Home pickup of dossiers: booking, office choice across boundaries, postmen's routes."""

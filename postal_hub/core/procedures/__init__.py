"""The administrative procedure catalogue (TTHC) and each procedure's dossier components."""

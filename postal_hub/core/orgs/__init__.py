"""Organizations (postal operators, agencies, one-stop units) and post offices."""

"""Hand-off between the post and the one-stop units: manifests both sides sign off, line by line."""

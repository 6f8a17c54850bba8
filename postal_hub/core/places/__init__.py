"""Provinces and communes of the current two-level structure, and the crosswalk from old units."""

"""Geography: the nearest post offices to a point, whatever the administrative boundaries."""

"""Pages of the platforms app: platforms, service records and the zone coverage view."""

"""Sources: one module per site kind, registered in scrapers.registry."""

"""Sources: fetch review pages and API answers, turn them into plain mention records."""

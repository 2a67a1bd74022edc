"""Repositories: intent-named queries that take an AsyncSession and return plain records."""

"""Storage: SQLAlchemy models, repositories returning plain records, Alembic migrations."""

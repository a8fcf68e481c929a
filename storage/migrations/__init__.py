"""Alembic migrations; run them with `zorgroute db upgrade` (storage.migrate.upgrade)."""

"""Small SQL building blocks both databases share: insert-if-absent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds it; True when a row was added."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    key = next(iter(table.primary_key.columns))
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    stmt = builder(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.connection().execute(stmt).first() is not None

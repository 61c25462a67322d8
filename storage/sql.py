"""Small SQL building blocks both databases share: insert-if-absent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds it; True when a row was added."""
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = builder(model).values(**values).on_conflict_do_nothing()
    return session.exec(stmt).rowcount == 1  # type: ignore[call-overload]

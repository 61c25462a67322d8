"""Small SQL building blocks both databases share: insert-if-absent, and statements built
once per database dialect.

A statement object built once and executed with parameters is compiled once too: SQLAlchemy
memoizes its cache key on the object, so the per-message hot path pays for neither the
building nor the cache-key walk of a fresh statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

Statement = TypeVar("Statement")
InsertBuilder = Callable[[Table], Any]


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, not declared
    return table


def stored_ids(ids: Iterable[int | None]) -> list[int]:
    """Ids read from a primary-key column: never NULL, though the models type them optional."""
    return [i for i in ids if i is not None]


def _insert_builder(dialect: str) -> InsertBuilder:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert_insert(session: Session, table: Table) -> Any:
    """An INSERT for this session's database that can take ON CONFLICT clauses."""
    return _insert_builder(session.get_bind().dialect.name)(table)


def per_dialect(build: Callable[[InsertBuilder], Statement]) -> Callable[[Session], Statement]:
    """Decorate `build(insert)`, which makes a statement with the INSERT builder it is given,
    so that the statement is built once per database dialect; the result takes a session."""

    @cache
    def built(dialect: str) -> Statement:
        return build(_insert_builder(dialect))

    def for_session(session: Session) -> Statement:
        return built(session.get_bind().dialect.name)

    return for_session


@cache
def _insert_ignore(dialect: str, table: Table) -> Any:
    key = next(iter(table.primary_key.columns))
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    return _insert_builder(dialect)(table).on_conflict_do_nothing().returning(key)


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds it; True when a row was added."""
    stmt = _insert_ignore(session.get_bind().dialect.name, table_of(model))
    return session.connection().execute(stmt, values).first() is not None

"""Small SQL building blocks both databases share: insert-if-absent, statements built once per
database dialect, and many rows updated at once.

A statement object built once and executed with parameters is compiled once too: SQLAlchemy
memoizes its cache key on the object, so the per-message hot path pays for neither the
building nor the cache-key walk of a fresh statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, column, func, update
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


@cache
def _update_each(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """UPDATE table SET each of `columns` WHERE each of `keys`, all bound as b_<name>."""
    return update(table).where(*(table.c[k] == bindparam(f"b_{k}") for k in keys)).values(
        {name: bindparam(f"b_{name}") for name in columns})


@cache
def _update_joined(table: Table, keys: tuple[str, ...], columns: tuple[str, ...], same: tuple[str, ...]) -> Any:
    """UPDATE table SET `columns` FROM unnest(an array per column) WHERE `keys` match (PostgreSQL),
    the arrays bound as a_<name> and `same` as b_<name>. One text for any number of rows, so
    it is compiled once and the server keeps it prepared."""
    arrays = (bindparam(f"a_{name}", type_=postgresql.ARRAY(table.c[name].type, dimensions=1)) for name in columns)
    given = func.unnest(*arrays).table_valued(*(column(name, table.c[name].type) for name in columns)) \
        .render_derived(name="given")
    return update(table).where(*(table.c[k] == given.c[k] for k in keys)).values(
        {**{name: given.c[name] for name in columns if name not in keys},
         **{name: bindparam(f"b_{name}") for name in same}})


def update_rows(session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]],
                **same: Any) -> None:
    """Set each row's values (all rows name the same columns) in the row of `table` its `keys`
    columns match, and the `same` values in each of those; a key given twice gets its last row.

    On PostgreSQL this is one statement, the rows joined in as arrays, one per column: an
    executemany costs the server several times as much CPU, one UPDATE per row. SQLite has no
    arrays, and no round trips to save: there it is an executemany.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    fixed = {f"b_{name}": value for name, value in same.items()}
    if session.get_bind().dialect.name != "postgresql":
        changed = tuple(c for c in (*columns, *same) if c not in keys)
        params = [{**{f"b_{name}": value for name, value in row.items()}, **fixed} for row in rows]
        session.connection().execute(_update_each(table, keys, changed), params)
        return
    last = {tuple(row[k] for k in keys): row for row in rows}.values()
    arrays = {f"a_{name}": [row[name] for row in last] for name in columns}
    session.connection().execute(_update_joined(table, keys, columns, tuple(same)), {**arrays, **fixed})

"""Small SQL building blocks both databases share: insert-if-absent, and many rows inserted or
updated at once with statements built once per database dialect.

A statement object built once and executed with parameters is compiled once too: SQLAlchemy
memoizes its cache key on the object, so the per-message hot path pays for neither the
building nor the cache-key walk of a fresh statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, column, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

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


def _given(table: Table, columns: tuple[str, ...]) -> Any:
    """unnest(an array per column, bound as a_<name>) AS given(columns), for PostgreSQL: rows
    joined in as arrays make one statement text for any number of rows, so it is compiled
    once and the server keeps it prepared."""
    arrays = (bindparam(f"a_{name}", type_=postgresql.ARRAY(table.c[name].type, dimensions=1)) for name in columns)
    return func.unnest(*arrays).table_valued(*(column(name, table.c[name].type) for name in columns)) \
        .render_derived(name="given")


def _arrays(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, list[Any]]:
    rows = list(rows)
    return {f"a_{name}": [row[name] for row in rows] for name in columns}


@cache
def _rows_insert(build: Callable[[InsertBuilder], Any], dialect: str, columns: tuple[str, ...]) -> Any:
    if dialect != "postgresql":
        return build(_insert_builder(dialect))

    def insert(table: Table) -> Any:
        return postgresql.insert(table).from_select(list(columns), select(*_given(table, columns).c))

    return build(insert)


def insert_rows(session: Session, build: Callable[[InsertBuilder], Any], rows: list[dict[str, Any]]) -> Any:
    """Run the INSERT that `build(insert)` makes (ON CONFLICT and RETURNING clauses as it likes)
    for many rows that all name the same columns; its result. On PostgreSQL the rows go in as
    one array per column (see `_given`): an INSERT of many VALUES has a text of its own for
    each number of rows, which psycopg converts afresh and the server parses and plans afresh.
    Elsewhere it is an executemany. The statement is built once per database and columns."""
    dialect = session.get_bind().dialect.name
    columns = tuple(rows[0])
    statement = _rows_insert(build, dialect, columns)
    if dialect != "postgresql":
        return session.connection().execute(statement, rows)
    return session.connection().execute(statement, _arrays(rows, columns))


@cache
def _update_joined(table: Table, keys: tuple[str, ...], columns: tuple[str, ...], same: tuple[str, ...]) -> Any:
    """UPDATE table SET `columns` FROM unnest(an array per column) WHERE `keys` match (PostgreSQL),
    the arrays bound as a_<name> and `same` as b_<name> (see `_given`)."""
    given = _given(table, columns)
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
    session.connection().execute(_update_joined(table, keys, columns, tuple(same)), {**_arrays(last, columns), **fixed})

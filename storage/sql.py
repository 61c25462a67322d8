"""Small SQL building blocks both databases share: insert-if-absent, and many rows inserted or
updated at once with statements built once per database dialect.

A statement object built once and executed with parameters is compiled once too: SQLAlchemy
memoizes its cache key on the object, so the per-message hot path pays for neither the
building nor the cache-key walk of a fresh statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Dialect, String, Table, bindparam, column, func, literal_column, select, true, update
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


# SQLite: from this many rows on one JSON array beats plain parameters (1 row: +20 µs, 16 rows: -67 µs)
JSON_ROWS = 4


@cache
def _update_each(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """UPDATE table SET each of `columns` WHERE each of `keys`, all bound as b_<name>."""
    return update(table).where(*(table.c[k] == bindparam(f"b_{k}") for k in keys)).values(
        {name: bindparam(f"b_{name}") for name in columns})


def _given(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    """The rows of a batch as a table named given(columns), all bound in one value per table
    or column (`_bound`), so that one statement text serves any number of rows: compiled
    once, and on PostgreSQL kept prepared by the server.

    On PostgreSQL, unnest(an array per column, bound as a_<name>). On SQLite, which has no
    arrays, json_each of one JSON array of rows, bound as j_<table>: an executemany's
    parameter handling in SQLAlchemy cost twice what SQLite's JSON functions do."""
    if dialect == "postgresql":
        arrays = (bindparam(f"a_{name}", type_=postgresql.ARRAY(_unbounded(table.c[name].type), dimensions=1))
                  for name in columns)
        return func.unnest(*arrays).table_valued(*(column(name, table.c[name].type) for name in columns)) \
            .render_derived(name="given")
    rows = func.json_each(bindparam(f"j_{table.name}", type_=String)).table_valued("value")
    return select(*(func.json_extract(rows.c.value, literal_column(f"'$[{i}]'")).label(name)
                    for i, name in enumerate(columns))).subquery("given")


def _unbounded(type_: Any) -> Any:
    """A string column's type without its length, for the array its rows are bound in: a cast to
    VARCHAR(n)[] cuts a longer value silently, where storing it in the column refuses it."""
    return String() if getattr(type_, "length", None) else type_  # String, or SQLModel's AutoString


@cache
def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> list[Callable[[Any], Any] | None]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _bound(dialect: Dialect, table: Table, rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    """The parameters `_given` binds for these rows."""
    if dialect.name == "postgresql":
        rows = list(rows)
        return {f"a_{name}": [row[name] for row in rows] for name in columns}
    processors = list(zip(columns, _processors(dialect, table, columns), strict=True))
    done: dict[tuple[str, Any], Any] = {}  # a batch's rows share their timestamps: each converted once
    values: list[list[Any]] = []
    for row in rows:
        values.append(each := [])
        for name, process in processors:
            value = row[name]
            if process is not None:  # None too: a JSON column stores it as 'null', as an executemany would
                if isinstance(value, dict | list):
                    value = process(value)
                else:
                    key = (name, value)
                    value = done[key] if key in done else done.setdefault(key, process(value))
            each.append(value)
    return {f"j_{table.name}": orjson.dumps(values).decode()}


@cache
def _rows_insert(build: Callable[[InsertBuilder], Any], dialect: str, columns: tuple[str, ...]) -> Any:
    def insert(table: Table) -> Any:
        # WHERE: SQLite reads ON CONFLICT after a SELECT's FROM as a join's ON otherwise
        return _insert_builder(dialect)(table).from_select(list(columns),
                                                           select(*_given(dialect, table, columns).c).where(true()))

    return build(insert)


@cache
def _plain_insert(build: Callable[[InsertBuilder], Any], dialect: str) -> Any:
    return build(_insert_builder(dialect))


def insert_rows(session: Session, build: Callable[[InsertBuilder], Any], rows: list[dict[str, Any]]) -> Any:
    """Run the INSERT that `build(insert)` makes (ON CONFLICT and RETURNING clauses as it likes)
    for many rows that all name the same columns; its result. The rows go in as one value
    (see `_given`): an INSERT of many VALUES has a text of its own for each number of rows,
    which psycopg converts afresh and the server parses and plans afresh, and an executemany
    is slow in SQLAlchemy's parameter handling (on SQLite a few rows still go as one). The
    statement is built once per database and columns."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" and len(rows) < JSON_ROWS:
        return session.connection().execute(_plain_insert(build, dialect.name), rows)
    columns = tuple(rows[0])
    statement = _rows_insert(build, dialect.name, columns)
    return session.connection().execute(statement, _bound(dialect, statement.table, rows, columns))


Inserting = tuple[Callable[[InsertBuilder], Any], list[dict[str, Any]]]  # (build, rows) of `insert_rows`


@cache
def _inserts_joined(first: Callable[[InsertBuilder], Any], first_columns: tuple[str, ...],
                    second: Callable[[InsertBuilder], Any], second_columns: tuple[str, ...],
                    on: tuple[str, ...]) -> tuple[Any, int]:
    """Both INSERTs of `insert_rows` on PostgreSQL as data-modifying CTEs, their RETURNING rows
    joined on `on`; and how many columns the first returns."""
    one = _rows_insert(first, "postgresql", first_columns).cte("first")
    two = _rows_insert(second, "postgresql", second_columns).cte("second")
    return select(*one.c, *two.c).where(*(one.c[k] == two.c[k] for k in on)), len(one.c)


def insert_rows_joined(session: Session, first: Inserting, second: Inserting,
                       on: tuple[str, ...]) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Both `insert_rows`, their RETURNING rows paired where the `on` columns (both return them)
    agree. On PostgreSQL it is one statement, one round trip: the rows' arrays are bound by
    column name, so a name both inserts bind must hold the same values in both."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        mine = insert_rows(session, *first).all()
        theirs = {tuple(row._mapping[k] for k in on): tuple(row) for row in insert_rows(session, *second)}
        return [(tuple(row), theirs[tuple(row._mapping[k] for k in on)]) for row in mine]
    (build_one, rows_one), (build_two, rows_two) = first, second
    columns_one, columns_two = tuple(rows_one[0]), tuple(rows_two[0])
    statement, width = _inserts_joined(build_one, columns_one, build_two, columns_two, on)
    bound = _bound(dialect, _rows_insert(build_one, dialect.name, columns_one).table, rows_one, columns_one)
    others = _bound(dialect, _rows_insert(build_two, dialect.name, columns_two).table, rows_two, columns_two)
    if any(bound[name] != values for name, values in others.items() if name in bound):
        raise ValueError("inserts joined into one statement bind one name to different values")
    rows = session.connection().execute(statement, bound | others)
    return [(tuple(row[:width]), tuple(row[width:])) for row in rows]


@cache
def _update_joined(dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...],
                   same: tuple[str, ...]) -> Any:
    """UPDATE table SET `columns` FROM the rows given (`_given`) WHERE `keys` match, and
    `same` bound as b_<name>."""
    given = _given(dialect, table, columns)
    return update(table).where(*(table.c[k] == given.c[k] for k in keys)).values(
        {**{name: given.c[name] for name in columns if name not in keys},
         **{name: bindparam(f"b_{name}") for name in same}})


Shape = tuple[Table, tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # table, keys, columns, same


@dataclass(frozen=True)
class RowUpdates:
    """Each row's values (all rows name the same columns) set in the row of `table` its `keys`
    columns match, and the `same` values in each of those; a key given twice gets its last row."""

    table: Table
    keys: tuple[str, ...]
    rows: list[dict[str, Any]]
    same: dict[str, Any] = field(default_factory=dict)

    def shape(self) -> Shape:
        return self.table, self.keys, tuple(self.rows[0]), tuple(self.same)

    def bound(self, dialect: Dialect) -> dict[str, Any]:
        last = {tuple(row[k] for k in self.keys): row for row in self.rows}.values()
        return {**_bound(dialect, self.table, last, tuple(self.rows[0])),
                **{f"b_{name}": value for name, value in self.same.items()}}


@cache
def _updates_joined(shapes: tuple[Shape, ...]) -> Any:
    """The UPDATEs of `_update_joined` on PostgreSQL as one statement: all but the last run as
    data-modifying CTEs, which PostgreSQL runs whether or not the statement reads them."""
    names = [f"{prefix}_{name}" for _, keys, columns, same in shapes
             for prefix, name in [*(("a", c) for c in columns), *(("b", c) for c in same)]]
    if len(names) != len(set(names)):
        raise ValueError(f"updates joined into one statement bind a name twice: {names}")
    *first, statement = [_update_joined("postgresql", *shape) for shape in shapes]
    for n, earlier in enumerate(first):
        statement = statement.add_cte(earlier.cte(f"updated_{n}"))
    return statement


def update_rows(session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]],
                **same: Any) -> None:
    """Apply `RowUpdates(table, keys, rows, same)` (see `update_all`)."""
    update_all(session, [RowUpdates(table, keys, rows, same)])


def update_all(session: Session, changes: Iterable[RowUpdates]) -> None:
    """Set the rows of each change, in turn, each change one statement with its rows joined in
    (see `_given`): an executemany costs PostgreSQL several times as much CPU, one UPDATE per
    row, and SQLAlchemy's parameter handling twice what SQLite's JSON functions do (below
    JSON_ROWS rows it is an executemany there). On PostgreSQL all the changes are one
    statement, one round trip.
    """
    changes = [change for change in changes if change.rows]
    if not changes:
        return
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        for change in changes:
            if len(change.rows) >= JSON_ROWS:
                session.connection().execute(_update_joined(dialect.name, *change.shape()), change.bound(dialect))
                continue
            table, keys, columns, same = change.shape()
            fixed = {f"b_{name}": value for name, value in change.same.items()}
            params = [{**{f"b_{name}": value for name, value in row.items()}, **fixed} for row in change.rows]
            session.connection().execute(_update_each(table, keys, tuple(c for c in (*columns, *same)
                                                                          if c not in keys)), params)
        return
    bound: dict[str, Any] = {}
    for change in changes:
        bound |= change.bound(dialect)
    session.connection().execute(_updates_joined(tuple(change.shape() for change in changes)), bound)

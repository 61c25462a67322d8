"""Read-mostly tables kept in memory: a transaction reads a table's change stamp once, and again
after a write of its own; open jobs to show come from memory; a pooled connection is pinged
only after a pause."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection

from storage import db
from storage.db import make_engine, session_scope
from storage.job_search import open_jobs
from storage.jobs import CLOSED, get_jobs, set_status
from storage.models import Job, utcnow


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    return seen


def _job(key: str) -> Job:
    now = utcnow()
    return Job(source_key=key, title="采茶", town="华埠镇", skills=["tea"], created_at=now, updated_at=now)


def _open_ids(session: object) -> set[int]:
    return {job.id for job in open_jobs(session).near(None)}  # type: ignore[arg-type]


def test_a_transaction_reads_the_stamp_once_and_again_after_its_own_write(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_job("first"))
    seen = _statements(engine)
    with session_scope(engine) as session:
        assert len(_open_ids(session)) == 1
        assert len(_open_ids(session)) == 1
        assert sum("change_stamp" in s for s in seen) == 1  # one stamp read for the transaction
        session.add(_job("second"))
        session.flush()
        assert len(_open_ids(session)) == 2  # its own new job: the stamp was read again
    with session_scope(engine) as session:
        assert len(_open_ids(session)) == 2
    assert sum("change_stamp" in s for s in seen) == 3


def test_a_later_transaction_sees_what_another_connection_committed(engine: Engine, db_url: str) -> None:
    with session_scope(engine) as session:
        assert _open_ids(session) == set()
    other = make_engine(db_url)
    with session_scope(other) as session:
        session.add(_job("elsewhere"))
    other.dispose()
    with session_scope(engine) as session:
        assert len(_open_ids(session)) == 1


def test_a_connection_back_in_use_at_once_is_not_pinged_but_one_idle_a_while_is(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgresql_url)
    seen = _statements(engine)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def ping(dbapi_connection: DBAPIConnection) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    for _ in range(3):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    assert pings == []
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.01)
    time.sleep(0.02)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(pings) == 1 and len(seen) == 4
    engine.dispose()


def test_a_pooled_connection_the_server_dropped_is_replaced_after_a_pause(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgresql_url)
    with engine.connect() as connection:
        dropped = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with make_engine(postgresql_url).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped
    engine.dispose()


def test_jobs_to_show_come_from_memory_when_open_and_from_the_database_when_not(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add_all([_job("open"), _job("closed")])
    with session_scope(engine) as session:
        ids = sorted(_open_ids(session))
        assert set_status(session, job_id=ids[1], status=CLOSED, now=utcnow())
    seen = _statements(engine)
    with session_scope(engine) as session:
        jobs = get_jobs(session, job_ids=[*ids, 999])
        assert sorted(jobs) == ids and jobs[ids[1]].status == CLOSED
        assert jobs[ids[0]] not in session  # shared by every session, never added to one
        seen.clear()
        assert list(get_jobs(session, job_ids=ids[:1])) == ids[:1] and seen == []

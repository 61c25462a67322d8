"""Schema migrations and the storage rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from storage.db import alembic_config, make_engine, session_scope
from storage.inbound import STALE_CLAIM, Claim, claim_messages, finish_messages
from storage.models import ChatAccount, Conversation, InboundMessage, Worker, WorkerSkill, saved_id, utcnow
from storage.sql import JSON_ROWS, InsertBuilder, insert_ignore, insert_rows, table_of, update_rows
from storage.workers import AccountRef, save_worker


def test_migrations_create_exactly_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version", "apscheduler_jobs"}
    assert tables == set(SQLModel.metadata.tables)
    command.check(alembic_config(db_url))  # raises when models and migrations differ
    engine.dispose()


def test_every_migrated_sqlite_table_with_an_integer_id_never_reuses_one(sqlite_url: str) -> None:
    """A migration that rebuilds a table (Alembic's batch mode) must keep AUTOINCREMENT (0005)."""
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        ddl: dict[str, str] = dict(conn.execute(text("select name, sql from sqlite_master where type = 'table'")).all())
    engine.dispose()
    lacking = [name for name, table in SQLModel.metadata.tables.items()
               if table.autoincrement_column is not None and "AUTOINCREMENT" not in ddl[name]]
    assert lacking == []


def claim_message(session: Session, *, channel: str, dedup_key: str, user_id: str) -> Claim:
    return claim_messages(session, [(channel, dedup_key, user_id)])[(channel, dedup_key)]


def test_inbound_claims(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        assert claim_message(s, channel="wechat", dedup_key="m1", user_id="u").fresh
    with session_scope(engine) as s:
        second = claim_message(s, channel="wechat", dedup_key="m1", user_id="u")
        assert not second.fresh and second.reply is None
        finish_messages(s, [("wechat", "m1", {"texts": ["好"], "choices": []})])
    with session_scope(engine) as s:
        assert claim_message(s, channel="wechat", dedup_key="m1", user_id="u").reply == {"texts": ["好"], "choices": []}
        assert claim_message(s, channel="telegram", dedup_key="m1", user_id="u").fresh
    engine.dispose()


def test_claims_for_a_batch_tell_new_messages_from_seen_ones(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        claim_messages(s, [("wechat", "a", "u1"), ("wechat", "b", "u2")])
        finish_messages(s, [("wechat", "a", {"texts": ["甲"], "choices": []})])
    with session_scope(engine) as s:
        claims = claim_messages(s, [("wechat", "a", "u1"), ("wechat", "b", "u2"), ("wechat", "c", "u1"),
                                    ("telegram", "a", "u1")])
    assert claims == {("wechat", "a"): Claim(fresh=False, reply={"texts": ["甲"], "choices": []}),
                      ("wechat", "b"): Claim(fresh=False), ("wechat", "c"): Claim(fresh=True),
                      ("telegram", "a"): Claim(fresh=True)}
    engine.dispose()


def test_a_claim_whose_process_died_is_retaken_at_once(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        claim_messages(s, [("wechat", "m3", "u")])
    with session_scope(engine) as s:
        assert claim_messages(s, [("wechat", "m3", "u")]) == {("wechat", "m3"): Claim(fresh=False)}
        assert claim_messages(s, [("wechat", "m3", "u")], retake=True) == {("wechat", "m3"): Claim(fresh=True)}
        finish_messages(s, [("wechat", "m3", {"texts": ["好"], "choices": []})])
    with session_scope(engine) as s:  # a handled message is never retaken: its reply is replayed
        assert not claim_messages(s, [("wechat", "m3", "u")], retake=True)[("wechat", "m3")].fresh
    engine.dispose()


def test_an_abandoned_claim_is_taken_over_once(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        claim_message(s, channel="wechat", dedup_key="m2", user_id="u")
        row = s.exec(select(InboundMessage)).first()
        assert row is not None
        s.exec(table_of(InboundMessage).update().values(updated_at=utcnow() - STALE_CLAIM * 2))
    with session_scope(engine) as s:
        assert claim_message(s, channel="wechat", dedup_key="m2", user_id="u").fresh
    with session_scope(engine) as s:
        assert not claim_message(s, channel="wechat", dedup_key="m2", user_id="u").fresh
    engine.dispose()


def test_insert_ignore_reports_whether_it_inserted(db_url: str) -> None:
    engine = make_engine(db_url)
    values = {"channel": "c", "dedup_key": "k", "user_id": "u", "status": "done", "created_at": utcnow(),
              "updated_at": utcnow()}
    with Session(engine) as s:
        assert insert_ignore(s, InboundMessage, values) is True
        assert insert_ignore(s, InboundMessage, values) is False
        s.commit()
    engine.dispose()


def test_update_rows_sets_each_row_its_own_values(db_url: str) -> None:
    engine = make_engine(db_url)
    now = utcnow()
    with session_scope(engine) as s:
        s.add_all([Conversation(channel="wechat", user_id=u, data={"n": 0}, back=[], updated_at=now)
                   for u in ("a", "b", "c")])
    later = utcnow()
    with session_scope(engine) as s:
        update_rows(s, table_of(Conversation), ("channel", "user_id"), [
            {"channel": "wechat", "user_id": "a", "flow": "登记", "data": {"n": 1}, "back": ["town"]},
            {"channel": "wechat", "user_id": "b", "flow": None, "data": {"名": "王"}, "back": []},
            {"channel": "wechat", "user_id": "a", "flow": "找工作", "data": {"n": 2}, "back": []},  # the last wins
        ], version=7, updated_at=later)
    with Session(engine) as s:
        rows = {c.user_id: c for c in s.exec(select(Conversation))}
    assert (rows["a"].flow, rows["a"].data, rows["a"].back, rows["a"].version) == ("找工作", {"n": 2}, [], 7)
    assert (rows["b"].flow, rows["b"].data, rows["b"].back, rows["b"].version) == (None, {"名": "王"}, [], 7)
    assert (rows["c"].data, rows["c"].version, rows["c"].updated_at) == ({"n": 0}, 0, now)
    engine.dispose()


def test_update_rows_keeps_quotes_backslashes_and_nulls(db_url: str) -> None:
    """What a villager types goes through the batch update as typed (PostgreSQL binds it in arrays)."""
    engine = make_engine(db_url)
    now = utcnow()
    with session_scope(engine) as s:
        s.add_all([Conversation(channel="wechat", user_id=u, data={}, back=[], updated_at=now) for u in "abcde"])
    typed = {"text": '他说"行"，路径 C:\\村里\\{1,2}', "ids": [3, None], "back": None}
    for people in ("ab", "abcde"):  # a few rows, and as many as SQLite binds as one JSON array
        with session_scope(engine) as s:
            update_rows(s, table_of(Conversation), ("channel", "user_id"), [
                {"channel": "wechat", "user_id": u, "step": None, "data": typed if u == "a" else {},
                 "back": ['"town"', "\\"] if u == "a" else []} for u in people])
        with Session(engine) as s:
            rows = {c.user_id: c for c in s.exec(select(Conversation))}
        assert (rows["a"].step, rows["a"].data, rows["a"].back) == (None, typed, ['"town"', "\\"])
        assert (rows["b"].data, rows["b"].back) == ({}, [])
    engine.dispose()


def _insert_account(insert: InsertBuilder) -> Any:
    return insert(table_of(ChatAccount))


def test_insert_rows_stores_what_the_orm_stores(db_url: str) -> None:
    """Rows inserted as a batch (one JSON array on SQLite, arrays on PostgreSQL) are stored as
    an ORM insert stores them: timestamps, booleans, NULLs and numbers alike."""
    engine = make_engine(db_url)
    now = utcnow()
    values: dict[str, Any] = {
        "channel": "wechat", "worker_id": None, "last_inbound_at": now, "window_sends": 3, "reachable": False,
        "latitude": 29.13, "longitude": None, "located_at": None, "link_failures": 1, "link_blocked_until": now,
        "created_at": now}
    with session_scope(engine) as s:
        s.add(ChatAccount(user_id="orm", **values))
        insert_rows(s, _insert_account, [{"user_id": "rows", **values}, {"user_id": "两", **values}])
        insert_rows(s, _insert_account, [{"user_id": f"many{n}", **values} for n in range(JSON_ROWS)])
    with engine.connect() as conn:
        stored = {row[2]: tuple(row)[3:] for row in conn.execute(text("SELECT * FROM chat_account"))}
    assert len(stored) == 3 + JSON_ROWS and all(row == stored["orm"] for row in stored.values())
    engine.dispose()


def _skills_in_table(session: Session, worker_id: int) -> list[str]:
    return sorted(session.exec(select(WorkerSkill.skill).where(WorkerSkill.worker_id == worker_id)).all())


def test_a_changed_profile_is_written_and_the_skill_rows_follow_the_skills(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        account = ChatAccount(channel="wechat", user_id="o-edit")
        session.add(account)
        session.flush()
        ref = AccountRef(saved_id(account), None)
        created = save_worker(session, account=ref, worker=None, fields={
            "town": "华埠镇", "village": "金星村", "skills": ["tea", "cook"], "availability": ["anytime"],
            "travel_range": "town"})
        worker_id = saved_id(created)
    with session_scope(engine) as session:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        saved = save_worker(session, account=ref, worker=worker,
                            fields={"village": "下溪村", "skills": ["tea", "cook"]})
        assert saved.village == "下溪村"  # the object in the session says what the row now says
        assert _skills_in_table(session, worker_id) == ["cook", "tea"]
        save_worker(session, account=ref, worker=worker, fields={"skills": ["porter"], "travel_range": "county"})
    with session_scope(engine) as session:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        assert (worker.village, worker.skills, worker.travel_range) == ("下溪村", ["porter"], "county")
        assert _skills_in_table(session, worker_id) == ["porter"]
        assert worker.updated_at > worker.created_at
    engine.dispose()

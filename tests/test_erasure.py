"""注销 (erasure), on SQLite and PostgreSQL: nothing addressed to an erased person ever reaches
anyone (ids are never handed out twice), what can go goes, and the reply says truly what is
kept — an open wage case, without the phone and out of the account's sight."""

from __future__ import annotations

from pathlib import Path

from conftest import ChatHarness, Clock
from sqlalchemy import text
from sqlmodel import Session, col, select
from starlette.testclient import TestClient
from test_delivery import REGISTER, RecordingSender, deliver, local, post

from bot.messages import Kind
from storage import cases
from storage.db import make_engine, session_scope, upgrade
from storage.models import (
    ChatAccount,
    Conversation,
    InboundMessage,
    JobApplication,
    Outbox,
    RightsCase,
    RightsCaseEvent,
    Worker,
    WorkerSkill,
    saved_id,
    utcnow,
)

CASE = ["欠工资", "戴老板", "8800", "去年12月", "华埠", "13812345678"]
PROGRESS = "已联系戴老板，约定下周付8800元"


def file_case(chat: ChatHarness, **kw: object) -> str:
    done = chat.conversation(*CASE, "1", **kw)[-1]
    number = cases.parse_number(done)
    assert number, done
    return number


def worker_ids(chat: ChatHarness) -> list[int]:
    with Session(chat.engine) as session:
        return [saved_id(w) for w in session.exec(select(Worker).order_by(col(Worker.id)))]


def test_a_push_held_for_the_morning_never_reaches_whoever_registers_after_the_erasure(
        chat: ChatHarness, staff: TestClient, clock: Clock) -> None:
    """The issue's case: a 维权 progress push held for quiet hours, then 注销, then a new
    person registers; in the morning nobody gets the erased person's message."""
    chat.conversation(*REGISTER)
    [erased_id] = worker_ids(chat)
    number = file_case(chat)
    clock.now = local(22, 30)
    [case] = staff.get("/console/api/cases").json()["cases"]
    told = staff.post(f"/console/api/cases/{case['id']}/status", json={"status": "mediating", "note": PROGRESS})
    assert told.json()["notified"] == 1
    sender = RecordingSender()
    deliver(chat, sender)
    assert sender.sent == []  # quiet hours: it waits for 08:00

    chat.conversation("注销", "1")
    chat.conversation(*REGISTER, user="newcomer")

    clock.now = local(8, 30, day=11)
    deliver(chat, sender)
    assert sender.sent == []
    [newcomer_id] = worker_ids(chat)
    assert newcomer_id != erased_id
    with Session(chat.engine) as session:
        [push] = session.exec(select(Outbox).where(col(Outbox.kind) == "case")).all()
    assert (push.status, push.worker_id, push.payload) == ("cancelled", None, {})
    assert number not in str(push.payload)


def test_ids_are_never_handed_out_again_after_a_delete(chat: ChatHarness) -> None:
    for person in ("甲", "乙"):
        chat.conversation(*REGISTER, user=person)
        file_case(chat, user=person)
    before = worker_ids(chat)
    with Session(chat.engine) as session:
        last_case = max(saved_id(c) for c in session.exec(select(RightsCase)))
    chat.conversation("注销", "1", user="乙")  # the highest ids go
    chat.conversation(*REGISTER, user="丙")
    second = file_case(chat, user="丙")
    assert worker_ids(chat)[-1] > before[-1]
    with Session(chat.engine) as session:
        assert saved_id(session.exec(select(RightsCase).where(col(RightsCase.number) == second)).one()) > last_case


def test_erasure_removes_what_it_can_and_says_what_is_kept(chat: ChatHarness, staff: TestClient) -> None:
    post(chat)
    chat.conversation(*REGISTER)
    assert "已为您报名" in chat.conversation("找工作", "报名 1")[-1]
    chat.send(kind=Kind.LOCATION, latitude=29.13, longitude=118.41)
    open_number = file_case(chat)
    finished_number = file_case(chat)
    listed = {c["number"]: c["id"] for c in staff.get("/console/api/cases").json()["cases"]}
    staff.post(f"/console/api/cases/{listed[finished_number]}/status", json={"status": "resolved"})

    asked = chat.say("注销")
    assert open_number in asked and finished_number not in asked and "删掉您的电话" in asked
    done = chat.say("1")
    assert "已删除" in done and "全部信息" not in done
    assert open_number in done and "电话已删除" in done and "查不到" in done and "人力社保局" in done

    with Session(chat.engine) as session:
        assert session.exec(select(Worker)).all() == []
        assert session.exec(select(JobApplication)).all() == []
        assert session.exec(select(InboundMessage)).all() == []
        assert all(not c.data for c in session.exec(select(Conversation)))
        account = session.exec(select(ChatAccount)).one()  # kept to answer them, emptied
        assert (account.worker_id, account.latitude, account.longitude, account.located_at) == (None,) * 4
        [kept] = session.exec(select(RightsCase)).all()  # the finished case is gone
        assert (kept.number, kept.phone, kept.account_id, kept.worker_id) == (open_number, None, None, None)
        assert (kept.employer, kept.amount) == ("戴老板", 8800)  # what the department follows up
        notes = [e.note for e in session.exec(select(RightsCaseEvent).where(col(RightsCaseEvent.case_id) == kept.id))]
        assert notes[-1] == cases.ERASED_NOTE
        assert all(not row.payload and row.worker_id is None for row in session.exec(select(Outbox)))

    assert "还没有提交过维权" in chat.say("查进度")
    assert "没找到" in chat.say(f"查进度 {open_number}")
    assert "不用注销" in chat.say("注销")

    case_id = listed[open_number]
    assert staff.get(f"/console/api/cases/{case_id}").json()["phone"] == ""
    assert staff.get(f"/console/api/cases/{case_id}/contact").status_code == 410
    assert "本人已注销" in staff.get(f"/console/cases/{case_id}").text
    changed = staff.post(f"/console/api/cases/{case_id}/status", json={"status": "resolved", "note": "已付清"})
    assert changed.json()["notified"] == 0  # nobody to tell any more


def test_someone_who_only_filed_a_case_can_erase_it(chat: ChatHarness) -> None:
    number = file_case(chat)
    asked = chat.say("注销")
    assert number in asked and "确定要注销吗" in asked
    assert number in chat.say("1")
    with Session(chat.engine) as session:
        assert session.exec(select(RightsCase)).one().phone is None
    assert "还没有提交过维权" in chat.say("我的维权")


def test_the_migration_keeps_every_row_and_then_never_reuses_an_id(tmp_path: Path) -> None:
    """SQLite's tables are rebuilt with AUTOINCREMENT: no row is lost (no cascade into the
    children while a table is dropped and copied), and the highest id is not given again."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0004_link_guesses")
    engine = make_engine(url)
    now = utcnow().replace(tzinfo=None).isoformat(" ")
    with engine.begin() as conn:  # the columns of revision 0004, not of today's models
        for n in (1, 2):
            conn.execute(text("insert into worker (id, skills, availability, travel_range, want_job_push, "
                              "want_fair_push, subscribed, created_at, updated_at) "
                              "values (:n, '[\"tea\"]', '[]', 'town', 1, 1, 1, :now, :now)"), {"n": n, "now": now})
            conn.execute(text("insert into worker_skill (worker_id, skill) values (:n, 'tea')"), {"n": n})
            conn.execute(text("insert into chat_account (channel, user_id, worker_id, window_sends, reachable, "
                              "created_at) values ('wechat', :u, :n, 0, 1, :now)"), {"u": f"o{n}", "n": n, "now": now})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        assert len(session.exec(select(WorkerSkill)).all()) == 2
        assert [a.worker_id for a in session.exec(select(ChatAccount).order_by(col(ChatAccount.id)))] == [1, 2]
        session.delete(session.get_one(Worker, 2))
    with session_scope(engine) as session:
        newcomer = Worker(skills=[])
        session.add(newcomer)
        session.flush()
        assert newcomer.id == 3
    engine.dispose()

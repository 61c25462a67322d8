"""The loop from 报名 to 录用: who applied (称呼, phone masked until revealed and audited), the
outcome staff or the person record, 找到活了吗 once, a filled job no longer pushed, 录用 counted."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from conftest import ChatHarness, JobbotCommand, advance
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot import scheduler
from bot.channels.base import Outcome, PushMessage, SendResult
from bot.delivery import Deliverer
from bot.outreach.jobs import post_job
from storage.db import make_engine, session_scope
from storage.models import Job, JobApplication, Outbox, StaffAudit, Worker

REGISTER = ["登记", "华埠", "金星村", "50", "采茶", "1", "3", "1", "2", "1"]


def register(chat: ChatHarness, name: str, phone: str, user: str) -> None:
    chat.conversation(*REGISTER, user=user)
    chat.say(name, user=user)
    chat.say(phone, user=user)


def post(chat: ChatHarness, title: str = "采茶工", headcount: int = 1) -> Job:
    with session_scope(chat.engine) as session:
        job, _ = post_job(session, chat.dispatcher.services, {"title": title, "employer": "示范茶场", "town": "华埠",
                                                              "headcount": str(headcount), "phone": "0570-6012345"})
        assert job is not None
        session.expunge(job)
    return job


def deliver_all(chat: ChatHarness) -> list[str]:
    """Run push delivery until nothing is due; the people something was sent to."""
    sent: list[str] = []

    class Sender:
        async def send(self, message: PushMessage) -> SendResult:
            sent.append(message.user_id)
            return SendResult(Outcome.SENT)

    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": Sender()})
    while asyncio.run(deliverer.run_once()):
        pass
    return sent


def apply(chat: ChatHarness, user: str) -> None:
    chat.say("找工作", user=user)
    assert "已为您报名" in chat.say("报名 1", user=user)


def test_registration_asks_name_and_phone_and_they_can_be_changed_and_erased(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    assert "称呼写几个字" in chat.say("12345")
    assert "留个电话" in chat.say("王阿姨")
    assert "号码好像不对" in chat.say("12345")
    assert "不留电话也能报名" in chat.say("跳过")
    mine = chat.say("我的信息")
    assert "称呼：王阿姨" in mine and "电话：未留" in mine
    chat.say("修改")
    assert "留个电话" in chat.say("电话")
    assert "139****8888" in chat.say("13900008888")
    assert "电话：139****8888" in chat.say("我的信息")
    chat.conversation("注销", "1")
    with Session(chat.engine) as session:
        assert session.exec(select(Worker)).all() == []


def test_thanks_after_registration_is_not_taken_for_a_name(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    said = chat.say("好的")  # main's acknowledge answers 好的 itself; it is never kept as a name
    assert "不客气" in said or "有事随时找我" in said
    assert "不客气" in chat.say("谢谢")
    with Session(chat.engine) as session:
        assert session.exec(select(Worker)).one().name is None


def test_staff_see_who_applied_reveal_a_phone_and_record_outcomes(chat: ChatHarness, staff: TestClient) -> None:
    register(chat, "王阿姨", "13800001234", "a")
    register(chat, "李师傅", "跳过", "b")
    job = post(chat, headcount=2)
    apply(chat, "a")
    chat.say("找工作", user="b")
    assert "还没留电话" in chat.say("报名 1", user="b")  # no phone: told how to leave one
    view = staff.get(f"/console/api/jobs/{job.id}").json()
    assert (view["headcount"], view["hired"], view["left"]) == (2, 0, 2)
    people = {a["name"]: a for a in view["applicants"]}
    assert people["王阿姨"]["phone"] == "138****1234" and people["李师傅"]["phone"] == ""
    page = staff.get(f"/console/jobs/{job.id}").text
    assert "王阿姨" in page and "138****1234" in page and "13800001234" not in page
    revealed = staff.get(f"/console/api/workers/{people['王阿姨']['worker_id']}/contact").json()
    assert revealed["phone"] == "13800001234"
    bad = staff.post(f"/console/api/applications/{people['王阿姨']['id']}/outcome", json={"outcome": "很好"})
    assert bad.status_code == 400
    assert staff.post("/console/api/applications/999/outcome", json={"outcome": "录用"}).status_code == 404
    done = staff.post(f"/console/api/applications/{people['王阿姨']['id']}/outcome",
                      json={"outcome": "录用", "date": "2026-03-12"}).json()
    assert done["status"] == "hired" and not done["filled"]
    assert staff.post(f"/console/api/applications/{people['李师傅']['id']}/outcome",
                      json={"outcome": "录用"}).json()["filled"]
    with Session(chat.engine) as session:
        assert session.get_one(Job, job.id).status == "filled"
        actions = [a.action for a in session.exec(select(StaffAudit))]
        outcome_on = session.get_one(JobApplication, people["王阿姨"]["id"]).outcome_on
    assert "worker.contact" in actions and actions.count("application.outcome") == 2
    assert str(outcome_on) == "2026-03-12"
    figures = {f["key"]: f for f in staff.get("/console/api/stats").json()["figures"]}
    assert figures["hired"]["value"] == 2


def test_a_filled_job_stops_being_pushed(chat: ChatHarness, staff: TestClient) -> None:
    register(chat, "王阿姨", "跳过", "a")
    register(chat, "李师傅", "跳过", "b")
    job = post(chat, "采茶工", headcount=1)
    apply(chat, "a")
    with Session(chat.engine) as session:
        application = session.exec(select(JobApplication)).one()
    assert staff.post(f"/console/api/applications/{application.id}/outcome", json={"outcome": "录用"}).json()["filled"]
    assert deliver_all(chat) == []  # both pushes were queued before it filled: neither goes out
    with Session(chat.engine) as session:
        rows = session.exec(select(Outbox).where(col(Outbox.ref_id) == job.id, col(Outbox.kind) == "job")).all()
    assert len(rows) == 2 and {r.last_error for r in rows} == {"岗位已招满或结束"}
    assert "采茶工" not in chat.say("找工作", user="b")


def test_the_person_is_asked_once_if_they_found_work_and_answers_by_number(chat: ChatHarness) -> None:
    register(chat, "王阿姨", "跳过", "a")
    post(chat)
    apply(chat, "a")
    engine, services = chat.engine, chat.dispatcher.services
    running = scheduler.start(engine, services, tasks=[])
    try:
        assert scheduler.follow_up_task() == 0  # not yet: a few days after 报名
        advance(services, timedelta(days=3))
        assert scheduler.follow_up_task() == 1
        services.clock.now += timedelta(hours=1)  # type: ignore[attr-defined]  # the next tick
        assert scheduler.follow_up_task() == 0  # asked once
    finally:
        running.shutdown(wait=False)
    with Session(engine) as session:
        [asked] = session.exec(select(Outbox).where(col(Outbox.kind) == "followup")).all()
    assert "找到活了吗" in asked.payload["texts"][0] and "回复 1" in asked.payload["texts"][0]
    assert "a" in deliver_all(chat)  # the question reached them (with the job's own push)
    assert "恭喜" in chat.say("1", user="a")
    with Session(engine) as session:
        application = session.exec(select(JobApplication)).one()
    assert (application.status, application.outcome_by) == ("hired", "worker")


def test_an_answer_in_words_records_the_outcome_too(chat: ChatHarness) -> None:
    register(chat, "王阿姨", "跳过", "a")
    post(chat)
    apply(chat, "a")
    advance(chat.dispatcher.services, timedelta(days=4))
    from handlers.followup import queue_follow_ups

    with session_scope(chat.engine) as session:
        queue_follow_ups(session, chat.dispatcher.services)
    assert "没看懂" in chat.say("2", user="a")  # not delivered yet (quiet hours): a number means something else
    chat.say("找工作", user="a")  # busy with something else first: the numbered list is gone
    assert "没关系" in chat.say("没录用", user="a")
    with Session(chat.engine) as session:
        assert session.exec(select(JobApplication)).one().status == "rejected"


def test_cli_lists_applicants_masked_reveals_with_audit_records_outcomes(jobbot: JobbotCommand,
                                                                        tmp_path: Path) -> None:
    assert jobbot("jobs", "add", "--title", "采茶工", "--employer", "示范茶场", "--town", "华埠").returncode == 0
    lines = "\n".join([*REGISTER, "王阿姨", "13800001234", "找工作", "报名 1"]) + "\n"
    assert "已为您报名" in jobbot("chat", "--user", "u1", stdin=lines).stdout
    listed = jobbot("jobs", "applications").stdout
    assert "王阿姨" in listed and "138****1234" in listed and "13800001234" not in listed
    assert "13800001234" in jobbot("jobs", "applications", "--reveal", "1").stdout
    assert jobbot("jobs", "outcome", "1", "很好").returncode == 2
    recorded = jobbot("jobs", "outcome", "1", "录用", "--date", "2026-03-12")
    assert recorded.returncode == 0 and "已招满" in recorded.stdout
    shown = jobbot("jobs", "show", "1").stdout
    assert "已录用 1 人" in shown and "还差 0 人" in shown
    engine = make_engine(f"sqlite:///{tmp_path / 'jobbot.sqlite3'}")
    with Session(engine) as session:
        assert [a.action for a in session.exec(select(StaffAudit))] == ["worker.contact"]
    engine.dispose()

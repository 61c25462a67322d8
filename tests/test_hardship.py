"""People in hardship: declaring only with consent, public-welfare jobs first in their job list
and in pushes, withdrawing consent deletes the declaration and the boost, and 残疾人之家."""

from __future__ import annotations

import warnings
from datetime import timedelta

from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness

from bot.outreach.jobs import post_job
from storage.db import session_scope
from storage.eligibility import HEAD_START
from storage.models import HardshipDeclaration, Job, Outbox, Worker

REGISTER = ["登记", "华埠", "金星村", "50", "采茶", "1", "3", "1", "1", "1"]
DECLARE = ["困难帮扶", "3", "1"]


def post(chat: ChatHarness, title: str, **spec: str) -> None:
    with session_scope(chat.engine) as session:
        post_job(session, chat.dispatcher.services, {"title": title, "employer": "示范单位", "town": "华埠",
                                                     "skills": "采茶", **spec})


def declared(chat: ChatHarness) -> list[HardshipDeclaration]:
    with Session(chat.engine) as session:
        return list(session.exec(select(HardshipDeclaration)))


def first_job(listing: str) -> str:
    return next(line for line in listing.splitlines() if line.startswith("1. "))


def test_declaring_needs_consent_and_saying_no_keeps_nothing(chat: ChatHarness) -> None:
    assert "先要登记" in chat.say("困难帮扶")
    chat.conversation(*REGISTER)
    ask = chat.conversation("困难帮扶", "零就业家庭")[-1]
    assert "您同意吗" in ask and "撤回" in ask and "回复 1 同意" in ask
    assert "什么都没有记" in chat.say("不需要")
    assert declared(chat) == []
    assert "请回复 1 同意" in chat.conversation("困难帮扶", "3", "嗯？")[-1]
    assert "记下了" in chat.say("同意")
    [row] = declared(chat)
    assert row.category == "零就业家庭"
    assert "已经登记了就业困难" in chat.say("困难帮扶")


def test_public_welfare_jobs_come_first_until_consent_is_withdrawn(chat: ChatHarness) -> None:
    post(chat, "公益岗·村道保洁", public_welfare="是", village="")
    post(chat, "采茶工（本村）", village="金星村")
    chat.conversation(*REGISTER)
    assert "采茶工（本村）" in first_job(chat.say("找工作"))
    chat.conversation(*DECLARE)
    assert "公益岗·村道保洁" in first_job(chat.say("找工作"))
    withdrawn = chat.say("撤回")
    assert "已删除您的就业困难登记" in withdrawn
    assert declared(chat) == []
    assert "采茶工（本村）" in first_job(chat.say("找工作"))
    assert "没有登记过就业困难" in chat.say("撤回")


def test_public_welfare_pushes_reach_declared_people_first(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*REGISTER, user="neighbour")
    chat.conversation(*DECLARE)
    now = chat.dispatcher.services.clock()
    post(chat, "公益岗·护林员", public_welfare="是")
    post(chat, "普通采茶工")
    with Session(chat.engine) as session:
        me = session.exec(select(col(Worker.id)).order_by(col(Worker.id))).first()
        rows = session.exec(select(Outbox, Job).join(Job, col(Job.id) == col(Outbox.ref_id))).all()
    waits = {(job.title, row.worker_id == me): row.not_before - now for row, job in rows}
    assert waits[("公益岗·护林员", True)] == timedelta(0)
    assert waits[("公益岗·护林员", False)] == HEAD_START
    assert waits[("普通采茶工", True)] == waits[("普通采茶工", False)] == timedelta(0)

    chat.say("撤回")
    post(chat, "公益岗·河道保洁", public_welfare="是")
    with Session(chat.engine) as session:
        row = session.exec(select(Outbox).join(Job, col(Job.id) == col(Outbox.ref_id)).where(
            col(Job.title) == "公益岗·河道保洁", col(Outbox.worker_id) == me)).one()
    assert row.not_before - now == HEAD_START  # withdrawn: no longer first


def test_declaring_brings_the_open_public_welfare_jobs_at_once(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    post(chat, "公益岗·村道保洁", public_welfare="是")  # queued for them behind the head start
    chat.conversation(*REGISTER, user="later")
    now = chat.dispatcher.services.clock()
    assert "现在有1个适合您的公益性岗位" in chat.conversation(*DECLARE)[-1]
    assert "现在有1个适合您的公益性岗位" in chat.conversation(*DECLARE, user="later")[-1]
    with Session(chat.engine) as session:
        rows = session.exec(select(Outbox).where(col(Outbox.kind) == "job")).all()
    assert len(rows) == 2 and all(r.not_before == now for r in rows)  # each job once per person, and now


def test_erasing_a_person_removes_what_they_declared_and_keeps_their_case_unlinked(chat: ChatHarness) -> None:
    from storage.models import PolicyOptOut, RightsCase, SilverChoice, WorkerFlag

    chat.conversation(*["登记", "华埠", "金星村", "62", "采茶", "1", "3", "1", "1", "1"])
    chat.conversation(*DECLARE)
    chat.conversation("银龄", "1", "1", "1", "1")
    chat.conversation("我想创业", "不需要")
    chat.conversation("欠工资", "张老板", "3000", "去年", "华埠", "13812345678", "1")
    chat.conversation("注销", "1")
    with Session(chat.engine) as session:
        for model in (Worker, HardshipDeclaration, SilverChoice, WorkerFlag, PolicyOptOut):
            assert session.exec(select(model)).all() == [], model
        case = session.exec(select(RightsCase)).one()
    assert case.worker_id is None and case.number == "WQ2026-000001"


# --- 残疾人之家 and the console ----------------------------------------------------------------------------
def test_disability_homes_are_employers_staff_list(chat: ChatHarness, staff: TestClient) -> None:
    assert "还在整理" in chat.say("残疾人之家")
    made = staff.post("/console/api/hardship/homes", json={"name": "华埠镇残疾人之家", "town": "华埠",
                                                           "address": "华埠镇文化路1号", "phone": "0570-6000003"})
    assert made.status_code == 201
    listing = chat.say("残疾人之家")
    assert "华埠镇残疾人之家（华埠镇）" in listing and "0570-6000003" in listing
    assert staff.post("/console/api/hardship/homes", json={"name": ""}).status_code == 400
    post(chat, "手工串珠", employer="华埠镇残疾人之家")  # and they post jobs like any employer
    assert staff.get("/console/api/hardship").json()["homes"][0]["name"] == "华埠镇残疾人之家"


def test_staff_see_declared_people_masked_and_withdrawn_ones_gone(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*REGISTER)
    with session_scope(chat.engine) as session:
        worker = session.exec(select(Worker)).one()
        worker.phone = "13900001111"
        session.add(worker)
    chat.conversation(*DECLARE)
    post(chat, "公益岗·护林员", public_welfare="是")
    overview = staff.get("/console/api/hardship").json()
    assert overview["public_welfare_open"] == 1
    [person] = overview["people"]
    assert person["category"] == "零就业家庭" and person["phone"] == "139****1111"
    assert "13900001111" not in staff.get("/console/hardship").text
    chat.say("撤回")
    assert staff.get("/console/api/hardship").json()["people"] == []


def test_staff_flag_a_job_as_public_welfare_in_the_jobs_form(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*DECLARE)
    form = {"title": "公益岗·茶园管护", "employer": "华埠镇政府", "town": "华埠镇", "skills": "采茶",
            "public_welfare": ["是"]}
    assert staff.post("/console/api/jobs", json=form).status_code == 200
    with Session(chat.engine) as session:
        job = session.exec(select(Job)).one()
        push = session.exec(select(Outbox).where(col(Outbox.ref_id) == job.id)).one()
    assert job.public_welfare and push.not_before == chat.dispatcher.services.clock()


def test_the_hardship_api_refuses_a_missing_token(staff: TestClient) -> None:
    for method, path in (("GET", "/console/api/hardship"), ("POST", "/console/api/hardship/homes")):
        assert staff.request(method, path, headers={"Authorization": ""}, json={}).status_code == 401, path

"""Returning graduates: registering as one, the three job recommendations (each job once, never a
fourth, also when recommendations race), what staff see each is still owed, and the internship
bases in the chat and the console."""

from __future__ import annotations

import threading
import warnings
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness, Clock

from bot.outreach.jobs import post_job
from handlers.graduates import REC_GAP, recommend_due
from storage import courses, graduates
from storage.db import make_engine, session_scope
from storage.models import Graduate, GraduateRecommendation, Job, Outbox, WorkerFlag, saved_id
from storage.seed import demo_data

REGISTER = ["登记", "华埠", "金星村", "23", "电商", "1", "3", "1", "1", "1"]
GRADUATE = ["我是大学生", "衢州学院", "电子商务", "2025", "1", "1"]


def post_jobs(chat: ChatHarness, n: int) -> None:
    with session_scope(chat.engine) as session:
        for i in range(n):
            post_job(session, chat.dispatcher.services, {"title": f"网店客服{i}", "employer": "示范电商",
                                                         "town": "华埠",
                                                         "skills": "电商", "pay": "4000元/月"})


def recommendations(chat: ChatHarness) -> list[GraduateRecommendation]:
    with Session(chat.engine) as session:
        return list(session.exec(select(GraduateRecommendation).order_by(col(GraduateRecommendation.slot))))


def graduate_pushes(chat: ChatHarness) -> list[Outbox]:
    with Session(chat.engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.kind) == graduates.PUSH_KIND)
                                 .order_by(col(Outbox.id))))


def test_a_graduate_registers_and_gets_the_first_recommendation(chat: ChatHarness) -> None:
    assert "要先做个简单登记" in chat.say("我是大学生")
    post_jobs(chat, 2)
    chat.conversation(*REGISTER)
    replies = chat.conversation(*GRADUATE[:-1])
    assert "哪一年毕业" in replies[2] and "回复 1 找工作" in replies[3]
    assert "学校：衢州学院" in replies[-1] and "毕业年份：2025年" in replies[-1]
    done = chat.say("1")
    assert "1次职业指导" in done and "3次岗位推荐" in done and "见习基地" in done
    with Session(chat.engine) as session:
        graduate = session.exec(select(Graduate)).one()
    assert (graduate.school, graduate.major, graduate.grad_year, graduate.wish) == ("衢州学院", "电子商务", 2025, "job")
    [push] = graduate_pushes(chat)
    assert "为您推荐第1个岗位（共3个）" in push.payload["texts"][0] and "网店客服" in push.payload["texts"][0]


def test_wrong_answers_are_asked_again(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*REGISTER)
    sqlite_chat.conversation("我是大学生")
    assert "不太对" in sqlite_chat.say("12345")
    sqlite_chat.conversation("衢州学院", "电子商务")
    assert "没看懂这个年份" in sqlite_chat.say("1899")
    assert "回复 1 找工作" in sqlite_chat.say("今年")
    assert "请回复一个编号" in sqlite_chat.say("9")
    assert "毕业年份：2026年" in sqlite_chat.say("还没想好")
    assert "从头再填" in sqlite_chat.say("2")
    assert "已取消毕业生登记" in sqlite_chat.say("取消")


def test_three_recommendations_each_job_once_and_never_a_fourth(chat: ChatHarness, clock: Clock) -> None:
    post_jobs(chat, 6)
    chat.conversation(*REGISTER)
    chat.conversation(*GRADUATE)
    services = chat.dispatcher.services
    with session_scope(chat.engine) as session:
        assert recommend_due(session, services) == 0  # too soon after the first
    for _ in range(4):
        clock.now += REC_GAP + timedelta(minutes=1)
        with session_scope(chat.engine) as session:
            recommend_due(session, services)
    recs = recommendations(chat)
    assert [r.slot for r in recs] == [1, 2, 3] and len({r.job_id for r in recs}) == 3
    pushed = graduate_pushes(chat)
    assert len(pushed) == 3 and "第3个岗位" in pushed[-1].payload["texts"][0]
    with session_scope(chat.engine) as session:
        graduate = session.exec(select(Graduate)).one()
        spare = session.exec(select(col(Job.id)).where(col(Job.id).notin_([r.job_id for r in recs]))).first()
        assert spare is not None
        assert graduates.add_recommendation(session, graduate_id=saved_id(graduate), job_id=spare,
                                            now=clock.now) is None
    for slot, job in ((4, spare), (2, spare), (3, recs[0].job_id)):
        with pytest.raises(IntegrityError), session_scope(chat.engine) as session:  # the database refuses as well
            session.add(GraduateRecommendation(graduate_id=recs[0].graduate_id, job_id=job, slot=slot))
            session.flush()


def test_racing_recommendations_stop_at_three(db_url: str, tmp_path: object) -> None:
    engine = make_engine(db_url)
    now = Clock().now
    with session_scope(engine) as session:
        from storage.models import Worker

        worker = Worker(town="华埠镇", skills=["ecommerce"], birth_year=2002)
        session.add(worker)
        session.flush()
        graduate = graduates.save_graduate(session, worker_id=saved_id(worker), school="衢州学院", major="电商",
                                           grad_year=2025, wish="job", now=now)
        jobs = [Job(source_key=f"race-{i}", title=f"客服{i}", skills=["ecommerce"], town="华埠镇") for i in range(8)]
        session.add_all(jobs)
        session.flush()
        graduate_id, job_ids = saved_id(graduate), [saved_id(j) for j in jobs]
    gate = threading.Barrier(len(job_ids))
    slots: list[int | None] = []

    def one(job_id: int) -> None:
        gate.wait()
        try:
            with session_scope(engine) as session:
                slots.append(graduates.add_recommendation(session, graduate_id=graduate_id, job_id=job_id, now=now))
        except IntegrityError:
            slots.append(None)

    threads = [threading.Thread(target=one, args=(j,)) for j in job_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(s for s in slots if s) == [1, 2, 3]
    with Session(engine) as session:
        assert len(session.exec(select(GraduateRecommendation)).all()) == 3
    engine.dispose()


def test_wanting_to_start_a_business_is_remembered(chat: ChatHarness) -> None:
    chat.conversation(*REGISTER)
    chat.conversation("我是大学生", "衢州学院", "电子商务", "2025", "自己创业", "1")
    with Session(chat.engine) as session:
        assert session.exec(select(col(WorkerFlag.flag))).all() == ["business"]


def test_internship_bases_in_the_chat(chat: ChatHarness) -> None:
    assert "还在整理" in chat.say("见习基地")
    with session_scope(chat.engine) as session:
        added = graduates.load_demo_bases(session, demo_data()["internship_bases"], now=Clock().now)
        assert added == 4 and graduates.load_demo_bases(session, demo_data()["internship_bases"], now=Clock().now) == 0
    chat.conversation(*REGISTER)
    parts = [chat.say("见习")]
    while "回复“详情”看原文" in parts[-1] and len(parts) < 6:  # a long list comes in readable parts
        parts.append(chat.say("详情"))
    assert all(len(p) <= 150 for p in parts)
    listing = "\n".join(parts)
    assert "（演示）" in listing and listing.index("华埠镇") < listing.index("芹阳办事处")
    assert "电话：0570" in listing


# --- staff ------------------------------------------------------------------------------------------------
def test_staff_see_who_is_still_owed_what(chat: ChatHarness, staff: TestClient) -> None:
    post_jobs(chat, 1)
    chat.conversation(*REGISTER)
    chat.conversation(*GRADUATE)
    [row] = staff.get("/console/api/graduates?owed=1").json()["graduates"]
    assert row["owed"] == ["职业指导", "岗位推荐2次", "技能培训"] and row["recommended"] == 1
    assert staff.post(f"/console/api/graduates/{row['id']}/guidance", json={"note": "已面谈"}).status_code == 200
    assert staff.post("/console/api/graduates/999/guidance", json={}).status_code == 404
    with session_scope(chat.engine) as session:  # a finished course counts as the training
        course = courses.add_course(session, fields={"source_key": "c1", "title": "电商直播培训",
                                                     "skills": ["ecommerce"],
                                                     "starts_on": Clock().now.date() + timedelta(days=3)},
                                    now=Clock().now)
        assert course is not None
        courses.sign_up(session, course_id=saved_id(course), worker_id=row["worker_id"], today=Clock().now.date(),
                        now=Clock().now)
        courses.complete(session, course_id=saved_id(course), worker_ids=[row["worker_id"]], now=Clock().now)
    [row] = staff.get("/console/api/graduates").json()["graduates"]
    assert row["owed"] == ["岗位推荐2次"] and row["guided"] and row["trained"]
    page = staff.get("/console/graduates").text
    assert "衢州学院" in page and "岗位推荐2次" in page


def test_staff_keep_the_internship_bases(chat: ChatHarness, staff: TestClient) -> None:
    made = staff.post("/console/api/internship-bases", json={"name": "示范见习基地", "town": "马金", "positions": "2",
                                                             "industry": "电商", "phone": "0570-6000002",
                                                             "request_id": "b1"})
    assert made.status_code == 201 and made.json()["town"] == "马金镇"
    again = staff.post("/console/api/internship-bases", json={"name": "示范见习基地", "request_id": "b1"})
    assert again.json()["id"] == made.json()["id"]
    assert staff.post("/console/api/internship-bases", json={"name": ""}).status_code == 400
    assert "示范见习基地" in chat.say("见习基地")
    base_id = made.json()["id"]
    assert staff.post(f"/console/api/internship-bases/{base_id}", json={"active": "0"}).json()["active"] is False
    assert "还在整理" in chat.say("见习基地")
    assert staff.post("/console/api/internship-bases/999", json={"active": "1"}).status_code == 404
    assert [b["name"] for b in staff.get("/console/api/internship-bases").json()["bases"]] == ["示范见习基地"]


def test_the_graduate_api_refuses_a_missing_token(staff: TestClient) -> None:
    for method, path in (("GET", "/console/api/graduates"), ("POST", "/console/api/graduates/1/guidance"),
                         ("POST", "/console/api/graduates/1/training"), ("GET", "/console/api/internship-bases"),
                         ("POST", "/console/api/internship-bases"), ("POST", "/console/api/internship-bases/1")):
        assert staff.request(method, path, headers={"Authorization": ""}, json={}).status_code == 401, path

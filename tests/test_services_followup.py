"""The closed-loop services follow through: a graduate hears when his guidance talk is recorded,
his recommendations keep their spacing when he registers again and never repeat a job pushed
to him that day, staff can record a recommendation of their own, and someone placed in a 银龄
need is not offered it again — real dispatcher, real console API."""

from __future__ import annotations

import warnings
from datetime import timedelta

from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness, Clock

from bot.outreach.jobs import post_job
from handlers.graduates import REC_GAP, recommend_due
from storage import graduates, silver
from storage.db import session_scope
from storage.models import Graduate, GraduateRecommendation, Job, Outbox, saved_id

REGISTER = ["登记", "华埠", "金星村", "23", "电商", "1", "3", "1", "1", "1"]
GRADUATE = ["我是大学生", "衢州学院", "电子商务", "2025", "1", "1"]


def post_jobs(chat: ChatHarness, *titles: str) -> None:
    with session_scope(chat.engine) as session:
        for title in titles:
            post_job(session, chat.dispatcher.services, {"title": title, "employer": "示范电商", "town": "华埠",
                                                         "skills": "电商", "pay": "4000元/月"})


def rows(chat: ChatHarness, kind: str) -> list[Outbox]:
    with Session(chat.engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.kind) == kind).order_by(col(Outbox.id))))


def recommended_titles(chat: ChatHarness) -> list[str]:
    with Session(chat.engine) as session:
        return [session.get_one(Job, r.job_id).title for r in session.exec(
            select(GraduateRecommendation).order_by(col(GraduateRecommendation.slot)))]


def graduate_id(chat: ChatHarness) -> int:
    with Session(chat.engine) as session:
        return saved_id(session.exec(select(Graduate)).one())


def test_a_graduate_hears_when_his_guidance_talk_is_recorded(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*GRADUATE)
    gid = graduate_id(chat)
    assert staff.post(f"/console/api/graduates/{gid}/guidance",
                      json={"note": "建议先去电商见习"}).json() == {"ok": True}
    staff.post(f"/console/api/graduates/{gid}/guidance", json={"note": "又聊了一次"})
    [told] = rows(chat, graduates.KEPT_KIND)  # once, however often staff save it
    assert "职业指导已经记上了" in told.payload["texts"][0] and "建议先去电商见习" in told.payload["texts"][0]
    chat.say("退订")  # a service message: 退订 does not stop it
    with Session(chat.engine) as session:
        assert session.exec(select(Outbox).where(col(Outbox.kind) == graduates.KEPT_KIND)).one().status == "pending"


def test_registering_again_keeps_the_spacing_and_a_job_pushed_today_is_not_recommended(
        chat: ChatHarness, clock: Clock) -> None:
    post_jobs(chat, "网店客服B", "网店客服C")  # posted before he registered: never pushed to him
    chat.conversation(*REGISTER)
    post_jobs(chat, "网店客服A")  # pushed to him as a job today
    assert [r.ref_id for r in rows(chat, "job")] != []
    chat.conversation(*GRADUATE)
    [first] = recommended_titles(chat)
    assert first in ("网店客服B", "网店客服C")  # not the job that reached him today already
    chat.conversation(*GRADUATE)  # registers again an hour later
    chat.conversation(*GRADUATE)
    with session_scope(chat.engine) as session:
        assert recommend_due(session, chat.dispatcher.services) == 0
    assert recommended_titles(chat) == [first]
    clock.now += REC_GAP + timedelta(minutes=1)
    with session_scope(chat.engine) as session:
        assert recommend_due(session, chat.dispatcher.services) == 1
    assert len(recommended_titles(chat)) == 2


def test_staff_record_a_recommendation_of_their_own(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*GRADUATE)
    post_jobs(chat, "县电商中心运营")
    with Session(chat.engine) as session:
        job_id = session.exec(select(col(Job.id))).one()
    gid = graduate_id(chat)
    made = staff.post(f"/console/api/graduates/{gid}/recommendations", json={"job_id": job_id})
    assert made.status_code == 201 and made.json() == {"slot": 1}
    again = staff.post(f"/console/api/graduates/{gid}/recommendations", json={"job_id": job_id})
    assert again.status_code == 400 and "推荐过了" in again.json()["error"]
    assert staff.post(f"/console/api/graduates/{gid}/recommendations", json={"job_id": 999}).status_code == 400
    assert staff.post("/console/api/graduates/999/recommendations", json={"job_id": job_id}).status_code == 404
    [listed] = staff.get("/console/api/graduates").json()["graduates"]
    assert listed["jobs"] == ["县电商中心运营"] and "岗位推荐2次" in listed["owed"]


def test_someone_placed_in_a_silver_need_is_not_offered_it_again(chat: ChatHarness, staff: TestClient) -> None:
    elder = ["登记", "华埠", "跳过", "63", "采茶", "1", "2", "1", "1", "1"]
    chat.conversation(*elder)
    need = staff.post("/console/api/silver/needs", json={"kind": "work", "code": "tea", "title": "茶园除草帮工",
                                                         "town": "华埠", "headcount": "3"}).json()
    with Session(chat.engine) as session:
        from storage.models import Worker

        worker_id = session.exec(select(col(Worker.id))).one()
    placed = staff.post("/console/api/silver/placements", json={"worker_id": worker_id, "work": "茶园除草帮工",
                                                                "placed_on": "2026-03-09", "need_id": need["id"]})
    assert placed.status_code == 201
    filled = chat.conversation("银龄", "1", "1", "1", "1")[-1]  # her map now holds the need she is placed in
    assert "现在就有" not in filled
    assert rows(chat, silver.PUSH_KIND) == []

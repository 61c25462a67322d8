"""数字银龄: the invitation after registration, the three maps as numbered choices, the three
tables staff keep matched to them (表图对接) with each offer pushed once and after the elderly
quiet hours, and re-employment recorded for the dashboard without counting anyone twice."""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness, Clock

from bot.channels.base import Outcome, PushMessage, SendResult
from bot.delivery import Deliverer
from bot.outreach.jobs import post_job
from handlers.silver import maps, match_all
from storage import silver
from storage.db import session_scope
from storage.models import JobApplication, Outbox, SilverChoice, Worker

TZ = ZoneInfo("Asia/Shanghai")


def register(age: int, town: str = "华埠", travel: str = "2") -> list[str]:
    return ["登记", town, "跳过", str(age), "采茶", "1", travel, "1", "1", "1"]


def choices(chat: ChatHarness) -> set[tuple[str, str]]:
    with Session(chat.engine) as session:
        return {(c.kind, c.code) for c in session.exec(select(SilverChoice))}


def pushes(chat: ChatHarness, kind: str = silver.PUSH_KIND) -> list[Outbox]:
    with Session(chat.engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.kind) == kind).order_by(col(Outbox.id))))


def test_people_of_60_to_70_are_invited_after_registering(sqlite_chat: ChatHarness) -> None:
    assert "回复“银龄”" in sqlite_chat.conversation(*register(63))[-1]
    assert "银龄" not in sqlite_chat.conversation(*register(45), user="younger")[-1]
    assert "银龄" not in sqlite_chat.conversation(*register(75), user="older")[-1]


def test_the_three_maps_are_numbered_choices_and_can_be_changed(chat: ChatHarness) -> None:
    chat.conversation(*register(63))
    first = chat.say("银龄")
    assert "一共3个问题" in first and "回复 1 用智能手机" in first and "回复 8 都不想学" in first
    assert "没看懂" in chat.say("开飞机")
    assert "您想做什么活" in chat.say("1 2")
    assert "公益服务" in chat.say("采茶、门卫")
    summary = chat.say("都不想")
    assert "学习意愿：用智能手机、茶艺/评茶" in summary and "求职意愿：采茶/茶厂帮工、门卫/看护" in summary
    assert "公益服务意愿：暂时不参加" in summary
    assert "记下了" in chat.say("1")
    assert choices(chat) == {("learn", "phone"), ("learn", "tea"), ("work", "tea"), ("work", "guard")}

    assert "之前填过" in chat.say("数字银龄")
    assert "您想做什么活" in chat.say("8")
    assert "您想学点什么" in chat.say("返回")
    chat.conversation("8", "8", "1")
    assert "您想学点什么" in chat.say("2")  # 重新选 starts again
    chat.conversation("8", "8", "1", "1")
    assert choices(chat) == {("serve", "neighbour")}
    chat.conversation("银龄", "3")
    assert "已取消银龄登记" in chat.say("取消")
    assert choices(chat) == {("serve", "neighbour")}  # a form left half-way changes nothing


def test_not_registered_or_too_young_is_sent_elsewhere_politely(sqlite_chat: ChatHarness) -> None:
    assert "要先登记" in sqlite_chat.say("银龄")
    sqlite_chat.conversation(*register(40))
    assert "给60岁左右老人的服务" in sqlite_chat.say("银龄")


# --- 表图对接 and the console ----------------------------------------------------------------------------
def fill_maps(chat: ChatHarness, user: str, work: str) -> str:
    return chat.conversation("银龄", "1", work, "1", "1", user=user)[-1]


def test_a_new_need_reaches_the_people_whose_map_holds_it_once(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*register(63), user="tea-huabu")
    fill_maps(chat, "tea-huabu", "1")
    chat.conversation(*register(65, town="马金"), user="tea-majin")
    fill_maps(chat, "tea-majin", "1")
    chat.conversation(*register(66), user="guard-huabu")
    fill_maps(chat, "guard-huabu", "4")

    need = staff.post("/console/api/silver/needs", json={
        "kind": "work", "code": "tea", "title": "茶园除草帮工", "town": "华埠", "headcount": "3",
        "contact": "0570-6000001", "description": "上午干活，离村近"})
    assert need.status_code == 201 and need.json()["pushes"] == 1
    [push] = pushes(chat)
    assert "有个活儿适合您" in push.payload["texts"][0] and "0570-6000001" in push.payload["texts"][0]
    with session_scope(chat.engine) as session:
        assert match_all(session, now=chat.dispatcher.services.clock()) == 0  # never the same offer twice
    for wrong in ({"kind": "work", "code": "fly"}, {"kind": "nope", "code": "tea"}):
        assert staff.post("/console/api/silver/needs", json={**wrong, "title": "x"}).status_code == 400

    chat.conversation(*register(64), user="late")
    assert "现在就有1项适合您" in fill_maps(chat, "late", "1")  # filled in after the need: matched at once
    assert len(pushes(chat)) == 2
    assert staff.post(f"/console/api/silver/needs/{need.json()['id']}/close", json={}).status_code == 200
    chat.conversation(*register(61), user="after-close")
    assert "现在就有" not in fill_maps(chat, "after-close", "1")

    overview = staff.get("/console/api/silver").json()
    assert overview["people"] == 5
    work = {o["code"]: o["count"] for o in overview["maps"]["work"]["options"]}
    assert work["tea"] == 4 and work["guard"] == 1
    people = staff.get("/console/api/silver/people?kind=work&code=guard").json()["people"]
    assert len(people) == 1 and people[0]["town"] == "华埠镇"
    assert "茶园除草帮工" in staff.get("/console/silver").text


@dataclass
class RecordingSender:
    sent: list[tuple[str, list[str]]] = field(default_factory=list)

    async def send(self, message: PushMessage) -> SendResult:
        self.sent.append((message.user_id, list(message.texts)))
        return SendResult(Outcome.SENT)


def test_offers_to_elderly_people_wait_out_their_quiet_hours(chat: ChatHarness, staff: TestClient,
                                                             clock: Clock) -> None:
    chat.conversation(*register(63))
    fill_maps(chat, "villager-1", "1")
    clock.now = datetime(2026, 3, 10, 20, 30, tzinfo=TZ).astimezone(UTC)
    staff.post("/console/api/silver/needs", json={"kind": "work", "code": "tea", "title": "茶园除草帮工"})
    sender = RecordingSender()
    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": sender})
    asyncio.run(deliverer.run_once())
    assert sender.sent == []
    clock.now = datetime(2026, 3, 11, 9, 1, tzinfo=TZ).astimezone(UTC)
    asyncio.run(deliverer.run_once())
    assert len([t for _, t in sender.sent if "茶园除草帮工" in t[0]]) == 1


def test_re_employment_counts_once_for_the_dashboard(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*register(63))
    chat.conversation(*register(45), user="young")
    with Session(chat.engine) as session:
        elder, young = (w.id for w in session.exec(select(Worker).order_by(col(Worker.birth_year))))
    with session_scope(chat.engine) as session:
        post_job(session, chat.dispatcher.services, {"title": "采茶工", "employer": "示范茶场", "town": "华埠",
                                                     "skills": "采茶"})
    chat.conversation("找工作", "报名 1")
    with Session(chat.engine) as session:
        application = session.exec(select(JobApplication)).one()

    def elderly_placed() -> int:
        figures = staff.get("/console/api/stats").json()["figures"]
        value: int = next(f["value"] for f in figures if f["key"] == "elderly_placed")
        return value

    assert elderly_placed() == 0
    assert staff.post("/console/api/silver/placements", json={"worker_id": elder, "work": "茶园帮工",
                                                               "placed_on": "2026-03-09"}).status_code == 201
    assert elderly_placed() == 1
    made = staff.post("/console/api/silver/placements", json={"worker_id": elder, "work": "采茶工",
                                                              "application_id": application.id})
    assert made.status_code == 201
    with Session(chat.engine) as session:
        assert session.get_one(JobApplication, application.id).status == "placed"
    assert elderly_placed() == 2  # the application is counted once, not again as a placement
    again = staff.post("/console/api/silver/placements", json={"worker_id": elder, "work": "采茶工",
                                                               "application_id": application.id})
    assert again.status_code == 400
    assert staff.post("/console/api/silver/placements", json={"worker_id": young, "work": "x"}).status_code == 400
    assert staff.post("/console/api/silver/placements", json={"worker_id": 9999, "work": "x"}).status_code == 400
    assert len(staff.get("/console/api/silver").json()["placements"]) == 2


def test_the_options_are_data_and_every_map_has_a_way_to_say_nothing() -> None:
    found = maps()
    assert set(found) == set(silver.KINDS)
    for m in found.values():
        assert len(m.choices) == len(m.options.options) + 1 and m.parse(m.none) == []
        assert m.parse("1") == [m.options.options[0].code]


def test_the_silver_api_refuses_a_missing_token(staff: TestClient) -> None:
    for method, path in (("GET", "/console/api/silver"), ("GET", "/console/api/silver/people"),
                         ("POST", "/console/api/silver/needs"), ("POST", "/console/api/silver/needs/1/close"),
                         ("POST", "/console/api/silver/placements")):
        assert staff.request(method, path, headers={"Authorization": ""}, json={}).status_code == 401, path

"""Registration by someone else, with consent (issue 19): 代家人登记 through the real dispatcher,
the consent code through the outbox and the deliverer, 我的信息 listing, changing and erasing a
relative, and village staff registering a villager through the console's HTTP API — on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ChatHarness, Clock, advance, first_group, make_settings
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient
from test_console import build
from test_delivery import RecordingSender
from test_staff_roles import HASHED, log_in

from bot.delivery import Deliverer
from bot.outreach.jobs import post_job
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import ChatAccount, Consent, Outbox, StaffAccount, StaffAudit, Worker

TZ = ZoneInfo("Asia/Shanghai")
MUM = "13812345678"
# 称呼, phone, town, village, age, skills (采茶, 家政), any time, own town, by SMS, confirm
FOR_MUM = ["代家人登记", "我妈", MUM, "华埠", "金星村", "68", "1 3", "1", "2", "1", "1"]


def codes(engine: Engine, worker_id: int | None = None) -> list[str]:
    """The consent codes queued so far (for a worker), oldest first: what the relative's phone got."""
    with Session(engine) as session:
        rows = session.exec(select(Outbox).where(col(Outbox.kind) == "consent").order_by(col(Outbox.id)))
        return [r.payload["params"]["code"] for r in rows if worker_id is None or r.worker_id == worker_id]


def relative(engine: Engine, phone: str = MUM) -> Worker | None:
    with Session(engine) as session:
        return session.exec(select(Worker).where(col(Worker.phone) == phone)).first()


def deliver(chat: ChatHarness, sms: RecordingSender) -> None:
    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": RecordingSender(), "sms": sms})
    while asyncio.run(deliverer.run_once()):
        pass


def post_tea_job(chat: ChatHarness, title: str) -> None:
    with session_scope(chat.engine) as session:
        post_job(session, chat.dispatcher.services, {"title": title, "employer": "示范茶场", "town": "华埠",
                                                     "skills": "采茶", "pay": "150元/天"})


def register_mum(chat: ChatHarness) -> list[str]:
    replies = chat.conversation(*FOR_MUM)
    assert "核对您家里人的信息" in replies[-2] and "华埠镇 金星村" in replies[-2] and "138****5678" in replies[-2]
    assert "验证码已经发短信给TA了" in replies[-1] and "6位验证码" in replies[-1]
    return replies


def test_the_questions_are_asked_about_the_relative(sqlite_chat: ChatHarness) -> None:
    replies = sqlite_chat.conversation(*FOR_MUM[:8])
    assert "怎么称呼您家里人" in replies[0] and "您家里人的手机号" in replies[1]
    assert "您家里人住在哪个乡镇" in replies[2] and "您家里人是哪个村" in replies[3]
    assert "您家里人今年多大岁数" in replies[4] and "您家里人会做哪些活" in replies[5]
    assert "您家里人什么时候有空" in replies[6] and "您家里人愿意去多远" in replies[7]


@pytest.mark.parametrize("typed", ["帮家人登记", "给爸妈登记", "帮我爸登记一下", "我奶奶不会用微信怎么办",
                                   "帮没有微信的奶奶登记一下"])
def test_a_family_member_finds_it_in_their_own_words(sqlite_chat: ChatHarness, typed: str) -> None:
    assert "怎么称呼您家里人" in sqlite_chat.say(typed)


@pytest.mark.parametrize("said", [["帮我奶奶登记一下，这是她的手机"], ["帮我爸登记", "这个是他自己的微信号"],
                                  ["帮我妈登记", "这是我妈手机 我替她打字"],
                                  ["帮奶奶登记一下", "她的微信 我在旁边帮她打"]])
def test_the_relatives_own_chat_is_registered_as_theirs(sqlite_chat: ChatHarness, said: list[str]) -> None:
    replies = sqlite_chat.conversation(*said, "华埠", "金星村", "72", "他会种地 采茶也行", "白天", "1", "1", "1", "1")
    switched = replies[len(said) - 1]
    assert "直接给这个微信登记" in switched and "住在哪个乡镇" in switched and "家里人的手机号" not in switched
    assert "登记好了" in replies[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
        account = session.exec(select(ChatAccount).where(col(ChatAccount.worker_id) == worker.id)).one()
    assert (account.user_id, worker.age, sorted(worker.skills)) == (sqlite_chat.user, 72, ["farm", "tea"])
    assert codes(sqlite_chat.engine) == []  # no consent code: the chat is the person's own


def test_calling_the_relative_is_no_sign_of_their_own_chat(sqlite_chat: ChatHarness) -> None:
    assert "怎么称呼您家里人" in sqlite_chat.say("帮我妈登记 有活给她打电话")
    assert "家里人的手机号" in sqlite_chat.say("我妈")


@pytest.mark.parametrize("asked", ["怎么帮家里人登记", "我爸不会用手机，我能帮他登记找活吗？"])
def test_asking_how_points_to_it(sqlite_chat: ChatHarness, asked: str) -> None:
    assert "回复“代家人登记”" in sqlite_chat.say(asked)
    assert "回复“代家人登记”" not in sqlite_chat.say("怎么登记")


def test_it_is_listed_in_more_services(sqlite_chat: ChatHarness) -> None:
    number = first_group(r"回复 (\d+) 帮家人登记", sqlite_chat.say("更多服务"))
    assert "怎么称呼您家里人" in sqlite_chat.say(number)


def test_a_relative_gets_nothing_but_the_code_before_consent(chat: ChatHarness) -> None:
    register_mum(chat)
    mum = relative(chat.engine)
    assert mum is not None and mum.consent_pending and not mum.subscribed
    with Session(chat.engine) as session:
        [account] = session.exec(select(ChatAccount).where(col(ChatAccount.worker_id) == mum.id)).all()
        assert (account.channel, account.user_id) == ("sms", MUM)
        consent = session.exec(select(Consent)).one()
        assert consent.by_account_id is not None and consent.method is None and consent.given_at is None
    post_tea_job(chat, "春茶采摘工")  # matches her, but she has not agreed yet
    with session_scope(chat.engine) as session:  # a push queued to her anyway (say, by staff's hand)
        outbox.enqueue(session, [outbox.Push(key="test-job", worker_id=mum.id or 0, kind="job", texts=("采茶工",))],
                       now=chat.dispatcher.services.clock())
    sms = RecordingSender()
    deliver(chat, sms)
    assert len(sms.sent) == 1 and sms.sent[0][0] == MUM and codes(chat.engine)[0] in sms.sent[0][1][0]
    with Session(chat.engine) as session:
        skipped = session.exec(select(Outbox).where(col(Outbox.idempotency_key) == "test-job")).one()
        assert skipped.status == "skipped" and skipped.last_error == "本人还没同意登记"

    done = chat.say(codes(chat.engine)[0])
    assert "确认好了" in done and "我妈已经登记上了" in done and "发短信" in done
    mum = relative(chat.engine)
    assert mum is not None and not mum.consent_pending and mum.subscribed
    with Session(chat.engine) as session:
        consent = session.exec(select(Consent)).one()
        assert consent.method == "sms_code" and consent.given_at is not None and consent.code is None
    post_tea_job(chat, "秋茶采摘工")
    deliver(chat, sms)
    assert len(sms.sent) == 2 and "秋茶采摘工" in sms.sent[1][1][0] and sms.sent[1][0] == MUM


def test_the_code_goes_at_once_even_in_quiet_hours(sqlite_chat: ChatHarness, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 10, 22, 30, tzinfo=TZ)  # the family member is waiting for it now
    register_mum(sqlite_chat)
    sms = RecordingSender()
    deliver(sqlite_chat, sms)
    assert [user for user, _ in sms.sent] == [MUM]


def test_a_wrong_code_five_times_voids_it_and_an_expired_one_can_be_sent_again(chat: ChatHarness) -> None:
    register_mum(chat)
    [first] = codes(chat.engine)
    wrong = "000000" if first != "000000" else "111111"
    assert "验证码不对，还可以再试4次" in chat.say(wrong)
    assert "6位数字" in chat.say("12345")
    for _ in range(3):
        chat.say(wrong)
    assert "作废" in chat.say(wrong)
    assert "过期" in chat.say(first)  # the right code, but void after five wrong ones
    assert "重新发一个" in chat.say("重发")
    second = codes(chat.engine)[-1]
    advance(chat.dispatcher.services, timedelta(minutes=11))
    expired = chat.say(second)
    assert "过期" in expired and "重发" in expired
    relative_now = relative(chat.engine)
    assert relative_now is not None and relative_now.consent_pending
    chat.say("重发")
    assert "确认好了" in chat.say(codes(chat.engine)[-1])
    assert len(codes(chat.engine)) == 3


def test_codes_sent_are_limited(sqlite_chat: ChatHarness) -> None:
    register_mum(sqlite_chat)
    assert "重新发一个" in sqlite_chat.say("重发") and "重新发一个" in sqlite_chat.say("重发")
    refused = sqlite_chat.say("重发")
    assert "已经发了3次" in refused and "村里工作人员" in refused
    assert len(codes(sqlite_chat.engine)) == 3
    register_again = sqlite_chat.conversation("代家人登记", "我妈")
    assert "您家里人住在哪个乡镇" in sqlite_chat.say(MUM) and register_again  # her own half-way attempt is dropped


def test_a_number_that_is_someone_elses_is_refused_without_saying_whose(chat: ChatHarness) -> None:
    chat.conversation("登记", "华埠", "金星村", "45", "1", "1", "2", "1", "1", "1", "李师傅", "13800001111",
                      user="neighbour")
    chat.conversation("代家人登记", "我爸")
    refused = chat.say("138 0000 1111")
    assert "已经有人登记过了" in refused and "李师傅" not in refused and "金星村" not in refused
    assert "您家里人住在哪个乡镇" not in refused
    assert "手机号是11位数字" in chat.say("0570-6012345")  # a landline cannot get the code
    assert "您家里人住在哪个乡镇" in chat.say("13800002222")
    # a relative someone else registered and agreed to is someone's too
    chat.conversation(*FOR_MUM, user="sister")
    chat.say(codes(chat.engine)[-1], user="sister")
    chat.conversation("代家人登记", "我妈", user="brother")
    assert "已经有人登记过了" in chat.say(MUM, user="brother")


def test_an_abandoned_registration_does_not_lock_the_number(chat: ChatHarness) -> None:
    register_mum(chat)
    chat.say("取消")
    advance(chat.dispatcher.services, timedelta(minutes=11))  # her code died unused
    chat.conversation("代家人登记", "妈妈", user="sister")
    assert "您家里人住在哪个乡镇" in chat.say(MUM, user="sister")
    with Session(chat.engine) as session:
        assert session.exec(select(Worker)).all() == [] and session.exec(select(Consent)).all() == []


def test_my_info_lists_changes_and_erases_a_relative(chat: ChatHarness) -> None:
    register_mum(chat)
    chat.say(codes(chat.engine)[0])
    listed = chat.say("我的信息")
    assert "您帮登记的家人" in listed and "回复 1 我妈 138****5678" in listed
    shown = chat.say("1")
    assert "68岁" in shown and "回复 1 修改" in shown and "回复 2 注销" in shown
    assert "您要改哪一项" in chat.say("1")
    assert "您家里人今年多大岁数" in chat.say("年龄")
    assert "70岁" in chat.say("70")
    assert "已保存修改" in chat.say("1")
    mum = relative(chat.engine)
    assert mum is not None and mum.age == 70 and not mum.consent_pending
    with Session(chat.engine) as session:  # the family member's own profile was not touched
        assert [w.id for w in session.exec(select(Worker))] == [mum.id]

    chat.say("我的信息")
    chat.say("1")
    assert "不能恢复" in chat.say("2")
    assert "已删除" in chat.say("1")
    with Session(chat.engine) as session:
        assert session.exec(select(Worker)).all() == [] and session.exec(select(Consent)).all() == []
        assert all(r.worker_id is None and r.payload == {} for r in session.exec(select(Outbox)))
    assert "还没有登记" in chat.say("我的信息")


def test_a_new_phone_for_a_relative_must_be_agreed_again(chat: ChatHarness) -> None:
    register_mum(chat)
    chat.say(codes(chat.engine)[0])
    chat.conversation("我的信息", "1", "1", "电话")
    moved = chat.say("13900009999")
    assert "139****9999" in moved
    reply = chat.say("1")
    assert "新手机上再确认" in reply and "验证码已经发短信" in reply
    mum = relative(chat.engine, "13900009999")
    assert mum is not None and mum.consent_pending and not mum.subscribed
    with Session(chat.engine) as session:
        [account] = session.exec(select(ChatAccount).where(col(ChatAccount.worker_id) == mum.id)).all()
        assert account.user_id == "13900009999"
    assert "确认好了" in chat.say(codes(chat.engine)[-1])


# --- the console ------------------------------------------------------------------------------------
@pytest.fixture
def console(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, Engine]]:
    clock.now = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        for name, role, town, village in [("county-1", "county", None, None), ("majin-1", "town", "马金镇", None),
                                          ("jinxing-1", "village", "华埠镇", "金星村")]:
            s.add(StaffAccount(name=name, role=role, town=town, village=village, password_hash=HASHED,
                               must_change_password=False, created_at=clock.now))
    with TestClient(build(make_settings(db_url, tmp_path), engine, clock)) as c:
        yield c, engine
    engine.dispose()


VILLAGER = {"name": "张大伯", "phone": "13812340001", "age": "66", "skills": ["tea", "farm"],
            "availability": ["anytime"], "reach": "sms", "consent": "sms"}


def test_a_village_account_registers_only_in_its_own_village(console: tuple[TestClient, Engine]) -> None:
    client, engine = console
    h = {"X-CSRF-Token": log_in(client, "jinxing-1")}
    assert client.post("/console/api/villagers", headers=h, json={**VILLAGER, "village": "下溪村"}).status_code == 404
    assert client.post("/console/api/villagers", headers=h, json={**VILLAGER, "town": "马金"}).status_code == 404
    bad = client.post("/console/api/villagers", headers=h, json={**VILLAGER, "phone": "12345"})
    assert bad.status_code == 400 and "手机号" in bad.json()["error"]
    assert client.post("/console/api/villagers", headers=h, json={**VILLAGER, "age": "200"}).status_code == 400
    assert client.post("/console/api/villagers", headers=h, json={**VILLAGER, "skills": ["飞行"]}).status_code == 400
    made = client.post("/console/api/villagers", headers=h, json=VILLAGER)
    assert made.status_code == 201 and made.json()["status"] == "pending"
    worker_id = made.json()["id"]
    with Session(engine) as session:
        worker = session.get_one(Worker, worker_id)
        assert (worker.town, worker.village, worker.age, worker.consent_pending) == ("华埠镇", "金星村", 66, True)
        consent = session.exec(select(Consent)).one()
        assert consent.by_staff_name == "jinxing-1" and consent.by_account_id is None
    again = client.post("/console/api/villagers", headers=h, json=VILLAGER)
    assert again.status_code == 400 and "已经有人登记过了" in again.json()["error"]
    [code] = codes(engine)
    wrong = client.post(f"/console/api/villagers/{worker_id}/consent", headers=h,
                        json={"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "还可以再试4次" in wrong.json()["error"]

    other = {"X-CSRF-Token": log_in(client, "majin-1")}
    assert client.post(f"/console/api/villagers/{worker_id}/consent", headers=other,
                       json={"code": code}).status_code == 404
    assert client.post(f"/console/api/villagers/{worker_id}/code", headers=other).status_code == 404
    assert client.get("/console/api/villagers").json()["villagers"] == []

    h = {"X-CSRF-Token": log_in(client, "jinxing-1")}
    listed = client.get("/console/api/villagers").json()["villagers"]
    assert [(v["id"], v["status"], v["phone"]) for v in listed] == [(worker_id, "pending", "138****0001")]
    given = client.post(f"/console/api/villagers/{worker_id}/consent", headers=h, json={"code": code})
    assert given.status_code == 200 and given.json()["status"] == "given"
    with Session(engine) as session:
        assert session.exec(select(Consent)).one().method == "sms_code"
        assert session.get_one(Worker, worker_id).subscribed
        actions = {(a.actor, a.action) for a in session.exec(select(StaffAudit))}
        assert {("jinxing-1", "villager.add"), ("jinxing-1", "villager.consent")} <= actions
        assert all("13812340001" not in str(a.detail) for a in session.exec(select(StaffAudit)))
    page = client.get("/console/villagers")
    assert page.status_code == 200 and "张大伯" in page.text and "短信验证码" in page.text


def test_consent_given_in_person_records_the_staff_account(console: tuple[TestClient, Engine]) -> None:
    client, engine = console
    h = {"X-CSRF-Token": log_in(client, "county-1")}
    assert client.post("/console/api/villagers", headers=h,
                       json={**VILLAGER, "consent": "maybe", "town": "马金"}).status_code == 400
    assert client.post("/console/api/villagers", headers=h, json={**VILLAGER, "consent": "paper"}).status_code == 400
    made = client.post("/console/api/villagers", headers=h,
                       json={**VILLAGER, "consent": "paper", "town": "马金", "village": "霞田村", "reach": "voice"})
    assert made.status_code == 201 and made.json()["status"] == "given"
    with Session(engine) as session:
        consent = session.exec(select(Consent)).one()
        assert (consent.method, consent.by_staff_name, consent.reach) == ("paper", "county-1", "voice")
        assert consent.given_at is not None
        worker = session.get_one(Worker, made.json()["id"])
        assert worker.town == "马金镇" and not worker.consent_pending
        [account] = session.exec(select(ChatAccount).where(col(ChatAccount.worker_id) == worker.id)).all()
        assert (account.channel, account.user_id) == ("voice", "13812340001")
    assert codes(engine) == []  # no code when consent was given on paper

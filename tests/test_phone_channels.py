"""SMS and voice pushes end to end against a fake Alibaba Cloud API over loopback HTTP: 回T退订
through the callback, the monthly budget in the middle of a broadcast, calls only for fair
reminders at decent hours and once per fair, and the callbacks' guard."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ChatHarness, Clock, make_settings
from fakes.server import serving
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from bot.app import build_dispatcher
from bot.channels.phone import BUDGET_USED
from bot.channels.phone_templates import templates
from bot.channels.sandbox.fake_aliyun import FakeAliyun, Received, create_fake_aliyun
from bot.channels.sms.text import ONE
from bot.delivery import Deliverer
from bot.dispatch import Dispatcher
from bot.senders import open_senders
from bot.web import create_app
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import (
    ChatAccount,
    Outbox,
    PhoneBudget,
    PhoneSend,
    PhoneUplink,
    Worker,
    WorkerSkill,
    saved_id,
)

TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "cb-token-0123"
SIGN = "开化就业"
KEY_ID, KEY_SECRET = "LTAI_phone_test", "phone-test-secret"
# the account's approved templates: each kind's wording from the data file, as the README tells admins to apply
TEMPLATES = {**{f"SMS_{kind.upper()}": t.text for kind, t in templates("sms").items()},
             "TTS_FAIR": templates("voice")["fair"].text, "TTS_FAIR_CHANGE": templates("voice")["fair_change"].text}
FAIR_ID = 7
FAIR_FIELDS = {"title": "3月定期招聘会", "date": "3月11日", "time": "上午9点", "place": "县人力资源市场"}
JOB_FIELDS = {"title": "春茶采摘工", "place": "华埠镇", "pay": "每天150元", "contact": "村干部"}
ADMIN = "phone-admin-token-0123456789"


def sms(fake: FakeAliyun, phone: str | None = None) -> list[Received]:
    return [r for r in fake.received if r.kind == "sms" and phone in (None, r.phone)]


def calls(fake: FakeAliyun, phone: str | None = None) -> list[Received]:
    return [r for r in fake.received if r.kind == "call" and phone in (None, r.phone)]


@contextmanager
def fake_provider() -> Iterator[FakeAliyun]:
    """The sandbox's fake provider on a port of its own (the SDK posts to its endpoint's root)."""
    provider = FakeAliyun(KEY_ID, KEY_SECRET, templates=TEMPLATES, sign_names={SIGN})
    with serving(create_fake_aliyun(provider), lifespan="off") as url:
        provider.url = url
        yield provider


@dataclass
class Phones:
    fake: FakeAliyun
    dispatcher: Dispatcher
    http: TestClient
    clock: Clock

    @property
    def engine(self) -> Engine:
        return self.dispatcher.engine

    def person(self, phone: str, *channels: str) -> int:
        """A registered worker reached only by phone: an account per channel on `phone`, the first
        one their push account (the newest of accounts never written from)."""
        with session_scope(self.engine) as session:
            worker = Worker(town="华埠镇", birth_year=1970, skills=["tea"], availability=["anytime"])
            session.add(worker)
            session.flush()
            for channel in reversed(channels or ("sms",)):
                session.add(ChatAccount(channel=channel, user_id=phone, worker_id=worker.id))
            return saved_id(worker)

    def queue(self, worker_id: int, kind: str, text: str, *, key: str, ref_id: int | None = None,
              fields: dict[str, str] | None = None) -> None:
        with session_scope(self.engine) as session:
            outbox.enqueue(session, [outbox.Push(key=key, worker_id=worker_id, kind=kind, texts=(text,),
                                                 ref_id=ref_id, params=fields)], now=self.clock())

    def deliver(self) -> None:
        services = self.dispatcher.services

        async def run() -> None:
            async with open_senders(services.settings, self.engine, clock=services.clock) as senders:
                deliverer = Deliverer(self.engine, services, senders)
                while await deliverer.run_once():
                    pass

        asyncio.run(run())

    def row(self, key: str) -> Outbox:
        with session_scope(self.engine) as session:
            found = session.exec(select(Outbox).where(col(Outbox.idempotency_key) == key)).one()
            session.expunge(found)
            return found

    def callback(self, path: str, items: Any, **kw: Any) -> int:
        body = json.dumps(items, ensure_ascii=False).encode()
        return int(self.http.post(path, params={"token": TOKEN}, content=body, **kw).status_code)


def local(hour: int, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def phones(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Phones]:
    with fake_provider() as fake:
        settings = make_settings(
            db_url, tmp_path, sms_endpoint=fake.url, voice_endpoint=fake.url, sms_access_key_id=KEY_ID,
            sms_access_key_secret=KEY_SECRET, sms_sign_name=SIGN, voice_template_fair="TTS_FAIR",
            **{f"sms_template_{kind}": f"SMS_{kind.upper()}" for kind in templates("sms")},
            phone_callback_token=TOKEN, sms_price=0.045, voice_price=0.1, phone_monthly_budget=100,
            admin_token=ADMIN)
        engine = make_engine(db_url)
        dispatcher = build_dispatcher(settings, engine=engine, clock=clock)
        with TestClient(create_app(settings, dispatcher)) as http:
            yield Phones(fake, dispatcher, http, clock)
        engine.dispose()


def test_a_reply_T_stops_the_persons_pushes_at_once(phones: Phones) -> None:
    worker = phones.person("13800000001")
    phones.queue(worker, "job", "有个新活儿适合您：\n春茶采摘工（华埠镇）\n回复“找工作”看详情和报名。", key="job-1",
                 fields=JOB_FIELDS)
    phones.deliver()
    [sent] = sms(phones.fake, "13800000001")
    assert sent.template == "SMS_JOB"
    assert sent.text == f"【{SIGN}】新活儿：华埠镇招春茶采摘工，每天150元，问村干部。回T退订"
    assert len(sent.text) <= ONE  # one message with the signature

    assert phones.callback("/sms/up", [{"phone_number": "13800000001", "content": "ｔｄ", "sequence_id": "90",
                                         "send_time": "2026-03-10 10:05:00", "dest_code": "1"}]) == 200
    with session_scope(phones.engine) as session:
        assert not session.get_one(Worker, worker).subscribed
    phones.queue(worker, "job", "又一个新活儿", key="job-2")
    phones.deliver()
    assert len(sms(phones.fake)) == 1
    assert (phones.row("job-2").status, phones.row("job-2").last_error) == ("skipped", "已退订")


@pytest.mark.parametrize("word", ["T", "t", "TD", "Td", "退订", "Ｔ", " 退订。"])
def test_every_way_of_writing_the_stop_word_stops(phones: Phones, word: str) -> None:
    worker = phones.person("13800000002")
    assert phones.callback("/sms/up", [{"phone_number": "13800000002", "content": word, "sequence_id": "1"}]) == 200
    with session_scope(phones.engine) as session:
        assert not session.get_one(Worker, worker).subscribed


def test_other_replies_are_kept_for_staff_and_not_answered(phones: Phones) -> None:
    worker = phones.person("13800000003")
    item = {"phone_number": "13800000003", "content": "明天几点开始", "sequence_id": "5"}
    assert phones.callback("/sms/up", [item]) == 200
    assert phones.callback("/sms/up", [item]) == 200  # the provider posting it again
    phones.deliver()
    assert not phones.fake.received
    with session_scope(phones.engine) as session:
        [kept] = session.exec(select(PhoneUplink)).all()
        assert (kept.worker_id, kept.content) == (worker, "明天几点开始")
        assert session.get_one(Worker, worker).subscribed
    shown = phones.http.get("/console/api/sms-replies", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert [(r["content"], r["phone"]) for r in shown["replies"]] == [("明天几点开始", "138****0003")]


def test_each_send_is_paid_for_and_its_receipt_recorded(phones: Phones) -> None:
    worker = phones.person("13800000004")
    phones.queue(worker, "job", "新活儿", key="job-r")
    phones.deliver()
    with session_scope(phones.engine) as session:
        [send] = session.exec(select(PhoneSend)).all()
        assert (send.channel, send.kind, send.cost_milli, send.status) == ("sms", "job", 45, "accepted")
        biz_id = send.biz_id
    assert biz_id and phones.callback("/sms/report", [{"phone_number": "13800000004", "biz_id": biz_id,
                                                        "success": True, "err_code": "DELIVERED"}]) == 200
    with session_scope(phones.engine) as session:
        assert session.exec(select(PhoneSend)).one().status == "delivered"


@pytest.mark.parametrize("path", ["/sms/report", "/sms/up", "/voice/report"])
def test_callbacks_refuse_without_the_token_and_bad_bodies_without_crashing(phones: Phones, path: str) -> None:
    http = phones.http
    assert http.post(path, content=b"[]").status_code == 403
    assert http.post(path, params={"token": "wrong"}, content=b"[]").status_code == 403
    assert http.post(path, headers={"X-Jobbot-Token": TOKEN}, content=b"[]").status_code == 200
    for bad in (b"", b"{", b"{}", b"\xff\xfe", b"[" * 5000):
        assert http.post(path, params={"token": TOKEN}, content=bad).status_code == 400, bad
    assert http.post(path, params={"token": TOKEN}, content=b"[" + b" " * 300_000 + b"]").status_code == 413
    assert phones.callback(path, [{"phone_number": "not a phone", "content": 5}]) == 200  # odd items skipped


def test_the_monthly_budget_stops_sending_in_the_middle_of_a_broadcast(phones: Phones) -> None:
    settings = phones.dispatcher.services.settings
    settings.phone_monthly_budget = 0.1  # two messages at 0.045
    people = [phones.person(f"1390000000{n}") for n in range(5)]
    for n, worker in enumerate(people):
        phones.queue(worker, "broadcast", "明天招聘会", key=f"b-{n}")
    phones.deliver()
    assert len(sms(phones.fake)) == 2
    waiting = [phones.row(f"b-{n}") for n in range(5) if phones.row(f"b-{n}").status != "sent"]
    assert len(waiting) == 3
    april = datetime(2026, 4, 1, tzinfo=TZ)
    assert all(r.status == "pending" and r.last_error == BUDGET_USED and r.not_before >= april for r in waiting)
    with session_scope(phones.engine) as session:
        assert session.get_one(PhoneBudget, "2026-03").spent_milli == 90
    phones.deliver()  # still March: nothing more goes
    assert len(sms(phones.fake)) == 2


def test_a_refused_message_gives_its_money_back(phones: Phones) -> None:
    worker = phones.person("13800000005")
    phones.fake.fail("SendSms", "isv.BUSINESS_LIMIT_CONTROL")
    phones.queue(worker, "job", "新活儿", key="job-t")
    phones.deliver()
    row = phones.row("job-t")
    assert row.status == "pending" and "BUSINESS_LIMIT_CONTROL" in (row.last_error or "")
    with session_scope(phones.engine) as session:
        assert session.get_one(PhoneBudget, "2026-03").spent_milli == 0


def test_calls_carry_only_fair_reminders_once_per_fair_at_decent_hours(phones: Phones) -> None:
    both = phones.person("13700000001", "voice", "sms")
    phones.queue(both, "fair", "招聘会提醒：明天上午九点，县人力资源市场", key="fair-eve", ref_id=FAIR_ID,
                 fields=FAIR_FIELDS)
    phones.queue(both, "job", "有个新活儿适合您", key="job-v", fields=JOB_FIELDS)
    phones.deliver()
    [call] = calls(phones.fake, "13700000001")
    assert call.template == "TTS_FAIR" and call.params == {k: FAIR_FIELDS[k] for k in ("date", "time", "place")}
    assert call.text == "您好，这里是开化县人力社保局。3月11日上午9点，在县人力资源市场有招聘会，欢迎您去找活。"
    assert [s.template for s in sms(phones.fake, "13700000001")] == ["SMS_JOB"]  # the job by SMS

    phones.queue(both, "fair", "招聘会提醒：就在您的乡镇", key="fair-morning", ref_id=FAIR_ID, fields=FAIR_FIELDS)
    phones.deliver()
    assert len(calls(phones.fake)) == 1
    assert phones.row("fair-morning").status == "skipped"

    phones.clock.now = local(20)
    phones.queue(both, "fair", "另一场招聘会", key="fair-late", ref_id=FAIR_ID + 1, fields=FAIR_FIELDS)
    phones.deliver()
    assert len(calls(phones.fake)) == 1
    late = phones.row("fair-late")
    assert late.status == "pending" and late.not_before == local(8, day=11)
    phones.clock.now = local(8, day=11)
    phones.deliver()
    assert len(calls(phones.fake)) == 2


def test_a_fairs_change_is_called_only_when_its_tts_template_is_approved(phones: Phones) -> None:
    both = phones.person("13700000003", "voice", "sms")
    moved = {**FAIR_FIELDS, "time": "下午2点", "change": "改时间了"}
    phones.queue(both, "fair_change", "招聘会改时间了", key="change-1", ref_id=FAIR_ID, fields=moved)
    phones.deliver()
    assert not calls(phones.fake) and [s.template for s in sms(phones.fake)] == ["SMS_FAIR_CHANGE"]
    phones.dispatcher.services.settings.voice_template_fair_change = "TTS_FAIR_CHANGE"
    phones.queue(both, "fair_change", "招聘会改时间了", key="change-2", ref_id=FAIR_ID, fields=moved)
    phones.deliver()
    [call] = calls(phones.fake)
    assert call.text == "您好，这里是开化县人力社保局。招聘会改时间了，3月11日下午2点，在县人力资源市场。"


def test_a_voice_only_person_gets_no_other_kinds(phones: Phones) -> None:
    worker = phones.person("13700000002", "voice")
    phones.queue(worker, "job", "有个新活儿适合您", key="job-only-voice")
    phones.deliver()
    assert not phones.fake.received
    row = phones.row("job-only-voice")
    assert row.status == "skipped" and "voice" in (row.last_error or "")


def test_phone_channels_without_keys_stay_out_of_delivery(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path)
    engine = make_engine(db_url)

    async def names() -> set[str]:
        async with open_senders(settings, engine) as senders:
            return set(senders)

    assert not {"sms", "voice"} & asyncio.run(names())
    engine.dispose()


def preview(phones: Phones) -> dict[str, Any]:
    answer = phones.http.post("/console/api/broadcasts", headers={"Authorization": f"Bearer {ADMIN}"},
                              json={"texts": ["明天上午九点县人力资源市场招聘会"], "audience": {}})
    assert answer.status_code == 201, answer.text
    ways: dict[str, Any] = answer.json()["reach"]["by_channel"]
    return ways


def test_the_broadcast_preview_counts_chat_sms_and_calls_and_prices_them(phones: Phones) -> None:
    phones.person("oChatPerson0001", "wechat")
    for n in range(3):
        phones.person(f"1360000000{n}")
    phones.person("13500000001", "voice", "sms")
    phones.person("13500000002", "voice")
    assert preview(phones) == {"chat": 1, "sms": 4, "calls": 0, "none": 1, "cost": 0.18, "left": 100.0,
                               "warning": None}

    phones.dispatcher.services.settings.phone_monthly_budget = 0.1
    assert preview(phones)["warning"] == "本月短信/电话预算只剩 0.10 元，不够全部发出，其余等下个月"
    with session_scope(phones.engine) as session:
        session.add(PhoneBudget(month="2026-03", spent_milli=100))
    assert preview(phones)["warning"] == BUDGET_USED


def test_a_relative_registered_by_family_gets_the_code_by_sms_and_then_job_pushes(phones: Phones) -> None:
    """代家人登记 end to end on the real SMS channel: the consent code goes through the SDK to the
    provider in the consent template, typed back it confirms, and the next job push goes by SMS."""
    from test_family import FOR_MUM, MUM, post_tea_job

    family = ChatHarness(phones.dispatcher, user="family-member")
    family.conversation(*FOR_MUM)
    phones.deliver()
    [code_sms] = sms(phones.fake, MUM)
    assert code_sms.template == "SMS_CONSENT" and len(code_sms.params["code"]) == 6
    assert code_sms.params["code"] in code_sms.text
    assert "我妈已经登记上了" in family.say(code_sms.params["code"])
    post_tea_job(family, "春茶采摘工")
    phones.deliver()
    pushes = sms(phones.fake, MUM)[1:]
    assert len(pushes) == 1 and pushes[0].template == "SMS_JOB" and "春茶采摘工" in pushes[0].text


def test_each_kind_goes_in_its_own_template_filled_from_the_job_fair_or_course(phones: Phones) -> None:
    """What staff post and the schedule queues reaches the phone in the template of its kind,
    with that template's variables only, long values trimmed, and one message each."""
    from bot.outreach import fairs as fair_outreach
    from bot.outreach.courses import queue_reminders
    from bot.outreach.jobs import post_job
    from storage import courses, fairs

    number = "13800000009"
    worker = phones.person(number)
    services = phones.dispatcher.services
    with session_scope(phones.engine) as session:
        session.add(WorkerSkill(worker_id=worker, skill="tea"))  # what matching reads
    now, tomorrow = phones.clock(), datetime(2026, 3, 11, 9, tzinfo=TZ)
    far = "开化县人力资源市场三楼大厅（芹阳办事处江滨北路）"
    with session_scope(phones.engine) as session:
        post_job(session, services, {"title": "高山有机茶园春茶采摘及鲜叶分拣包装临时工", "employer": "示范茶场",
                                     "town": "华埠", "village": "金星村毛坦自然村", "skills": "采茶",
                                     "pay": "150元/天", "phone": "0570-6012345", "show_phone": "是"})
        fair = fairs.add_fair(session, kind=fairs.FIXED_KIND, title="3月定期招聘会", starts_at=tomorrow,
                              ends_at=tomorrow.replace(hour=12), now=now, venue=far)
        fair_outreach.queue_fair_reminders(session, now, TZ)
        course = courses.add_course(session, fields={"source_key": "c-1", "title": "茶叶加工技能培训班（中级）",
                                                     "town": "华埠镇", "venue": "华埠镇成人文化技术学校",
                                                     "starts_on": tomorrow.date()}, now=now)
        assert course is not None and course.id is not None
        courses.sign_up(session, course_id=course.id, worker_id=worker, today=now.date(), now=now)
        queue_reminders(session, services)
    phones.queue(worker, "broadcast", "县里通知：" + "春风行动招聘会请带好身份证和简历，" * 3, key="b-long")
    phones.deliver()
    with session_scope(phones.engine) as session:
        fair_outreach.move_fair(session, fair_id=saved_id(fair), starts_at=tomorrow.replace(hour=14),
                        ends_at=tomorrow.replace(hour=17), now=phones.clock(), tz=TZ)
    phones.deliver()
    with session_scope(phones.engine) as session:
        fair_outreach.cancel_fair(session, fair_id=saved_id(fair), now=phones.clock(), tz=TZ)
    phones.deliver()

    got = {(s.template, s.params.get("change", "")): s for s in sms(phones.fake, number)}
    assert sorted(got) == [("SMS_COURSE", ""), ("SMS_FAIR", ""), ("SMS_FAIR_CHANGE", "取消了"),
                           ("SMS_FAIR_CHANGE", "改时间了"), ("SMS_JOB", ""), ("SMS_NOTICE", "")]
    limits = {f"SMS_{kind.upper()}": t.limits for kind, t in templates("sms").items()}
    for sent in got.values():
        assert set(sent.params) == set(limits[sent.template])  # the template's own variables
        assert all(len(v) <= limits[sent.template][k] for k, v in sent.params.items())
        assert len(sent.text) <= ONE and sent.text.startswith(f"【{SIGN}】")
    assert got["SMS_JOB", ""].params == {"place": "华埠镇金星村…", "title": "高山有机茶园春茶采摘…",
                                         "pay": "每天150元", "contact": "0570-6012345"}
    assert got["SMS_FAIR", ""].params == {"date": "3月11日", "time": "上午9点", "place": far[:15] + "…"}
    assert got["SMS_FAIR_CHANGE", "改时间了"].params["time"] == "下午2点"
    assert got["SMS_COURSE", ""].params["date"] == "3月11日"
    notice = got["SMS_NOTICE", ""]
    assert notice.params["text"].startswith("县里通知：春风行动") and notice.params["text"].endswith("…")
    assert notice.text.endswith("回T退订")

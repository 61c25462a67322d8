"""维权 / 欠工资: the short form and its unhappy paths, the case number, 查进度 (a number that
does not exist, someone else's number), status changes pushed once, the phone number masked
everywhere but the audited contact route and never logged, and the staff console."""

from __future__ import annotations

import logging
import warnings

import pytest
from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness

from handlers.rights import parse_amount, parse_phone
from storage import cases
from storage.models import Conversation, InboundMessage, Outbox, RightsCase, RightsCaseEvent, StaffAudit, saved_id

PHONE = "13812345678"
REGISTER = ["登记", "华埠", "金星村", "45", "采茶", "1", "3", "1", "1", "1"]
FORM = ["欠工资", "张老板茶厂", "三千五百元", "去年12月", "华埠", "138 1234 5678"]


@pytest.mark.parametrize("text,amount", [
    ("3500", 3500), ("三千五", 3500), ("三千五百元", 3500), ("1.5万", 15000), ("两万三", 23000),
    ("欠了两个月，一共6000块", 6000), ("2025年的800元", 800), ("一万二千", 12000), ("3,500元", 3500),
    ("两个月", None), ("不知道", None), ("很多钱", None),
])
def test_amounts_in_any_numerals(text: str, amount: int | None) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text,phone", [
    ("138 1234 5678", PHONE), ("+86 138-1234-5678", PHONE), ("一三八一二三四五六七八", PHONE),
    ("0570-6012345", "05706012345"), ("1381234567", None), ("12812345678", None), ("电话", None),
])
def test_phone_numbers(text: str, phone: str | None) -> None:
    assert parse_phone(text) == phone


def test_filing_a_case_gives_a_number_and_keeps_the_phone_out_of_replies(chat: ChatHarness) -> None:
    replies = chat.conversation(*FORM)
    assert "记下了：3500元" in replies[2]
    summary = replies[-1]
    assert "138****5678" in summary and PHONE not in summary and "华埠镇" in summary and "去年12月" in summary
    done = chat.say("1")
    assert "WQ2026-000001" in done and "查进度" in done and "进度有变化会发消息" not in done  # not registered
    with Session(chat.engine) as session:
        [case] = session.exec(select(RightsCase)).all()
        assert (case.number, case.amount, case.town, case.phone, case.status) == (
            "WQ2026-000001", 3500, "华埠镇", PHONE, cases.RECEIVED)
        conversation = session.exec(select(Conversation)).one()
        assert PHONE not in str(conversation.data)
        assert not any(PHONE in str(m.reply) for m in session.exec(select(InboundMessage)))
    listing = chat.say("我的维权")
    assert "WQ2026-000001：张老板茶厂，3500元" in listing and "已受理" in listing


def test_wrong_answers_are_asked_again_and_the_form_can_be_left_or_stepped_back(chat: ChatHarness) -> None:
    chat.say("我要维权")
    assert "名字好像不对" in chat.say("12345")
    chat.say("某某茶厂")
    assert "没看懂这个钱数" in chat.say("好多")
    assert "说不清" not in chat.say("不清楚")  # unknown amount is fine: on to "since when"
    chat.say("记不清")
    assert "请回复编号" in chat.say("火星")
    assert "留一个能打通的电话" in chat.say("不在开化县")
    assert "号码好像不对" in chat.say("12345")
    assert "请回复编号" in chat.say("返回")
    assert "已取消维权登记" in chat.say("取消")
    with Session(chat.engine) as session:
        assert session.exec(select(RightsCase)).all() == []


def test_no_question_of_the_form_is_asked_a_third_time(chat: ChatHarness) -> None:
    chat.conversation("我要维权", "某某茶厂")
    assert "没看懂这个钱数" in chat.say("好多")
    assert "钱数先空着" in chat.say("反正好多好多")  # missed twice: on to "since when", the amount unknown
    chat.say("记不清")
    assert "请回复编号" in chat.say("火星")  # the town asked again, as the list of towns
    moved_on = chat.say("月亮上")
    assert "乡镇先空着" in moved_on and "留一个能打通的电话" in moved_on


def test_a_case_number_that_does_not_exist_or_is_not_yours_is_answered_politely(chat: ChatHarness) -> None:
    assert "还没有提交过维权" in chat.say("查进度")
    assert "没找到编号为 WQ2026-000123" in chat.say("查进度 WQ2026-000123")
    assert "编号好像不对" in chat.say("查进度 123")
    chat.conversation(*FORM, "1", user="other")
    theirs = chat.say("查进度 WQ2026-000001")
    assert "没找到编号为 WQ2026-000001" in theirs and "张老板" not in theirs
    assert "张老板茶厂" in chat.say("wq2026-1", user="other")


def test_status_changes_reach_the_person_once_through_the_outbox(chat: ChatHarness) -> None:
    from bot.outreach.rights import notify

    chat.conversation(*REGISTER)
    assert "进度有变化会发消息" in chat.conversation(*FORM, "1")[-1]
    now = chat.dispatcher.services.clock()
    with Session(chat.engine) as session:
        case = session.exec(select(RightsCase)).one()
        event = cases.set_status(session, case_id=saved_id(case), status="mediating", note="已约老板3月20日调解",
                                 now=now)
        assert event is not None
        assert notify(session, case=case, event=event, now=now) == 1
        assert notify(session, case=case, event=event, now=now) == 0  # the same change never twice
        key = f"case:{case.id}:{event.id}"
        session.commit()
        [push] = session.exec(select(Outbox).where(col(Outbox.kind) == "case")).all()
    assert "WQ2026-000001" in push.payload["texts"][0] and "调解中" in push.payload["texts"][0]
    assert push.idempotency_key == key
    detail = chat.say("查进度 WQ2026-000001")
    assert "已受理" in detail and "调解中：已约老板3月20日调解" in detail


def test_someone_who_registers_after_filing_gets_the_later_changes(chat: ChatHarness) -> None:
    from bot.outreach.rights import notify

    chat.conversation(*FORM, "1")
    now = chat.dispatcher.services.clock()
    with Session(chat.engine) as session:
        case = session.exec(select(RightsCase)).one()
        event = cases.set_status(session, case_id=saved_id(case), status="checking", note=None, now=now)
        assert event is not None and notify(session, case=case, event=event, now=now) == 0  # nobody to push to yet
        session.commit()
    chat.conversation(*REGISTER)
    with Session(chat.engine) as session:
        case = session.exec(select(RightsCase)).one()
        event = cases.set_status(session, case_id=saved_id(case), status="resolved", note=None, now=now)
        assert event is not None and notify(session, case=case, event=event, now=now) == 1
        session.commit()


def test_the_phone_number_is_never_logged(sqlite_chat: ChatHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sqlite_chat.conversation(*FORM, "1", "查进度", "我的维权")
    assert PHONE not in caplog.text and "1234 5678" not in caplog.text


# --- staff ------------------------------------------------------------------------------------------------
def test_staff_see_cases_masked_update_them_and_reveal_the_phone_on_record(chat: ChatHarness,
                                                                          staff: TestClient) -> None:
    chat.conversation(*REGISTER)
    chat.conversation(*FORM, "1")
    listed = staff.get("/console/api/cases").json()["cases"]
    assert [(c["number"], c["phone"], c["status_label"]) for c in listed] == [
        ("WQ2026-000001", "138****5678", "已受理")]
    case_id = listed[0]["id"]
    for path in ("/console/api/cases", f"/console/api/cases/{case_id}", "/console/cases", f"/console/cases/{case_id}"):
        assert PHONE not in staff.get(path).text, path
    assert staff.post(f"/console/api/cases/{case_id}/status", json={"status": "nonsense"}).status_code == 400
    changed = staff.post(f"/console/api/cases/{case_id}/status", json={"status": "resolved", "note": "老板已付清"})
    assert changed.json() == {"status": "resolved", "status_label": "已解决", "notified": 1,
                              "reach": "进展会发消息告诉本人"}
    assert staff.post("/console/api/cases/999/status", json={"status": "closed"}).status_code == 404
    detail = staff.get(f"/console/api/cases/{case_id}").json()
    assert [e["status_label"] for e in detail["events"]] == ["已受理", "已解决"]
    assert staff.get("/console/api/cases?status=resolved").json()["cases"][0]["number"] == "WQ2026-000001"
    assert staff.get("/console/api/cases?status=received").json()["cases"] == []
    assert staff.get(f"/console/api/cases/{case_id}/contact").json()["phone"] == PHONE
    with Session(chat.engine) as session:
        actions = [a.action for a in session.exec(select(StaffAudit))]
        assert len(session.exec(select(RightsCaseEvent)).all()) == 2
    assert actions == ["case.status", "case.contact"]
    assert "老板已付清" in chat.say("查进度 WQ2026-000001")


def test_the_case_api_refuses_a_missing_token(staff: TestClient) -> None:
    for method, path in (("GET", "/console/api/cases"), ("GET", "/console/api/cases/1"),
                         ("POST", "/console/api/cases/1/status"), ("GET", "/console/api/cases/1/contact")):
        assert staff.request(method, path, headers={"Authorization": ""}, json={}).status_code == 401, path

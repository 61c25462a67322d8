"""What messages say: 日结 only when pay is settled daily, the phone staff allow shown before
报名, no town printed twice, course details with fee and time of day, and a friendly word back
for 好的 / 谢谢 — through the real dispatcher and the console API."""

from __future__ import annotations

import warnings

import pytest
from sqlmodel import Session, col, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import ChatHarness

from handlers.notices import where
from storage.models import Outbox

TEA_WORKER = ["登记", "华埠", "金星村", "45", "采茶", "1", "3", "1", "1", "1"]


def pushes(chat: ChatHarness) -> list[str]:
    with Session(chat.engine) as session:
        pushed = session.exec(select(Outbox).where(col(Outbox.kind) == "job").order_by(col(Outbox.id)))
        return [r.payload["texts"][0] for r in pushed]


def test_daily_pay_and_a_phone_staff_allow_before_applying(chat: ChatHarness, staff: TestClient) -> None:
    chat.conversation(*TEA_WORKER)
    base = {"employer": "示范茶场", "town": "华埠", "skills": "采茶", "phone": "0570-1234567"}
    assert staff.post("/console/api/jobs", json={**base, "title": "采茶日结工", "pay": "日结150元",
                                                 "show_phone": "是"}).json()["added"]
    assert staff.post("/console/api/jobs", json={**base, "title": "采茶月工", "pay": "150元/天"}).json()["added"]
    daily, by_day = pushes(chat)
    assert "日结150元" in daily and "日结" not in by_day and "每天150元" in by_day
    listing = chat.say("找工作")
    assert "日结150元" in listing and "每天150元" in listing
    first = chat.say("1")
    second = chat.say("2")
    shown, hidden = (first, second) if "日结工" in first else (second, first)
    assert "电话：0570-1234567" in shown and "0570" not in hidden  # only where staff allowed it


@pytest.mark.parametrize("town,place,expected", [
    ("华埠镇", "华埠镇文化礼堂", "华埠镇文化礼堂"), ("华埠镇", "华埠文化礼堂", "华埠文化礼堂"),
    ("华埠镇", "金星村", "华埠镇金星村"), ("芹阳办事处", "芹阳社区中心", "芹阳社区中心"),
    (None, "县职业技能培训中心", "县职业技能培训中心"), ("马金镇", None, "马金镇"), (None, None, "县内"),
])
def test_a_place_that_names_its_town_is_not_given_it_twice(town: str | None, place: str | None,
                                                          expected: str) -> None:
    assert where(town, place, default="县内") == expected


def test_course_details_show_fee_and_time_of_day_and_the_town_once(chat: ChatHarness, staff: TestClient) -> None:
    body = {"title": "茶艺师培训", "skills": "tea", "town": "华埠", "venue": "华埠镇文化礼堂",
            "starts_on": "2026-03-20",
            "hours": "每天上午9:00-11:30", "fee": "免费", "seats": "20", "request_id": "fee-1"}
    assert staff.post("/console/api/courses", json=body).status_code == 201
    assert staff.post("/console/api/courses", json={**body, "request_id": "fee-2", "fee": "很" * 65}).status_code == 400
    chat.conversation(*TEA_WORKER)
    chat.say("培训")
    detail = chat.say("1")
    assert "每天上午9:00-11:30" in detail and "费用：免费" in detail
    assert "华埠镇华埠镇" not in detail and "华埠镇文化礼堂" in detail


@pytest.mark.parametrize("word", ["谢谢", "好的", "收到", "好的谢谢", "謝謝"])
def test_thanks_after_a_push_gets_a_short_friendly_reply(sqlite_chat: ChatHarness, word: str) -> None:
    sqlite_chat.conversation(*TEA_WORKER)
    reply = sqlite_chat.say(word)
    assert len(reply) < 40 and "菜单" in reply and "12333" not in reply and "方案" not in reply


def test_thanks_inside_a_form_still_answers_its_question(sqlite_chat: ChatHarness) -> None:
    confirm = sqlite_chat.conversation("欠工资", "张老板茶厂", "三千五", "去年12月", "华埠", "13812345678")[-1]
    assert "请核对" in confirm
    assert "已受理" in sqlite_chat.say("好的")  # 好的 confirms the form, as it did before

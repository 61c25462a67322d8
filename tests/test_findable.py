"""Every service can be found: 菜单 → 更多服务 reaches 银龄, 我是大学生, 困难帮扶 and 查维权进度;
free text asking for a service leads into it with the plan's line; the official account's
menu has 更多服务 (a CLICK through the real webhook)."""

from __future__ import annotations

import re

import pytest
from conftest import ChatHarness
from test_wechat_support import OPENID, StartWebhook, fake_api, sqlite_webhook_factory  # noqa: F401  (fixtures)

from handlers.more import SERVICES

ELDER = ["登记", "华埠", "金星村", "63", "采茶", "1", "2", "1", "1", "1"]


def test_the_menu_reaches_every_service_through_more(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*ELDER)
    menu = sqlite_chat.say("菜单")
    number = re.search(r"回复 (\d+) 更多服务", menu)
    assert number, menu
    more = sqlite_chat.say(number.group(1))
    for label in ("银龄", "我是大学生", "困难帮扶", "查维权进度"):
        assert label in more, label
    assert "一共3个问题" in sqlite_chat.say("1")  # 银龄 starts
    sqlite_chat.say("取消")
    sqlite_chat.say("更多服务")
    assert "还没有提交过维权" in sqlite_chat.say("查维权进度")
    sqlite_chat.say("更多服务")
    assert "请回复前面的编号" in sqlite_chat.say("99")


@pytest.mark.parametrize("text,measure,then", [
    ("我60多了还能找活吗", "第13条", "一共3个问题"),
    ("我六十多岁了，还能出去打工吗", "第13条", "一共3个问题"),
    ("有没有公益性岗位", "第15条", "您属于哪种情况"),
    ("刚毕业的大学生回乡找工作有人管吗", "第14条", "回乡大学生登记"),
])
def test_free_text_asking_for_a_service_leads_into_it(sqlite_chat: ChatHarness, text: str, measure: str,
                                                      then: str) -> None:
    sqlite_chat.conversation(*ELDER)
    reply = sqlite_chat.say(text)
    assert measure in reply and "回复 1 办" in reply and len(reply) <= 150  # the answer, then the offer
    assert then in sqlite_chat.say("1")


def test_an_offered_service_can_be_declined_or_passed_over_with_another_question(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*ELDER)
    sqlite_chat.say("有没有公益性岗位")
    assert "更多服务" in sqlite_chat.say("先不用")
    sqlite_chat.say("有没有公益性岗位")
    assert "2100" in sqlite_chat.say("创业担保贷款能贷多少钱")


def test_asking_how_to_check_a_case_shows_the_cases(sqlite_chat: ChatHarness) -> None:
    assert "还没有提交过维权" in sqlite_chat.say("怎么查我的维权")
    sqlite_chat.conversation("欠工资", "张老板茶厂", "三千五", "去年12月", "华埠", "13812345678", "1")
    assert "WQ2026-000001" in sqlite_chat.say("我想看看我的维权怎么样了")


@pytest.mark.parametrize("text", ["明天开化下雨吗", "创业贷款能贷多少", "每月几号有招聘会"])
def test_other_questions_still_go_to_the_plan(sqlite_chat: ChatHarness, text: str) -> None:
    reply = sqlite_chat.say(text)
    assert not any(s.line and s.line in reply for s in SERVICES)


def test_each_service_line_is_backed_by_the_measure_it_names(sqlite_chat: ChatHarness) -> None:
    base = sqlite_chat.dispatcher.services.policy
    for service in SERVICES:
        if service.line:
            named = re.search(r"第(\d+)条", service.line)
            assert named, service.label
            assert named.group(1) in [c.ref.split()[-1] for c in base.ask(service.line).citations], service.label


async def test_the_official_account_menu_has_more_services(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    clicked = await hook.wechat.event(OPENID, "CLICK", "更多服务")
    assert clicked.reply is not None and "困难帮扶" in clicked.reply and "银龄" in clicked.reply


def test_numbers_out_of_range_get_a_polite_answer(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*ELDER)
    sqlite_chat.say("退订")
    assert "抱歉" not in sqlite_chat.say("99")
    for _ in range(2):
        sqlite_chat.conversation("欠工资", "张老板茶厂", "三千五", "去年12月", "华埠", "13812345678", "1")
    assert "要撤回哪一件" in sqlite_chat.say("撤回维权")
    assert "请回复一个编号" in sqlite_chat.say("99")
    assert "WQ2026-000001" in sqlite_chat.say("2")  # newest first, as 我的维权 lists them

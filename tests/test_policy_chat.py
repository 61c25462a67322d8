"""Policy questions in the chat: 问政策 mode, free text tried as a question, honest no-answers,
next steps offered after a request, and questions about the bot answered from its own data."""

from __future__ import annotations

import pytest
from conftest import ChatHarness, first_group
from test_training import add_course


def test_question_mode_answers_until_a_command(sqlite_chat: ChatHarness) -> None:
    assert "直接打字提问" in sqlite_chat.say("问政策")
    reply = sqlite_chat.say("创业贷款一年能放多少")
    assert "2100" in reply and "出处" in reply
    assert "12333" in sqlite_chat.say("明天开化下雨吗")
    assert "哪个乡镇" in sqlite_chat.say("登记")


def test_free_text_is_tried_as_a_question(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("创业担保贷款能贷多少钱")  # (a request for a service leads into it: test_findable)
    assert "2100" in reply and "菜单" in reply and len(reply) <= 150
    assert "出处" in reply or "出处" in sqlite_chat.say("详情")  # the source may wait behind 详情


def test_free_text_in_the_menu_is_a_question_too(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.say("菜单")
    assert "第2条" in sqlite_chat.say("每月几号有招聘会")


def test_a_question_mid_registration_does_not_lose_the_place(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠")
    reply = sqlite_chat.say("问政策")
    assert "直接打字提问" in reply and "您的登记还没填完" in reply
    answered = sqlite_chat.say("每月几号有招聘会")
    assert "8日" in answered and len(answered) <= 150
    assert "第2条" in answered or "第2条" in sqlite_chat.say("详情")  # the source may wait behind 详情
    assert "哪个村" in sqlite_chat.say("继续")
    assert "岁数" in sqlite_chat.say("金星村")


def test_back_from_the_menu_returns_to_the_paused_registration(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "您的登记还没填完" in sqlite_chat.say("菜单")
    assert "岁数" in sqlite_chat.say("返回")
    sqlite_chat.say("菜单")
    answered = sqlite_chat.say("每月几号有招聘会")
    assert "每月8日、18日" in answered and "第2条" in answered  # the answer with its source first
    assert "原文：用好人力资源市场" in sqlite_chat.say("详情")  # the plan's own words, cut for length
    assert "岁数" in sqlite_chat.say("继续")


# --- requests get a next step, questions about the bot get its own how-to and live data ----------


def test_a_request_gets_the_policy_answer_and_the_next_step(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("工钱被拖了")
    assert "第20条" in reply and "出处" in reply
    assert "回复 1 维权（欠工资）" in reply
    assert "没有这个编号" in sqlite_chat.say("3")
    assert "哪个老板" in sqlite_chat.say("1")  # the rights flow starts


def test_after_the_offer_another_question_is_still_answered(sqlite_chat: ChatHarness) -> None:
    assert "回复 1 找工作" in sqlite_chat.say("在家能干点啥活")
    reply = sqlite_chat.say("每月几号有招聘会")
    assert "8日、18日" in reply and "第2条" in reply


def test_a_plain_question_offers_no_choices(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.send("共富工坊全县要建多少家")
    assert reply is not None and not reply.choices and "100家" in reply.as_text()


def test_how_to_check_a_rights_case_looks_up_the_persons_cases(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("怎么查我的维权")
    assert "查进度" in reply and "您还没有提交过维权" in reply
    assert "出处" not in reply  # not an answer from the plan


def test_course_fee_question_lists_the_courses_fees(sqlite_chat: ChatHarness) -> None:
    add_course(sqlite_chat.engine, "茶艺师培训", skills=["tea"], fee="免费")
    reply = sqlite_chat.say("培训要钱吗")
    assert "茶艺师培训：免费" in reply


def test_next_fair_question_gives_the_next_fair(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("下一场招聘会什么时候")
    assert "每月8日、18日" in reply and "下一场招聘会：" in reply and "人力资源市场" in reply


def test_how_to_stop_pushes_does_not_stop_them(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("消息太多了，咋关掉")
    assert "回复“退订”" in reply
    assert "已停止" not in reply and "没有登记" not in reply  # the 退订 command itself did not run


def test_asking_whether_one_may_register_starts_the_registration(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("登记 宝妈能登记吗")  # a young mother asking for herself, not for her mother
    assert "我们开始登记" in reply and "哪个乡镇" in reply and "代家人登记" not in reply
    assert "哪个村" in sqlite_chat.say("华埠")


@pytest.mark.parametrize("asked", ["帮我登记一下 我在华埠 会开叉车", "帮我登记一下 我会刷墙打腻子"])
def test_asking_to_be_registered_starts_the_registration(sqlite_chat: ChatHarness, asked: str) -> None:
    reply = sqlite_chat.say(asked)  # the work named (粉刷匠 is a measure of the plan) does not turn it into a question
    assert "我们开始登记" in reply and "哪个乡镇" in reply and "出处" not in reply
    assert "我们开始登记" not in sqlite_chat.say("取消") + sqlite_chat.say("帮我登记一下被欠工资的事，欠了我八千")

def test_asking_to_register_a_relative_starts_that(sqlite_chat: ChatHarness) -> None:
    assert "怎么称呼您家里人" in sqlite_chat.say("帮我妈登记一下")


@pytest.mark.parametrize("asked", ["我想学评茶 帮我报个名", "想学个育婴员 帮我报名"])
def test_asking_to_be_signed_up_for_a_course_offers_the_courses_after_the_plan(sqlite_chat: ChatHarness,
                                                                               asked: str) -> None:
    add_course(sqlite_chat.engine, "育婴员、评茶员培训", skills=["housekeeping", "tea"])
    reply = sqlite_chat.say(asked)
    assert "出处：" in reply and "学技术（培训）" in reply
    assert "育婴员、评茶员培训" in sqlite_chat.say(first_group(r"回复 (\d+) 学技术（培训）", reply))


def test_asking_how_to_register_when_registered_shows_the_profile(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "58", "1", "1", "1", "1", "1", "1")
    assert "您已经登记过了" in sqlite_chat.say("请问怎么注册")


def test_asking_whether_a_relative_may_register_tells_how_to_do_it_for_them(sqlite_chat: ChatHarness) -> None:
    assert "回复“代家人登记”" in sqlite_chat.say("我媳妇能登记吗")

"""Policy questions in the chat: 问政策 mode, free text tried as a question, honest no-answers."""

from __future__ import annotations

from conftest import ChatHarness


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
    assert "第2条" in sqlite_chat.say("每月几号有招聘会")
    assert "哪个村" in sqlite_chat.say("继续")
    assert "岁数" in sqlite_chat.say("金星村")


def test_back_from_the_menu_returns_to_the_paused_registration(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "您的登记还没填完" in sqlite_chat.say("菜单")
    assert "岁数" in sqlite_chat.say("返回")
    sqlite_chat.say("菜单")
    assert "每月8日、18日" in sqlite_chat.say("每月几号有招聘会")
    assert "第2条" in sqlite_chat.say("详情")
    assert "岁数" in sqlite_chat.say("继续")

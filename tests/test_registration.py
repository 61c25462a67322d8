"""Registration driven message by message through the real dispatcher, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ChatHarness, Clock, broken_router, make_settings
from sqlmodel import Session, col, select

from bot.app import build_dispatcher
from bot.messages import Kind
from storage.db import make_engine
from storage.models import ChatAccount, Conversation, Worker

HAPPY_PATH = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]


def workers(chat: ChatHarness) -> list[Worker]:
    with Session(chat.engine) as session:
        return list(session.exec(select(Worker)))


def state(chat: ChatHarness, user: str = "villager-1") -> Conversation:
    with Session(chat.engine) as session:
        return session.exec(select(Conversation).where(col(Conversation.user_id) == user)).one()


@pytest.mark.parametrize("agreed", ["确认", "冇错", "没错的"])  # 冇: 没 as Gan and Hakka speakers write it
def test_the_summary_is_confirmed_in_a_speakers_own_words(chat: ChatHarness, agreed: str) -> None:
    replies = chat.conversation(*HAPPY_PATH[:-1], agreed)
    assert "登记好了" in replies[-1]


def test_full_registration_stores_the_profile(chat: ChatHarness) -> None:
    replies = chat.conversation(*HAPPY_PATH)
    assert "哪个乡镇" in replies[0]
    assert "华埠镇" in replies[1] and "哪个村" in replies[1]
    assert "岁数" in replies[2]
    assert "回复 1 采茶/茶叶加工" in replies[3]
    assert "请核对" in replies[8] and "华埠镇 金星村" in replies[8] and "62岁" in replies[8]
    assert "登记好了" in replies[9] and "怎么称呼您" in replies[9]
    assert "留个电话" in chat.say("王阿姨")
    assert "138****1234" in chat.say("138 0000 1234")
    [worker] = workers(chat)
    assert (worker.name, worker.phone) == ("王阿姨", "13800001234")
    assert (worker.town, worker.village, worker.age, worker.birth_year) == ("华埠镇", "金星村", 62, 1964)
    assert worker.skills == ["tea", "housekeeping"]
    assert worker.availability == ["anytime"]
    assert worker.travel_range == "town"
    assert worker.want_job_push is True and worker.want_fair_push is True and worker.subscribed is True
    assert state(chat).flow is None


@pytest.mark.parametrize("typed", ["华埠", "化埠", "华埠镇", "華埠", "我是华埠的", "huabu镇华埠"])
def test_town_accepts_short_names_homophones_and_traditional(sqlite_chat: ChatHarness, typed: str) -> None:
    sqlite_chat.say("登记")
    assert "好的，华埠镇" in sqlite_chat.say(typed)


def test_town_with_village_skips_the_village_question(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.say("登记")
    reply = sqlite_chat.say("我住华埠镇金星村")
    assert "华埠镇金星村" in reply and "岁数" in reply


def test_unknown_town_offers_a_numbered_list(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.say("登记")
    reply = sqlite_chat.say("北京朝阳")
    assert "回复 1" in reply
    if "都不是" in reply:
        reply = sqlite_chat.say("都不是")
    assert "15大溪边" in reply and len(reply) <= 150  # all fifteen towns, short enough to take in
    assert "好的，大溪边乡" in sqlite_chat.say("15")


def test_unsure_town_then_typed_again(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.say("登记")
    sqlite_chat.say("火星")
    assert "好的，马金镇" in sqlite_chat.say("马金")


def test_location_share_picks_the_nearest_town(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.say("登记")
    reply = sqlite_chat.say("", kind=Kind.LOCATION, latitude=29.28, longitude=118.38)
    assert "好的，马金镇" in reply
    reply = sqlite_chat.say("登记")
    assert "您的登记还没填完" not in reply


@pytest.mark.parametrize("typed,age", [("62", 62), ("六十二", 62), ("62岁", 62), ("1961年生的", 65),
                                       ("６２", 62), ("61年的", 65), ("我今年五十八了", 58)])
def test_age_in_every_spelling(sqlite_chat: ChatHarness, typed: str, age: int) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过")
    assert "会做哪些活" in sqlite_chat.say(typed)
    assert state(sqlite_chat).data["age"] == age


@pytest.mark.parametrize("typed", ["3", "140", "好多岁", "二零零", "60 70"])
def test_implausible_age_is_asked_again(sqlite_chat: ChatHarness, typed: str) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过")
    reply = sqlite_chat.say(typed)
    assert "岁数" in reply and "会做哪些活" not in reply
    assert state(sqlite_chat).step == "age"


@pytest.mark.parametrize("typed,codes", [
    ("1 3 5", ["tea", "housekeeping", "construction"]),
    ("1、3", ["tea", "housekeeping"]),
    ("１，８", ["tea", "ecommerce"]),
    ("摘茶叶", ["tea"]),
    ("做饭", ["cook"]),
    ("带孩子", ["housekeeping"]),
    ("我会开车，也会做饭", ["cook", "driver"]),
    ("9", ["other"]),
    ("啥都行", ["other"]),
    ("开挖机", ["machinery"]),
    ("会计", ["office"]),
])
def test_skills_by_number_and_by_words(sqlite_chat: ChatHarness, typed: str, codes: list[str]) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过", "50")
    assert "什么时候有空" in sqlite_chat.say(typed)
    assert sorted(state(sqlite_chat).data["skills"]) == sorted(codes)


def test_a_wrong_answer_gets_a_hint_and_the_same_question_once(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过", "50")
    reply = sqlite_chat.say("99")
    assert "没对上" in reply and "回复 1 采茶/茶叶加工" in reply
    assert state(sqlite_chat).step == "skills"
    reply = sqlite_chat.say("啊啊啊")  # a second miss: never asked a third time
    assert "原话已记下" in reply and "啥都行" in reply and "什么时候有空" in reply
    assert state(sqlite_chat).data["notes"] == {"skills": "啊啊啊"}


def test_a_learned_guess_is_kept_only_once_confirmed(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过", "50")
    reply = sqlite_chat.say("粘发片")  # no rule reads it; the learned guess is said back, never kept unasked
    assert "是“来料加工”吗" in reply and "回复 1 采茶/茶叶加工" in reply and len(reply) <= 150
    assert state(sqlite_chat).step == "skills" and not state(sqlite_chat).data.get("skills")
    assert "什么时候有空" in sqlite_chat.say("是的")
    assert state(sqlite_chat).data["skills"] == ["handcraft"]


def test_a_guess_said_wrong_is_answered_by_number(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过", "50")
    assert "是“来料加工”吗" in sqlite_chat.say("粘发片")
    assert "什么时候有空" in sqlite_chat.say("8")
    assert state(sqlite_chat).data["skills"] == ["ecommerce"]


def test_cancel_at_every_step_leaves_the_flow(sqlite_chat: ChatHarness) -> None:
    for steps in range(1, len(HAPPY_PATH)):
        sqlite_chat.conversation(*HAPPY_PATH[:steps])
        reply = sqlite_chat.say("取消")
        assert "已取消登记" in reply
        assert state(sqlite_chat).flow in (None, "menu")
    assert workers(sqlite_chat) == []


def test_back_returns_to_the_previous_question(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "哪个村" in sqlite_chat.say("返回")
    assert "哪个乡镇" in sqlite_chat.say("返回")
    assert "已取消登记" in sqlite_chat.say("返回")


def test_menu_mid_flow_keeps_the_place_and_continue_resumes(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠")
    reply = sqlite_chat.say("菜单")
    assert "想做什么" in reply and "回复“继续”" in reply
    assert "哪个村" in sqlite_chat.say("继续")
    assert "岁数" in sqlite_chat.say("金星村")


def test_change_one_answer_from_the_summary(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH[:-1])
    assert "要改哪一项" in sqlite_chat.say("2")
    assert "岁数" in sqlite_chat.say("3")
    reply = sqlite_chat.say("63")
    assert "请核对" in reply and "63岁" in reply
    sqlite_chat.say("1")
    assert workers(sqlite_chat)[0].age == 63


def test_the_answer_to_change_is_named_in_ones_own_words(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH[:-1])
    assert "去多远" in sqlite_chat.say("出行")
    reply = sqlite_chat.say("县城也去 儿子开车送")
    assert "请核对" in reply and "全县都行" in reply


def test_the_answer_to_change_is_named_by_a_label_typed_by_its_sound(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH[:-1])
    assert "要改哪一项" in sqlite_chat.say("2")
    assert "岁数" in sqlite_chat.say("年令")  # 年龄 typed by pinyin, the wrong character picked
    assert "47岁" in sqlite_chat.say("47")


def test_a_field_named_by_the_start_of_its_label_is_not_the_command_of_that_name(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH[:-1])
    assert "要改哪一项" in sqlite_chat.say("2")
    reply = sqlite_chat.say("招聘会")  # 招聘会提醒 among the fields, not the list of fairs
    assert "提醒" in reply and "最近的招聘会" not in reply
    assert "请核对" in sqlite_chat.say("不要")


def test_skipping_the_village_in_other_words_keeps_no_village(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠")
    assert "岁数" in sqlite_chat.say("略过")
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].village is None


def test_skip_heard_by_voice_input_as_other_characters_keeps_no_village(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "长虹")
    assert "岁数" in sqlite_chat.say("条过。")  # 跳过, written by voice input with characters that sound alike
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].village is None


def test_work_and_free_time_told_at_the_village_are_no_village_name(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "村头")
    reply = sqlite_chat.say("厂里的活 工作日白天都行")
    assert "等会儿再问" in reply and "哪个村" in reply
    assert "岁数" in sqlite_chat.say("跳过")
    sqlite_chat.conversation("51", "1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].village is None


def test_an_age_typed_a_digit_at_a_time_is_read_whole(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "岁数" in sqlite_chat.say("8")  # 8 alone is no age: asked again
    assert "会做哪些活" in sqlite_chat.say("1")
    sqlite_chat.conversation("1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].age == 81


def test_going_back_with_the_answer_after_it_answers_the_previous_question(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "马金", "霞山村", "65", "2", "4")
    assert "要不要发消息" in sqlite_chat.say("村里")
    assert "多远" in sqlite_chat.say("上一个")  # going back, said as people say it
    assert "要不要发消息" in sqlite_chat.say("村里")
    assert "要不要发消息" in sqlite_chat.say("返回 远一点也行")  # back, and the new answer at once
    sqlite_chat.conversation("1", "1", "1")
    assert workers(sqlite_chat)[0].travel_range == "county"


def test_a_how_to_question_at_the_village_is_answered_and_the_village_asked_again(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "杨林")
    reply = sqlite_chat.say("失业金怎么领")  # a question, not the village "失业金怎么领村"
    assert "哪个村" in reply
    assert "岁数" in sqlite_chat.say("杨林村")
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].village == "杨林村"


def test_a_question_of_when_a_fair_is_held_typed_at_the_travel_question_is_answered(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "60", "1", "1")
    reply = sqlite_chat.say("县城的招聘会几号开")  # a question, not "全县" for how far
    assert "18日" in reply and "多远" in reply
    sqlite_chat.conversation("2", "1", "1", "1")
    assert workers(sqlite_chat)[0].travel_range == "town"


def test_a_mountain_named_for_the_town_is_no_village(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记")
    assert "哪个村" in sqlite_chat.say("古田山脚下")  # 苏庄镇 by its mountain; the village still asked
    assert "岁数" in sqlite_chat.say("唐头")
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert (workers(sqlite_chat)[0].town, workers(sqlite_chat)[0].village) == ("苏庄镇", "唐头村")


def test_an_old_township_named_for_a_village_is_its_town_and_the_village_is_asked(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记")
    assert "哪个村" in sqlite_chat.say("霞山乡")  # merged into 马金镇: its name is no answer to the village
    assert "岁数" in sqlite_chat.say("霞田")
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert (workers(sqlite_chat)[0].town, workers(sqlite_chat)[0].village) == ("马金镇", "霞田村")


def test_a_village_known_in_another_town_stays_in_the_town_said(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "桐村")
    assert "岁数" in sqlite_chat.say("田畈村")  # 何田乡 has one too: names repeat from town to town
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert (workers(sqlite_chat)[0].town, workers(sqlite_chat)[0].village) == ("桐村镇", "田畈村")


def test_a_village_of_another_town_puts_right_a_town_only_guessed_from_a_slip(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "长村乡")  # read as 中村乡, the closest in spelling
    sqlite_chat.say("桃源村")  # a village of 长虹乡 by its own name: the town was 长虹
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert (workers(sqlite_chat)[0].town, workers(sqlite_chat)[0].village) == ("长虹乡", "桃源村")


def test_another_question_s_option_typed_by_mistake_is_not_taken_as_this_answer(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "31", "保洁")
    reply = sqlite_chat.say("全县都行")  # the travel list's label, typed at the free time
    assert "能去多远" in reply and "有空" in reply
    sqlite_chat.conversation("下午", "全县都行", "1", "1", "1")
    assert (workers(sqlite_chat)[0].availability, workers(sqlite_chat)[0].travel_range) == (["afternoon"], "county")


def test_another_question_s_option_said_twice_is_read_as_this_answer(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "31", "保洁", "全县都行")
    assert "多远的地方" in sqlite_chat.say("全县都行")  # not asked a third time: read as it stands


def test_an_age_sent_again_after_it_was_taken_for_a_question_is_not_asked_a_third_time(
        sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    first = sqlite_chat.say("你问岁数做什么用？")  # a question: answered, and the age asked again
    assert "岁数" in first
    second = sqlite_chat.say("你问岁数做什么用？")  # the same again: an answer not understood, and no third asking
    assert "岁数" not in second.split("。")[-1] and "会做哪些活" in second


def test_changing_the_town_asks_the_village_again(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH)
    assert "要改哪一项" in sqlite_chat.say("修改")
    sqlite_chat.say("1")
    assert "哪个村" in sqlite_chat.say("马金")
    reply = sqlite_chat.say("霞山村")
    assert "马金镇 霞山村" in reply
    assert "已保存修改" in sqlite_chat.say("确认")
    assert (workers(sqlite_chat)[0].town, workers(sqlite_chat)[0].village) == ("马金镇", "霞山村")


def test_a_town_named_beside_the_one_written_down_is_the_change(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH, "修改", "1")
    reply = sqlite_chat.say("马金镇 华埠是我娘家 填错了")  # two towns: the one not written down is meant
    assert "马金镇" in reply and "哪个村" in reply and "哪一个" not in reply


def test_a_village_named_with_why_it_comes_late_is_kept(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "马金")
    assert "岁数" in sqlite_chat.say("霞山村 刚才忘了")  # 忘了 is why, not a village declined
    sqlite_chat.conversation("60", "1", "1", "1", "1", "1", "1")
    assert workers(sqlite_chat)[0].village == "霞山村"


def test_a_question_answered_at_once_by_number_is_the_answer(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "58")
    reply = sqlite_chat.say("就是在家串珠子那种？那要 4")
    assert "来料加工" in reply and "有空" in reply and "出处" not in reply


def test_restart_mid_way_continues_where_the_person_was(db_url: str, tmp_path: Path, clock: Clock) -> None:
    first_engine = make_engine(db_url)
    first = ChatHarness(build_dispatcher(make_settings(db_url, tmp_path), engine=first_engine, clock=clock))
    first.conversation("登记", "华埠", "金星村")
    first_engine.dispose()

    second_engine = make_engine(db_url)
    second = ChatHarness(build_dispatcher(make_settings(db_url, tmp_path), engine=second_engine, clock=clock))
    assert "会做哪些活" in second.say("58")
    second.conversation("1", "1", "3", "1", "2", "1")
    [worker] = workers(second)
    assert worker.age == 58 and worker.travel_range == "county" and worker.want_fair_push is False
    second_engine.dispose()


def test_two_people_registering_at_once_do_not_mix(chat: ChatHarness) -> None:
    for a, b in zip(HAPPY_PATH, ["登记", "马金", "霞山村", "45", "6", "3", "3", "2", "2", "1"], strict=False):
        chat.say(a, user="alice")
        chat.say(b, user="bob")
    by_town = {w.town: w for w in workers(chat)}
    assert by_town["华埠镇"].age == 62 and by_town["马金镇"].age == 45
    assert by_town["马金镇"].skills == ["cook"] and by_town["马金镇"].want_job_push is False


def test_a_duplicate_message_is_handled_once(chat: ChatHarness) -> None:
    chat.conversation("登记", "华埠", "跳过")
    first = chat.send("62", dedup_key="msg-1")
    again = chat.send("62", dedup_key="msg-1")
    assert first == again and first is not None
    assert state(chat).step == "skills"
    assert state(chat).back.count("age") == 1
    assert "什么时候有空" in chat.say("1", dedup_key="msg-2")


def test_a_retry_while_the_first_is_still_handled_gets_no_second_run(chat: ChatHarness) -> None:
    from storage.db import session_scope
    from storage.inbound import claim_messages

    with session_scope(chat.engine) as session:
        assert claim_messages(session, [("console", "msg-9", "villager-1")])[("console", "msg-9")].fresh
    assert chat.send("登记", dedup_key="msg-9") is None
    assert state_or_none(chat) is None


def state_or_none(chat: ChatHarness) -> Conversation | None:
    with Session(chat.engine) as session:
        return session.exec(select(Conversation)).first()


def test_a_failing_handler_answers_politely_and_loses_nothing(sqlite_url: str, tmp_path: Path, clock: Clock) -> None:
    engine = make_engine(sqlite_url)
    chat = ChatHarness(build_dispatcher(make_settings(sqlite_url, tmp_path), engine=engine, clock=clock,
                                        extra_routers=[broken_router()]))
    chat.conversation("登记", "华埠")
    assert "出了点问题" in chat.say("出错", dedup_key="m1")
    assert "half" not in state(chat).data and state(chat).step == "village"
    assert "出了点问题" in chat.say("出错", dedup_key="m1")  # a retry is handled afresh, not replayed
    assert "岁数" in chat.say("金星村")


def test_my_info_edit_unsubscribe_and_erase(chat: ChatHarness) -> None:
    assert "还没有登记" in chat.say("我的信息")
    chat.conversation(*HAPPY_PATH)
    info = chat.say("我的信息")
    assert "华埠镇 金星村" in info and "62岁" in info

    assert "已停止" in chat.say("退订")
    assert workers(chat)[0].subscribed is False
    assert "已退订" in chat.say("我的信息")
    assert "已恢复" in chat.say("订阅")
    assert workers(chat)[0].subscribed is True

    assert "不能恢复" in chat.say("注销")
    assert "保留不变" in chat.say("2")
    assert len(workers(chat)) == 1
    chat.say("注销")
    assert "已删除" in chat.say("1")
    assert workers(chat) == []
    with Session(chat.engine) as session:
        assert session.exec(select(ChatAccount)).one().worker_id is None
    assert "还没有登记" in chat.say("我的信息")


def test_unsubscribe_works_in_the_middle_of_a_flow(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*HAPPY_PATH)
    sqlite_chat.conversation("修改", "3")
    assert "已停止" in sqlite_chat.say("退订")
    assert workers(sqlite_chat)[0].subscribed is False
    left = state(sqlite_chat)  # the 修改 form is left for good: only 退订's own choices wait
    assert left.flow == "unsubscribe" and "_paused" not in left.data


def test_commands_are_understood_with_typos_and_traditional_characters(sqlite_chat: ChatHarness) -> None:
    assert "哪个乡镇" in sqlite_chat.say("登記")
    sqlite_chat.say("取消")
    assert "哪个乡镇" in sqlite_chat.say("灯记")
    sqlite_chat.say("取消")
    assert "哪个乡镇" in sqlite_chat.say("我要找活")


def test_events_and_media(sqlite_chat: ChatHarness) -> None:
    assert "小助手" in sqlite_chat.say("", kind=Kind.SUBSCRIBE)
    assert "打字" in sqlite_chat.say("", kind=Kind.MEDIA)
    assert "打字" in sqlite_chat.say("", kind=Kind.VOICE)
    assert "哪个乡镇" in sqlite_chat.say("登记", kind=Kind.VOICE)
    reply = sqlite_chat.send("", kind=Kind.LOCATION_REPORT, latitude=29.1, longitude=118.4)
    assert reply is not None and reply.empty
    sqlite_chat.conversation(*HAPPY_PATH[1:])
    reply = sqlite_chat.send("", kind=Kind.UNSUBSCRIBE)
    assert reply is not None and reply.empty
    assert workers(sqlite_chat)[0].subscribed is False


@pytest.mark.parametrize("hostile", ["", "   ", "\x00\x01", "'; DROP TABLE worker; --", "😀" * 500, "字" * 20000,
                                     "<xml><a>1</a></xml>", "%s%s%n", "１２３４５６７８９０" * 50])
def test_odd_input_never_crashes(sqlite_chat: ChatHarness, hostile: str) -> None:
    sqlite_chat.say(hostile)
    sqlite_chat.say("登记")
    reply = sqlite_chat.say(hostile)
    assert reply and "出了点问题" not in reply

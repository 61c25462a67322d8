"""Free answers read by concept, through the real dispatcher (issue 15): several kinds of work in
one sentence, a verb with its object, slips, corrections, trades with no option of their own;
free time said with a "no", the clock or days of the week; how far as places, minutes by 电瓶车/
走路/班车; 修改 in one's own words; a question typed while a list or a question is shown."""

from __future__ import annotations

import pytest
from conftest import ChatHarness
from sqlmodel import Session, select

from handlers.asking import is_question
from storage.models import Worker

ANSWERS = {"town": "华埠", "village": "金星村", "age": "60", "skills": "1", "availability": "1", "travel": "2"}


def register(chat: ChatHarness, **said: str) -> tuple[Worker, list[str]]:
    """Register answering each question with `said` (or a plain default); the replies too."""
    answers = {**ANSWERS, **said}
    replies = chat.conversation("登记", *answers.values(), "1", "1")
    replies.append(chat.say("1"))  # the summary confirmed
    assert "登记好了" in replies[-1], replies
    with Session(chat.engine) as session:
        return session.exec(select(Worker)).one(), replies


@pytest.mark.parametrize("said,codes", [
    ("照顾老人，给人家烧饭带小孩", ["housekeeping"]),  # cooking for a household is a 保姆's work
    ("养了几十只鸭子", ["farm"]),  # a verb and its object with words between
    ("以前在工地搬砖，现在腰不好干不了了，看大门可以", ["security"]),  # work one can no longer do is not kept
    ("会开挖土机", ["machinery"]),  # a word of its concept not in any option's list
    ("会做布鞋，也会编竹篮子", ["handcraft"]),
    ("以前在工地上帮人砌墙", ["construction"]),
    ("装修水电", ["electrician"]),  # the trade, not also the place it is done in
    ("会拍抖音，帮人直播卖过茶叶", ["ecommerce"]),  # what is sold online is no skill of its own
    ("采茶，哦不对，俺主要是做饭", ["cook"]),  # a correction replaces what came before
    ("彩茶，山上种香榧", ["tea", "farm"]),  # a slip by sound
    ("烧烧饭洗洗碗，搞搞卫生", ["cook", "housekeeping"]),
    ("在超市收过银", ["service"]),
])
def test_skills_said_in_ones_own_words(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, skills=said)
    assert sorted(worker.skills) == sorted(codes)
    assert not worker.notes


@pytest.mark.parametrize("said,codes", [
    ("会开叉车，在仓库开了八年", ["machinery"]),  # where one worked is no kind of work beside the trade
    ("开了十几年钩机", ["machinery"]),  # 钩机: the excavator as people here call it
    ("当过炊事员", ["cook"]),  # a synonym from the thesaurus
    ("以前在砖厂", ["factory"]),  # a kind of place by its last character: any 厂 is a factory
])
def test_skills_by_class(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, skills=said)
    assert sorted(worker.skills) == sorted(codes)


@pytest.mark.parametrize("said,codes", [
    ("4，还有工厂", ["handcraft", "factory"]),  # a number from the list, then what the list does not show
    ("1 3 开车也行", ["tea", "housekeeping", "driver"]),
    ("2 厨师", ["farm", "cook"]),
])
def test_numbers_from_the_list_then_words(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, skills=said)
    assert sorted(worker.skills) == sorted(codes)


@pytest.mark.parametrize("said,pick,codes", [
    ("六点到十点", "2", ["evening"]),  # no 早上/晚上: morning or evening
    ("平时都有空", "1", ["anytime"]),  # 平时: weekdays, or usually
    ("平时都有空", "工作日", ["weekdays"]),  # picked by its words
])
def test_an_answer_that_means_two_things_is_asked_about_by_number(
        sqlite_chat: ChatHarness, said: str, pick: str, codes: list[str]) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "60", "1")
    asked = sqlite_chat.say(said)
    assert "您说的是哪种" in asked and "回复 1" in asked and "回复 2" in asked and len(asked) <= 150
    assert "多远" in sqlite_chat.say(pick)
    assert "登记好了" in sqlite_chat.conversation("2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert sorted(worker.availability) == codes and not worker.notes


def test_a_trade_with_no_option_is_kept_in_the_persons_words_not_as_anything_goes(sqlite_chat: ChatHarness) -> None:
    worker, replies = register(sqlite_chat, skills="会修自行车 补胎")
    assert "记下了您的手艺" in replies[4] and "您什么时候有空" in replies[4]  # not asked again
    assert "会做的活：会修自行车 补胎" in replies[8]  # the summary says it back
    assert worker.skills == [] and worker.notes == {"skills": "会修自行车 补胎"}


@pytest.mark.parametrize("said,codes", [
    ("礼拜天不行", ["weekdays"]),  # what a ruled-out option leaves
    ("除了周末都行", ["weekdays"]),
    ("除了农忙，别的时候都可以", ["slack_season"]),
    ("晚上没空", ["daytime"]),
    ("早上8点到11点", ["morning"]),
    ("下午三点以后", ["afternoon"]),  # to the end of the afternoon; the evening is said by name
    ("星期二和星期四", ["weekdays"]),
    ("上午送完孙子，下午要接", ["morning"]),
    ("忙完春茶以后", ["spring_tea"]),
    ("礼拜天要去教堂，别的都行", ["weekdays"]),  # this question's own ways of saying no
    ("除了农忙都有空，晚上不出门", ["slack_season", "daytime"]),
    ("天天都有空就是礼拜六要照顾老伴", ["weekdays"]),  # and 老伴 is no slip for 早班
    ("送完孙子上学到接他放学", ["daytime"]),  # the edges of a day's routine as hours
    ("干到中午", ["morning"]),  # up to an hour, no start: the morning
    ("傍晚五点以后", ["evening"]),  # an hour of the afternoon is not the afternoon
    ("上昼有空，下昼要烧饭", ["morning"]),  # Wu words for the parts of the day
    ("后晌", ["afternoon"]),  # a synonym from the thesaurus
    ("啥时候打电话都来", ["anytime"]),  # any time, said as a clause of its own
    ("周末也可以，随时都行", ["anytime"]),
    ("等稻子割完", ["slack_season"]),  # farm work done
    ("十一月到来年二月", ["slack_season"]),  # months
    ("三四月份", ["spring_tea"]),
    ("上半天，下半天太热", ["morning"]),  # a reason rules a time out
])
def test_free_time_with_a_no_the_clock_or_days(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, availability=said)
    assert sorted(worker.availability) == sorted(codes)


@pytest.mark.parametrize("said,reach", [
    ("骑电瓶车半小时以内", "town"),
    ("走路十来分钟", "village"),
    ("坐班车能到的都行", "county"),
    ("开车一个小时也去", "county"),
    ("华埠马金都可以", "county"),  # another town named: the county
    ("就在华埠", "town"),  # one's own town
    ("县城不去", "town"),  # a "no" after what it rules out
    ("不想跑远", "town"),  # and before it
    ("十里路以内", "town"),
    ("金星村里", "village"),  # one's own village
    ("隔壁几个村", "town"),
    ("本村就行，远了不去", "village"),  # what a "no" leaves counts only when nothing is said outright
    ("不超过半小时", "town"),  # a limit, not a "no"
    ("走路能到的地方，远了走不动", "village"),
    ("两三公里", "village"),  # the larger of two numbers said together, not 23
    ("哪里都不去，就在家", "village"),
    ("村里，远了没车", "village"),  # no car rules the far out
    ("远了勿去，镇上可以", "town"),  # Wu 勿 is 不
])
def test_travel_range_as_places_minutes_and_means(sqlite_chat: ChatHarness, said: str, reach: str) -> None:
    worker, _ = register(sqlite_chat, travel=said)
    assert worker.travel_range == reach


@pytest.mark.parametrize("said,step_question", [
    ("岁数写错了", "多大岁数"), ("远近", "多远"), ("时间", "什么时候有空"), ("手机号", "电话"),
])
def test_change_named_in_ones_own_words(sqlite_chat: ChatHarness, said: str, step_question: str) -> None:
    sqlite_chat.conversation("登记", *ANSWERS.values(), "1", "1")
    assert "改哪一项" in sqlite_chat.say("修改")
    assert step_question in sqlite_chat.say(said)


def test_a_change_named_at_the_summary_goes_straight_to_its_question(sqlite_chat: ChatHarness) -> None:
    assert "请核对" in sqlite_chat.conversation("登记", *ANSWERS.values(), "1", "1")[-1]
    assert "您什么时候有空" in sqlite_chat.say("改一下时间")
    assert "空闲时间：周末" in sqlite_chat.say("周末")


def test_a_question_typed_instead_of_an_answer_is_answered_and_no_miss_counted(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "跳过", "60", "1")
    reply = sqlite_chat.say("今天天气咋样")
    assert "方案里没有提到" in reply and "您什么时候有空" in reply
    assert "没对上" not in reply
    assert "记下了：下午" in sqlite_chat.say("下午")
    assert "登记好了" in sqlite_chat.conversation("2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert worker.availability == ["afternoon"] and not worker.notes


def test_the_same_words_again_after_an_aside_are_an_answer(sqlite_chat: ChatHarness) -> None:
    """"别的也没做过什么" is no question; and words taken for a question once are an answer when
    said again (a question is never asked a third time)."""
    sqlite_chat.conversation("登记", "华埠", "跳过", "60")
    assert "记下了：工厂" in sqlite_chat.say("以前在电子厂流水线做了五年啊别的也没做过什么")
    assert "记下了" not in sqlite_chat.say("晚上干活工资怎么样")
    assert "记下了：晚上" in sqlite_chat.say("晚上干活工资怎么样")


@pytest.mark.parametrize("said,asking", [
    ("别的也没做过什么", False), ("种田呢 采茶呢", False), ("烧饭洗碗这些呢", False),
    ("采茶的工资一天多少呢", True), ("60岁以上还能干活吗", True),
    ("你们这个要收钱不", True), ("上午可以下午不", False),  # 不 at the end asks only when put to us
    ("推送岗位要不要钱的", True), ("培训收不收费用", True), ("去不去都可以的", False),  # A-not-A asks
    ("开叉车要考证吗，哪里能培训", True),  # a question first, more of it after
    ("我想开个奶茶店 创业贷款能贷多少啊", True), ("都行啊", False),  # a particle after the question word
])
def test_an_answer_ending_like_a_question_is_still_an_answer(said: str, asking: bool) -> None:
    assert is_question(said) is asking


def test_a_correction_in_the_same_message_replaces_what_came_before(sqlite_chat: ChatHarness) -> None:
    worker, _ = register(sqlite_chat, age="19 不对 18 还没过生日")
    assert worker.age == 18


def test_an_age_said_with_the_place_is_not_asked_again(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.conversation("登记", "华埠 下溪村 今年六十二")[-1]
    assert "62岁" in reply and "会做哪些活" in reply and "多大岁数" not in reply
    assert "登记好了" in sqlite_chat.conversation("1", "1", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (worker.village, worker.age) == ("下溪村", 62)


def test_free_time_said_with_the_work_is_not_asked_again(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.conversation("登记", "华埠", "跳过", "60", "会采茶 晚上也行")[-1]
    assert "有空：晚上" in reply and "多远" in reply
    assert "登记好了" in sqlite_chat.conversation("2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (worker.skills, worker.availability) == (["tea"], ["evening"])


def test_kinds_of_work_said_to_be_all_fine_are_no_free_time(sqlite_chat: ChatHarness) -> None:
    # "都行" after the work says both kinds are fine; the free-time question is still asked
    reply = sqlite_chat.conversation("登记", "华埠", "跳过", "60", "地里的农活 跟搬搬抬抬 都行")[-1]
    assert "农活" in reply and "搬运" in reply and "什么时候有空" in reply and "有空：" not in reply


def test_a_town_heard_through_an_accent_is_that_town(sqlite_chat: ChatHarness) -> None:
    assert "好的，马金镇" in sqlite_chat.conversation("登记", "我是马京的啊山里头")[-1]


def test_a_question_with_a_number_typed_while_a_list_is_shown_is_answered(sqlite_chat: ChatHarness) -> None:
    assert "哪个乡镇的活" in sqlite_chat.say("找工作")
    reply = sqlite_chat.say("我60多岁了还能找活干吗")
    assert "银龄" in reply and "哪个乡镇的活" not in reply


@pytest.mark.parametrize("said,village", [
    ("我们村叫下溪", "下溪村"), ("我是华民村三组的", "华民村"), ("老家是下溪的", "下溪村"),  # a clerk writes the 村
])
def test_villages_inside_a_sentence_are_kept_clean(sqlite_chat: ChatHarness, said: str, village: str) -> None:
    worker, _ = register(sqlite_chat, village=said)
    assert worker.village == village


def test_where_one_lives_is_no_village_name(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠")
    assert "村名好像不对" in sqlite_chat.say("华埠镇上住")


# --- classes of answers found on new people's words (issue 15, the blind batch) ---------------------
@pytest.mark.parametrize("said,codes", [
    ("啥都不会", ["other"]),  # no trade said with a "no": anything goes
    ("菜茶", ["tea"]),  # two characters that together sound like 采茶
    ("饭", ["cook"]),  # a one-word answer
    ("焊", ["welder"]),
    ("夜里帮厂里看守仓库", ["security"]),  # guarding a warehouse is no porter's work
    ("在货场卸车", ["porter"]),  # unloading a truck is no driver's work
    ("开大巴拉客人", ["driver"]),
    ("会编竹椅子", ["handcraft"]),
    ("挖鸡", ["machinery"]),  # one word that sounds just like 挖机, not 挖+鸡
    ("会开收割机", ["driver"]),  # farm machines are driving
    ("在超市理货", ["porter"]),  # the trade, not also the shop it is done in
    ("学生，暑假打工", ["other"]),  # no trade: anything goes
    ("采茶叶，种点菜", ["tea", "farm"]),  # a verb and its object cut as 种 / 点菜
    ("学校门口看车", ["security"]),  # watching the bicycles is no driving
    ("在酒店洗床单", ["housekeeping"]),
])
def test_skills_told_by_what_one_does_or_in_one_word(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, skills=said)
    assert sorted(worker.skills) == sorted(codes)


def test_a_repair_trade_is_kept_in_the_persons_words(sqlite_chat: ChatHarness) -> None:
    worker, _ = register(sqlite_chat, skills="会修电动车")  # not 驾驶 for the 车 in it
    assert worker.skills == [] and worker.notes == {"skills": "会修电动车"}


@pytest.mark.parametrize("said,codes", [
    ("夜里都行，白天要睡觉", ["evening"]),  # a no said as what one must do then
    ("上午，下午要回家烧饭", ["morning"]),
    ("吃过中饭以后", ["afternoon"]),  # a meal as the edge of the time, on to the end of the afternoon
    ("太阳出来到天黑", ["daytime"]),  # dawn to dusk
    ("两点以后", ["afternoon"]),  # a bare early hour is in the afternoon
    ("早上七八点到中午", ["morning"]),  # 七八点 is no hour 78
    ("礼拜一到礼拜五白天", ["weekdays", "daytime"]),  # days and a part of the day together
    ("农忙过后", ["slack_season"]),  # after the busy season
    ("过了双抢", ["slack_season"]),
    ("田里活干完了", ["slack_season"]),
    ("哪天有活哪天去", ["anytime"]),  # whenever called
    ("啥时候叫都中", ["anytime"]),  # dialect 中 for 行
    ("白天，晚上眼神不好", ["daytime"]),
])
def test_free_time_in_words(sqlite_chat: ChatHarness, said: str, codes: list[str]) -> None:
    worker, _ = register(sqlite_chat, availability=said)
    assert sorted(worker.availability) == sorted(codes)


@pytest.mark.parametrize("said,reach", [
    ("太远不行", "town"),  # the no is the saying's own
    ("出了村就不去", "village"),  # beyond the village is ruled out
    ("县城也中", "county"),
    ("镇上都行", "town"),  # the place is meant, not 都行's "anywhere"
    ("本村都中", "village"),
])
def test_travel_in_words(sqlite_chat: ChatHarness, said: str, reach: str) -> None:
    worker, _ = register(sqlite_chat, travel=said)
    assert worker.travel_range == reach


@pytest.mark.parametrize("said,age", [
    ("属龙的，七十多了", 74),  # the animal and the tens together name one age
    ("虚岁七十八", 77),
    ("零六年的", 20),  # a two-digit birth year of this century
    ("七十六，还要问多少", 76),  # a grumble after the answer is no question instead of it
    ("我64，老伴62", 64),  # one's own number beside another's
    ("七十有三", 73),  # the old way of saying 七十三
])
def test_age_said_the_way_people_say_it(sqlite_chat: ChatHarness, said: str, age: int) -> None:
    worker, _ = register(sqlite_chat, age=said)
    assert worker.age == age


@pytest.mark.parametrize("said", ["属龙的", "七十多", "五十七八", "快七十了", "六七十岁"])
def test_a_rough_age_asks_for_the_exact_one(sqlite_chat: ChatHarness, said: str) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "请说个准数" in sqlite_chat.say(said)


def test_a_rough_age_is_asked_once_more_then_kept_as_said(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    again = sqlite_chat.say("属龙的")
    assert "准数" in again and "多大岁数" in again
    assert "会做哪些活" in sqlite_chat.say("七十四")
    sqlite_chat.conversation("取消", "登记", "华埠", "金星村")
    assert "多大岁数" in sqlite_chat.say("七十多")
    assert "会做哪些活" in sqlite_chat.say("七十多吧")  # not asked a third time
    assert "登记好了" in sqlite_chat.conversation("1", "1", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert worker.age == 71 and worker.notes == {"age": "七十多吧"}


@pytest.mark.parametrize("town,said,want_town,village", [
    ("华埠", "金心村", "华埠镇", "金星村"),  # a slip for a village of one's own town
    ("马金", "霞衫", "马金镇", "霞山村"),
    ("华埠", "桃园村", "华埠镇", "桃园村"),  # sounds like a village of another town: kept, town unchanged
    ("华埠", "下溪", "华埠镇", "下溪村"),  # a clerk writes the 村
])
def test_village_slips_and_short_names(sqlite_chat: ChatHarness, town: str, said: str, want_town: str,
                                       village: str) -> None:
    worker, _ = register(sqlite_chat, town=town, village=said)
    assert (worker.town, worker.village) == (want_town, village)


@pytest.mark.parametrize("said,heard", [("我是下鱼村的", "音坑乡下淤村"), ("长虹高天坑", "长虹乡高田坑村")])
def test_a_misheard_village_named_for_the_town_gives_both(sqlite_chat: ChatHarness, said: str, heard: str) -> None:
    assert f"好的，{heard}" in sqlite_chat.conversation("登记", said)[-1]


@pytest.mark.parametrize("said", ["村就不写了", "不晓得咋写", "先空着", "没得", "就山里头那个小村"])
def test_declining_the_village_in_ones_own_words(sqlite_chat: ChatHarness, said: str) -> None:
    worker, _ = register(sqlite_chat, village=said)
    assert worker.village is None


@pytest.mark.parametrize("said,village", [
    ("镇上 不在村里", None), ("就住镇上 没村", None), ("华埠 就镇里", None),  # the town itself: no village
    ("金星村 人不在村里住了", "金星村"),  # a village named is kept
])
def test_living_in_the_town_itself_is_no_village(sqlite_chat: ChatHarness, said: str, village: str | None) -> None:
    worker, _ = register(sqlite_chat, village=said)
    assert worker.village == village


def test_adding_a_skill_in_a_change_keeps_the_ones_before(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", *ANSWERS.values(), "1", "1")  # skills: 1 (采茶)
    assert "会做哪些活" in sqlite_chat.say("改一下会做的活")
    assert "采茶、搬运" in sqlite_chat.say("再加个搬运")
    assert "登记好了" in sqlite_chat.say("1")
    with Session(sqlite_chat.engine) as session:
        assert sorted(session.exec(select(Worker)).one().skills) == ["porter", "tea"]


@pytest.mark.parametrize(("said", "kept"), [("晚上也能上 饭店夜班", ["afternoon", "evening"]),
                                            ("改成晚上", ["evening"]), ("现在随时都可以了", ["anytime"]),
                                            ("周末也有空", ["afternoon", "weekends"]),
                                            # a new answer of two parts, the second with "too"
                                            ("周末都行 平时晚上也有空", ["evening", "weekends"])])
def test_a_time_said_as_also_in_a_change_is_added(sqlite_chat: ChatHarness, said: str, kept: list[str]) -> None:
    sqlite_chat.conversation("登记", *{**ANSWERS, "availability": "8"}.values(), "1", "1")  # 8: 下午
    assert "什么时候有空" in sqlite_chat.say("时间要改")
    sqlite_chat.say(said)
    assert "登记好了" in sqlite_chat.say("1")
    with Session(sqlite_chat.engine) as session:
        assert sorted(session.exec(select(Worker)).one().availability) == kept


@pytest.mark.parametrize("said,wanted", [("成", True), ("没问题", True), ("没毛病", True), ("甭发了", False),
                                         ("莫发", False), ("👍👍", True), ("👎", False), ("🙅", False)])
def test_push_choice_in_dialect(sqlite_chat: ChatHarness, said: str, wanted: bool) -> None:
    sqlite_chat.conversation("登记", *ANSWERS.values(), said, "1", "1")
    with Session(sqlite_chat.engine) as session:
        assert session.exec(select(Worker)).one().want_job_push is wanted


def test_an_earlier_answer_said_wrong_is_asked_again_then_back_here(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "56", "1")
    again = sqlite_chat.say("岁数说错了")  # a change of mind while free time is asked
    assert "多大岁数" in again and "什么时候有空" not in again
    assert "什么时候有空" in sqlite_chat.say("65")
    assert "登记好了" in sqlite_chat.conversation("1", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (worker.age, worker.skills, worker.availability) == (65, ["tea"], ["anytime"])


def test_an_earlier_answer_put_right_in_the_same_message_is_taken_at_once(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "26")
    again = sqlite_chat.say("不好意思 岁数打反了 是62")  # said while the skills are asked
    assert again.startswith("好的，改过来了。") and "会做哪些活" in again and "多大岁数" not in again
    assert "登记好了" in sqlite_chat.conversation("1", "1", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        assert session.exec(select(Worker)).one().age == 62


def test_the_last_answer_put_right_with_no_question_named_is_that_answer(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "33", "开叉车", "工作日", "本村")
    again = sqlite_chat.say("打错了 不是本村 是全县都行")  # said while job messages are asked
    assert again.startswith("好的，改过来了。") and "要不要发消息" in again
    assert "登记好了" in sqlite_chat.conversation("1", "2", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        assert session.exec(select(Worker)).one().travel_range == "county"


def test_choices_typed_with_the_bots_own_words_are_the_choices(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "45", "开货车")
    assert "愿意去多远" in sqlite_chat.say("回复 随时")
    assert "要不要发消息" in sqlite_chat.say("选3")
    assert "招聘会" in sqlite_chat.say("回复1")
    assert "请核对" in sqlite_chat.say("bu yao 没空去")
    assert "登记好了" in sqlite_chat.say("回复1")
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (worker.travel_range, worker.want_job_push, worker.want_fair_push) == ("county", True, False)


def test_more_said_at_the_next_question_is_added_to_the_answer_before(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "66", "地里的活")
    said = sqlite_chat.say("还有 在家做手工也行 糊纸盒子那种")  # while free time is asked
    assert said.startswith("好的，加上了：来料加工。") and "什么时候有空" in said
    assert "愿意去多远" in sqlite_chat.say("白天")
    said = sqlite_chat.say("还有 周末也行")  # while how far is asked: more free time
    assert said.startswith("好的，加上了：周末。") and "愿意去多远" in said
    assert "登记好了" in sqlite_chat.conversation("1", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (sorted(worker.skills), sorted(worker.availability)) == (["farm", "handcraft"], ["daytime", "weekends"])


@pytest.mark.parametrize(("field", "said", "wanted"), [
    ("空闲时间", "时间写错了，只能晚上。对了会的活再加一个打包员",
     {"availability": ["evening"], "skills": ["factory", "tea"]}),
    ("能去多远", "就本乡吧 跑远了没车。年纪那个也不对 我六九年的", {"travel_range": "town", "age": 57}),
    ("空闲时间", "下午也空的 随时都行。招聘会儿子说去看看 那个提醒要的", {"availability": ["anytime"],
                                                               "want_fair_push": True}),
])
def test_two_answers_changed_in_one_message_at_the_summary_are_both_changed(
        sqlite_chat: ChatHarness, field: str, said: str, wanted: dict[str, object]) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "41", "采茶", "工作日", "全县", "1", "2", "修改", field)
    assert "请核对" in sqlite_chat.say(said)
    assert "登记好了" in sqlite_chat.say("确认")
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    got = {name: sorted(v) if isinstance(v := getattr(worker, name), list) else v for name in wanted}
    assert got == {name: sorted(v) if isinstance(v, list) else v for name, v in wanted.items()}


def test_not_knowing_whether_to_be_reminded_is_no_no(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "41", "采茶", "工作日", "全县", "1")
    assert "要不要提前提醒" in sqlite_chat.say("不知道")
    summary = sqlite_chat.say("那就提醒一下伐")
    assert "请核对" in summary and "招聘会提醒：要" in summary


def test_free_time_said_with_the_work_keeps_every_time_named(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "45")
    assert "有空：周末、晚上。" in sqlite_chat.say("开货车的 B2本 周末 晚上都有空")


def test_work_added_to_the_skills_beside_the_free_time_is_kept_with_both(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "62", "保洁")
    said = sqlite_chat.say("白天 对了刚才会做的活再加一个看大门")  # while free time is asked
    assert said.startswith("好的，加上了：保安。") and "愿意去多远" in said
    assert "登记好了" in sqlite_chat.conversation("2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert (sorted(worker.skills), worker.availability) == (["housekeeping", "security"], ["daytime"])


def test_going_back_said_in_a_sentence_asks_the_question_before(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "30", "仓库分拣")
    assert "会做哪些活" in sqlite_chat.say("dd 返回上一个 漏了一个")  # while free time is asked
    assert "什么时候有空" in sqlite_chat.say("仓库分拣 还有开叉车")
    assert "登记好了" in sqlite_chat.conversation("1", "3", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        assert sorted(session.exec(select(Worker)).one().skills) == ["machinery", "porter"]


def test_the_town_put_right_at_the_village_question_asks_the_village_once_more(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠")
    again = sqlite_chat.say("刚才乡镇打错了，是马金")
    assert "马金镇" in again and "哪个村" in again
    assert "多大岁数" in sqlite_chat.say("霞山村")  # on to the age, not the village a third time
    with Session(sqlite_chat.engine) as session:
        assert session.exec(select(Worker)).first() is None


def test_a_short_question_about_filling_in_is_answered_not_kept_as_the_village(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "长虹")
    reply = sqlite_chat.say("村也要填？")
    assert "跳过" in reply and reply.rstrip().endswith("不想说可以回复“跳过”。")
    assert "多大岁数" in sqlite_chat.say("高田坑")
    assert "登记好了" in sqlite_chat.conversation("68", "1", "5", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        assert session.exec(select(Worker)).one().village == "高田坑村"


def test_a_question_after_an_answer_is_still_answered(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    reply = sqlite_chat.say("我60多了，还能找活吗")  # a question of its own, not a grumble about the form
    assert "银龄" in reply and "多大岁数" in reply


@pytest.mark.parametrize("said,asked", [("乡镇不对", "哪个乡镇"), ("年纪不对，中间改一下", "多大岁数")])
def test_at_the_summary_a_wrong_answer_named_is_no_yes(sqlite_chat: ChatHarness, said: str, asked: str) -> None:
    assert "请核对" in sqlite_chat.conversation("登记", *ANSWERS.values(), "1", "1")[-1]
    reply = sqlite_chat.say(said)  # its 对 and 中 are no agreement
    assert asked in reply and "登记好了" not in reply


def test_at_the_summary_no_change_needed_saves(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", *ANSWERS.values(), "1", "1")
    assert "登记好了" in sqlite_chat.say("不用改了")


@pytest.mark.parametrize("first,second,age,noted", [
    ("属龙的", "七十多了", 74, False),  # two rough answers that fit one age give it
    ("快七十了", "快七十岁了", 69, True),  # a little under said twice: the year before, the words kept
])
def test_two_rough_answers_give_the_age_they_leave(sqlite_chat: ChatHarness, first: str, second: str, age: int,
                                                   noted: bool) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村")
    assert "请说个准数" in sqlite_chat.say(first)
    assert "会做哪些活" in sqlite_chat.say(second)
    assert "登记好了" in sqlite_chat.conversation("1", "1", "2", "1", "1", "1")[-1]
    with Session(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
    assert worker.age == age and bool(worker.notes) == noted


@pytest.mark.parametrize("before,said,guess,pick,after,field,codes", [
    # the rules read 驾驶 (开…车), the guess 叉车 (又 for 叉); the person says which
    (("华埠", "金星村", "60"), "开又车", "挖机", "2", ("1", "2", "1", "1", "1"), "skills", ["driver"]),
    # the rules read 白天 (6 to 17), the guess 下午
    (("华埠", "金星村", "60", "1"), "吃过中饭有空，到五点前", "下午", "1", ("2", "1", "1", "1"), "availability",
     ["afternoon"]),
])
def test_a_reading_the_learned_guess_overrules_is_asked_about_by_number(
        sqlite_chat: ChatHarness, before: tuple[str, ...], said: str, guess: str, pick: str,
        after: tuple[str, ...], field: str, codes: list[str]) -> None:
    sqlite_chat.conversation("登记", *before)
    asked = sqlite_chat.say(said)
    assert "您说的是哪种" in asked and "回复 1" in asked and "回复 2" in asked and len(asked) <= 150
    assert guess in asked.split("回复 1")[1].split("回复 2")[0]
    sqlite_chat.say(pick)
    assert "登记好了" in sqlite_chat.conversation(*after)[-1]
    with Session(sqlite_chat.engine) as session:
        assert getattr(session.exec(select(Worker)).one(), field) == codes


@pytest.mark.parametrize(("said", "field", "value"), [
    ("岁数打反了 是72", "age", 72),
    ("远近改成本乡镇", "travel_range", "town"),
    ("村补一下 是芳村村的", "village", "芳村村"),
    ("招聘会还是不要提醒了", "want_fair_push", False),
    ("再加个农活 地里的活我也会", "skills", ["farm", "tea"]),
    ("周末也加上", "availability", ["weekdays", "weekends"]),
])
def test_a_change_said_at_the_summary_with_its_new_answer_is_taken_at_once(
        sqlite_chat: ChatHarness, said: str, field: str, value: object) -> None:
    sqlite_chat.conversation("登记", *{**ANSWERS, "age": "27", "availability": "2"}.values(), "1", "1")
    summary = sqlite_chat.say(said)
    assert "请核对" in summary and "登记好了" not in summary  # never taken as a yes
    assert "登记好了" in sqlite_chat.say("1")
    with Session(sqlite_chat.engine) as session:
        got = getattr(session.exec(select(Worker)).one(), field)
    assert (sorted(got) if isinstance(got, list) else got) == value

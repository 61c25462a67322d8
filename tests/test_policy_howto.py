"""Questions about the bot itself: answered from its how-to table (by what the person wants to do,
through dialect, Traditional characters and homophone slips) and live data, before the plan; and
the near misses that must still go to the plan, or to no answer at all."""

from __future__ import annotations

import pytest
from conftest import ChatHarness
from test_training import add_course

from bot.outreach.jobs import post_job
from knowledge.policy import PolicyBase
from knowledge.policy.howto import HOWTO_REF, HowToTable
from storage.db import session_scope

NOT_COVERED = "这个问题方案里没有提到"


@pytest.fixture(scope="module")
def kb() -> PolicyBase:
    return PolicyBase.load()


@pytest.mark.parametrize(("question", "told"), [
    ("怎么退定", "回复“退订”"),  # a homophone slip
    ("怎麼退訂？", "回复“退订”"),  # Traditional
    ("天天发消息烦死了，咋不让发", "回复“退订”"),
    ("退订以后又想收消息咋办", "回复“订阅”"),
    ("我手机号换了，怎么改", "选“电话”"),
    ("住的村子写错了咋改", "回复“修改”"),
    ("我爸不会用手机，我能帮他登记找活吗？", "回复“代家人登记”"),
    ("能不能替我妈登记", "回复“代家人登记”"),
    ("想帮家里两个老的都登记上 咋弄", "回复“代家人登记”"),
    ("我奶奶只有老人机 我帮她报个名行不行", "回复“代家人登记”"),
    ("俺咋登记找活嘛", "回复“登记”"),
    ("我七十了能登记吗", "自己登记，回复“登记”"),  # asked for oneself, though it reads like asking for a parent
    ("老人能登记吗", "自己登记，回复“登记”"),
    ("我找到活了 怎么告诉你们", "回复“找到了”"),
    ("我是网格员 村里老人没手机 怎么帮他们登记", "“代村民登记”"),  # staff register villagers in the console
    ("招聘会的提醒俺不要了 招工的照发", "回复“不要招聘会提醒”"),  # one kind of message stopped
    ("只停招工的消息 招聘会的还要", "再选“只停招工消息”"),
    ("银龄那个在哪报名", "回复“银龄”"),
    ("登记填到一半手机没电了 还能接着填吗", "回复“继续”"),
    ("tui ding zen me nong", "回复“退订”"),  # pinyin typed word by word
    ("先别给我发招工的了", "回复“退订”"),
    ("别再给我发招工消息了", "回复“退订”"),
    ("回答太短了，想看政策原文咋办", "回复“详情”"),
    ("看中的活怎么报名", "报名 2"),
    ("报名了咋知道成没成", "找到活了吗"),
    ("我报名的活，怎么查有没有人要我", "找到活了吗"),
    ("我投诉工钱的那个事，怎么查办到哪一步了", "回复“查进度”"),
    ("我老公欠薪那个事交上去好几天了 怎么查进度", "回复“查进度”"),  # 好几天了 is the story, not "how long"
    ("这类消息以后别给我发了", "回复“不需要”"),  # one kind of message, not every push
    ("只想停招工的消息", "回复“退订”"),  # 退订 offers 只停招工消息
    ("更多服务有哪些", "查维权进度"),
    ("维权不想告了怎么撤", "回复“撤回维权”"),
    ("培训课怎么报名", "回复“培训”"),
    ("报了的培训不想去了", "回复“取消报名”"),
    ("招聘会前一天能不能提醒我", "回复“招聘会提醒”"),
    ("下次招聘会啥时候", "每月8日、18日"),
    ("这个礼拜有没有招聘会 我陪我儿子去看看", "每月8日、18日"),
    ("微信和电报怎么绑在一起", "回复“绑定”"),
    ("填到一半不想填了怎么退出", "回复“取消”"),
    ("我的资料能删掉吗", "回复“注销”"),
    ("你能干啥", "回复“菜单”"),
    ("我开饭店的，想招两个洗碗工，在哪发", "县人力资源市场注册"),  # an employer: staff post the job
    ("我们茶厂要招人，用工单位咋登记", "县人力资源市场注册"),
    ("帮我老娘登记", "回复“代家人登记”"),  # a request, not only a question
    ("您好🙏 我想帮我老娘报个名 她不会用手机", "回复“代家人登记”"),
])
def test_questions_about_the_bot_are_answered_from_its_how_to(kb: PolicyBase, question: str, told: str) -> None:
    answer = kb.ask(question)
    assert answer.answered and told in answer.answer, answer.answer
    assert [c.ref for c in answer.citations] == [HOWTO_REF]
    assert len(answer.answer) <= 150


@pytest.mark.parametrize(("question", "told"), [
    ("老给我推消息，能不能让它消停点", "回复“退订”"),
    ("俺那个告老板的事到底弄得咋样了", "回复“查进度”"),
    ("登记的时候会干的活写少了，想加一个", "回复“修改”"),
])
def test_a_question_the_tables_words_miss_is_placed_by_the_learned_guess(
    kb: PolicyBase, question: str, told: str
) -> None:
    assert HowToTable.shipped().find(question) is None  # the slots alone would send it to the plan
    answer = kb.ask(question)
    assert [c.ref for c in answer.citations] == [HOWTO_REF] and told in answer.answer, answer.answer


def test_the_learned_guess_keeps_a_topics_exclusions(kb: PolicyBase) -> None:
    assert HOWTO_REF not in [c.ref for c in kb.ask("失业了怎么登记").citations]  # the plan's 失业登记, not ours


def test_the_learned_guess_reads_questions_not_commands(kb: PolicyBase) -> None:
    assert not kb.about_the_bot("快点快点，登记")  # an impatient 登记, not a question about 代家人登记
    assert not kb.about_the_bot("报名 2")


def test_live_topics_name_what_the_chat_looks_up(kb: PolicyBase) -> None:
    assert kb.ask("培训要钱吗").live == "course_fees"
    assert kb.ask("参加技能培训要不要交钱？").live == "course_fees"
    assert kb.ask("下一场招聘会在哪").live == "fairs"
    assert kb.ask("怎么查我的维权").live == "cases"


@pytest.mark.parametrize("question", [
    "每月几号有招聘会",  # the plan's fixed fairs, not the next one
    "人力资源市场每个月几号有招聘活动？",
    "公益性岗位怎么报名",  # a programme of the plan, not the bot's 报名
    "零工怎么在智享用工上登记",
    "孵化基地在哪，创业培训哪里报名",
    "失业了怎么登记",
    "欠薪案件结案率是多少",
    "工钱被拖了",
    "技能培训一年培训多少人",
    "老人去哪找活",
])
def test_near_misses_still_go_to_the_plan(kb: PolicyBase, question: str) -> None:
    answer = kb.ask(question)
    assert answer.answered and HOWTO_REF not in [c.ref for c in answer.citations], answer.answer


@pytest.mark.parametrize("question", [
    "县里给老人登记吗",  # not someone registering a relative here
    "政府给他登记失业吗",
    "户籍改了要重新登记吗",  # another office's records, not the bot's
    "手机号换了社保怎么改",
    "培训补贴多少钱",  # the plan's subsidy, not a course fee
    "投诉以后多久有结果",  # how long, which the bot cannot tell
    "招工信息在哪发",  # an employer, not someone looking for work
    "难找工作的有啥兜底的办法",  # a plight the plan speaks to, not how to find work here
])
def test_other_matters_are_not_taken_for_the_bot(kb: PolicyBase, question: str) -> None:
    assert HOWTO_REF not in [c.ref for c in kb.ask(question).citations]


@pytest.mark.parametrize("question", [
    "明天开化下雨吗", "养老金什么时候涨", "怎么推定一个人失踪",
    # the table's words (登记, 报名) find a topic; the learned guess knows these are about other matters
    "办结婚登记要带啥证件", "孙女上幼儿园去哪报名",
    "常山县下个月有没有招聘会",  # another county's fairs: the bot knows only the county's own
])
def test_off_topic_questions_are_not_taken_for_the_bot(kb: PolicyBase, question: str) -> None:
    answer = kb.ask(question)
    assert not answer.answered and answer.answer.startswith(NOT_COVERED)


def test_a_slip_is_heard_only_when_half_the_word_is_typed_right() -> None:
    table = HowToTable.shipped()
    assert "退订" in table.read("怎么退丁").heard
    assert "退订" not in table.read("怎么推定").heard  # the same sound, no character in common


# --- in the chat: live data, and questions that start like a command -------------------------------


def test_a_course_fee_question_lists_what_the_courses_cost(sqlite_chat: ChatHarness) -> None:
    add_course(sqlite_chat.engine, "茶艺师培训", skills=["tea"], fee="免费")
    add_course(sqlite_chat.engine, "评茶员培训", skills=["tea"], fee="200元，可申请补贴")
    add_course(sqlite_chat.engine, "电工培训")
    reply = sqlite_chat.say("学手艺收费不")
    assert "茶艺师培训：免费" in reply and "评茶员培训：200元，可申请补贴" in reply and "电工培训：费用没写明" in reply
    assert "出处" not in reply and len(reply) <= 150
    named = sqlite_chat.say("评茶员培训要钱吗")
    assert "评茶员培训：200元" in named and "茶艺师培训" not in named  # the course asked about, alone


def test_a_course_fee_question_without_courses_says_so(sqlite_chat: ChatHarness) -> None:
    assert "最近还没有培训班" in sqlite_chat.say("培训要钱吗")


def test_the_next_fair_question_gives_its_day_time_and_place(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("下次招聘会啥时候")  # the test clock: 10 March
    assert "下一场招聘会：3月18日" in reply and "上午9点" in reply and "在开化县人力资源市场" in reply
    assert "出处" not in reply and len(reply) <= 150


def test_a_question_starting_with_a_command_word_gets_the_how_to(sqlite_chat: ChatHarness) -> None:
    assert "找到活了吗" in sqlite_chat.say("报名了咋知道成没成")
    assert "请先回复“找工作”" in sqlite_chat.say("报名 2")  # the command itself still works


def test_in_a_job_list_a_question_about_applying_does_not_apply(sqlite_chat: ChatHarness) -> None:
    with session_scope(sqlite_chat.engine) as session:
        post_job(session, sqlite_chat.dispatcher.services, {"title": "采茶工", "employer": "示范茶场", "town": "华埠",
                                                            "skills": "采茶", "pay": "150元/天"})
    sqlite_chat.conversation("登记", "华埠", "金星村", "62", "采茶", "1", "2", "1", "1", "1")
    assert "找到1个活" in sqlite_chat.say("找工作")
    sqlite_chat.say("1")  # the job's detail: a bare 报名 would now apply to it
    reply = sqlite_chat.say("报名了咋知道成没成")
    assert "找到活了吗" in reply and "已为您报名" not in reply
    sqlite_chat.say("找工作")
    assert "已为您报名" in sqlite_chat.say("报名 1")  # 报名 with a number still applies


def test_a_how_to_question_runs_no_command(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation("登记", "华埠", "金星村", "62", "采茶", "1", "2", "1", "1", "1")
    assert "回复“退订”" in sqlite_chat.say("怎么退定")
    assert "回复“代家人登记”" in sqlite_chat.say("我爸不会用手机，我能帮他登记找活吗？")
    assert "已退订" not in sqlite_chat.say("我的信息")  # being told how is not being unsubscribed

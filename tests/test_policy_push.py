"""政策找人: rules kept as data, checked periodically and right after a profile changes; a person
who newly qualifies gets one push with the knowledge base's answer and citation, never the same
rule twice, and 不需要 stops that kind of policy for them."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from conftest import ChatHarness
from sqlmodel import Session, col, select

from bot import scheduler
from bot.channels.base import Outcome, PushMessage, SendResult
from bot.delivery import Deliverer
from handlers import policy_push
from handlers.policy_push import check_everyone, rules
from storage import eligibility
from storage.db import session_scope
from storage.models import Outbox, PolicyOptOut, SilverChoice, SilverPlacement, Worker, saved_id

ELDER = ["登记", "华埠", "金星村", "62", "采茶", "1", "3", "1", "1", "1"]
YOUNG = ["登记", "华埠", "金星村", "30", "采茶", "1", "3", "1", "1", "1"]


def policy_rows(chat: ChatHarness) -> list[Outbox]:
    with Session(chat.engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.kind) == eligibility.POLICY_KIND)
                                 .order_by(col(Outbox.id))))


def rule_ids(chat: ChatHarness, status: str | None = None) -> list[str | None]:
    return [eligibility.rule_of_key(r.idempotency_key) for r in policy_rows(chat) if status in (None, r.status)]


def deliver_all(chat: ChatHarness) -> None:
    """What is due goes out through a console 'channel' that accepts everything."""
    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": _Accepting()})
    while asyncio.run(deliverer.run_once()):
        pass


class _Accepting:
    async def send(self, message: PushMessage) -> SendResult:
        return SendResult(Outcome.SENT)


def run_periodic(chat: ChatHarness) -> int:
    with session_scope(chat.engine) as session:
        return check_everyone(session, chat.dispatcher.services)


def test_every_rule_is_data_the_knowledge_base_answers_with_its_measure(sqlite_chat: ChatHarness) -> None:
    services = sqlite_chat.dispatcher.services
    found = rules()
    assert {r.kind for r in found} == set(policy_push.kinds())
    for rule in found:
        texts = policy_push.rule_texts(services, rule)
        assert texts is not None, rule.id
        [text] = texts
        assert text.startswith(rule.say) and f"第{rule.expect}条" in text and "出处" in text and "不需要" in text
        lines = text.split("\n")
        assert len(lines) == 3 and all(len(line) <= 50 for line in lines), text  # short: three lines
        assert "到2025年" not in text and "责任单位" not in text  # what she can do, not the plan's targets


def test_a_rule_the_knowledge_base_cannot_back_is_never_pushed(sqlite_chat: ChatHarness,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = replace(rules()[2], id="silver-wrong", expect="99")
    monkeypatch.setattr(policy_push, "rules", lambda: (wrong,))
    sqlite_chat.conversation(*ELDER)
    assert run_periodic(sqlite_chat) == 0 and policy_rows(sqlite_chat) == []


def test_the_periodic_pass_pushes_each_policy_once_to_whoever_fits(chat: ChatHarness) -> None:
    chat.conversation(*ELDER)
    chat.conversation(*YOUNG, user="young")
    chat.conversation(*ELDER, user="unsubscribed")
    chat.say("退订", user="unsubscribed")
    assert run_periodic(chat) == 1
    assert run_periodic(chat) == 0
    [row] = policy_rows(chat)
    text = row.payload["texts"][0]
    assert eligibility.rule_of_key(row.idempotency_key) == "silver-13"
    assert "数字银龄" in text and "第13条" in text and "回复“银龄”" in text and "零工驿站" in text


def test_profile_changes_are_checked_at_once(chat: ChatHarness) -> None:
    chat.conversation(*YOUNG)
    assert "创业扶持的政策马上发给您" in chat.say("我想创业")
    assert rule_ids(chat) == ["business-loan"]
    assert "以前发给过您" in chat.say("想创业")
    assert rule_ids(chat) == ["business-loan"]
    chat.conversation("我是大学生", "衢州学院", "电子商务", "2025", "就业见习", "1")
    # the graduate service itself is not pushed to someone who has just joined it; the rest fits him
    assert set(rule_ids(chat)) == {"business-loan", "injury-intern"}


def test_not_needed_stops_that_kind_only(chat: ChatHarness) -> None:
    chat.conversation(*ELDER)
    reply = chat.say("干活受伤了")
    assert "看病的单据都留好" in reply and "工伤保险的政策马上发给您" in reply and "我要维权" in reply
    assert rule_ids(chat) == ["silver-13", "injury-21"]  # the change is checked against every rule
    assert "现在没有要停的消息" in chat.say("不需要")  # nothing has reached her yet
    deliver_all(chat)
    stopped = chat.say("不需要")  # answers the policy push she received last
    assert "不再给您发“工伤保险”的政策消息" in stopped
    assert "已经停了" in chat.say("不需要")
    with session_scope(chat.engine) as session:
        worker = session.exec(select(Worker)).one()
        session.add(SilverPlacement(worker_id=saved_id(worker), work="茶厂帮工", placed_on=worker.created_at.date()))
    run_periodic(chat)
    assert "injury-silver" not in rule_ids(chat)  # same kind: stopped too
    assert "silver-13" in rule_ids(chat)  # another kind still comes
    with Session(chat.engine) as session:
        assert session.exec(select(col(PolicyOptOut.kind))).all() == ["injury"]


def test_not_needed_without_a_policy_push_and_inside_a_form(sqlite_chat: ChatHarness) -> None:
    assert "不会给您发消息" in sqlite_chat.say("不需要")
    sqlite_chat.conversation(*YOUNG)
    assert "现在没有要停的消息" in sqlite_chat.say("不需要")
    # in the registration form "不需要" still answers "要不要发消息告诉您"
    summary = sqlite_chat.conversation("登记", "2", "7", "不需要")[-1]
    assert "岗位推送：不要" in summary and "招聘会提醒：要" in summary


def test_someone_not_registered_gets_the_answer_straight_away(sqlite_chat: ChatHarness) -> None:
    reply = sqlite_chat.say("我想创业")
    assert "创业担保贷款" in reply and "回复“登记”" in reply and "第8条" in reply and len(reply) <= 150
    assert "原文" in sqlite_chat.say("详情")  # the plan's own words, cut off for length
    assert policy_rows(sqlite_chat) == []


def test_the_scheduler_runs_the_closed_loop_tasks(sqlite_chat: ChatHarness) -> None:
    # SQLite only: the scheduler adds its own job table, which the shared PostgreSQL test database must not get
    chat = sqlite_chat
    ids = {t.id for t in scheduler.TASKS}
    assert {"course-reminders", "graduate-recommendations", "silver-matching", "policy-push"} <= ids
    chat.conversation(*ELDER)
    running = scheduler.start(chat.engine, chat.dispatcher.services, tasks=[])
    try:
        assert scheduler.policy_task() == 1
        assert scheduler.course_reminders_task() == 0
        assert scheduler.graduates_task() == 0
        assert scheduler.silver_task() == 0
    finally:
        running.shutdown(wait=False)


BUILDER = ["登记", "华埠", "金星村", "45", "粉刷", "1", "3", "1", "1", "1"]


def test_a_push_fits_the_person(chat: ChatHarness) -> None:
    chat.conversation(*BUILDER)
    chat.say("干活受伤了")
    [row] = policy_rows(chat)
    text = row.payload["texts"][0]
    assert eligibility.rule_of_key(row.idempotency_key) == "injury-21" and "报工伤" in text and "12333" in text
    assert not any(word in text for word in ("老年", "见习", "实习", "银龄"))  # he is neither old nor an intern


def test_no_push_about_a_service_just_joined(sqlite_chat: ChatHarness) -> None:
    sqlite_chat.conversation(*ELDER)
    with session_scope(sqlite_chat.engine) as session:
        worker = session.exec(select(Worker)).one()
        session.add(SilverChoice(worker_id=saved_id(worker), kind="work", code="light"))
    run_periodic(sqlite_chat)
    assert "silver-13" not in rule_ids(sqlite_chat)

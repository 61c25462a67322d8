"""WeChat's 5-messages-in-48-hours quota, planned: seven pushes due at once for one person are
ranked and merged, what does not fit waits (shown in the console) and goes when she writes
again; a service message past the window goes as a template message when one is set, and is
never dropped when none is. Real webhook, real delivery worker, the fake WeChat API."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from test_wechat_support import (  # noqa: F401  (fixtures)
    OPENID,
    StartWebhook,
    Webhook,
    fake_api,
    sqlite_webhook_factory,
    staff_for,
    webhook_factory,
)

from bot.delivery import Deliverer
from bot.quota import Due, plan
from bot.senders import open_senders
from storage import outbox
from storage.db import session_scope
from storage.models import ChatAccount, Outbox, Worker, saved_id

ELDER = ["登记", "华埠", "金星村", "66", "采茶", "1", "2", "1", "1", "1"]
NO_QUIET = {"quiet_start": "00:00", "quiet_end": "00:00", "elderly_quiet_start": "00:00", "elderly_quiet_end": "00:00"}
# what falls due for her at once, newest kinds mixed up, as at 09:00 after her quiet hours
SEVEN = [("policy", "政策：60岁以上再就业服务"), ("job", "新活：采茶工"), ("fair", "明天华埠招聘会"),
         ("case", "维权有新进展：调解中"), ("job", "新活：茶厂帮工"), ("silver", "银龄：图书馆管理员"),
         ("course", "培训提醒：明天上午开课")]


async def register(hook: Webhook, lines: list[str] = ELDER) -> None:
    for line in lines:
        assert (await hook.wechat.text(OPENID, line)).status == 200


def queue(hook: Webhook, pushes: list[tuple[str, str]]) -> None:
    with session_scope(hook.engine) as session:
        worker = session.exec(select(Worker)).one()
        outbox.enqueue(session, [outbox.Push(key=f"t:{kind}:{text}", worker_id=saved_id(worker), kind=kind,
                                             texts=(text,)) for kind, text in pushes],
                       now=hook.channel.dispatcher.services.clock())


async def deliver(hook: Webhook) -> None:
    services = hook.channel.dispatcher.services
    async with open_senders(hook.settings, hook.engine) as senders:
        deliverer = Deliverer(hook.engine, services, senders)
        while await deliverer.run_once():
            pass


def rows(hook: Webhook) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with Session(hook.engine) as session:
        for row in session.exec(select(Outbox).order_by(col(Outbox.id))):
            found.setdefault(row.status, []).append(row.payload["texts"][0])
    return found


async def test_seven_due_in_a_window_of_five_are_ranked_merged_and_the_rest_wait(
        webhook_factory: StartWebhook, staff_for: Any) -> None:
    hook = webhook_factory(**NO_QUIET)
    await register(hook)
    before = len(hook.fake.messages_for(OPENID))
    queue(hook, SEVEN)
    await deliver(hook)
    sent = [m.text for m in hook.fake.messages_for(OPENID)[before:]]
    # service messages first, then promotions in rank order, one slot kept back
    assert [s.split("\n")[0] for s in sent] == ["维权有新进展：调解中", "培训提醒：明天上午开课", "明天华埠招聘会",
                                               "银龄：图书馆管理员"]
    assert all(m.kind == "custom" for m in hook.fake.messages_for(OPENID)[before:])
    assert sorted(rows(hook)["waiting"]) == sorted(["政策：60岁以上再就业服务", "新活：采茶工", "新活：茶厂帮工"])
    assert "failed" not in rows(hook)
    listed = staff_for(hook).get("/console/api/waiting").json()["waiting"]
    assert {r["label"] for r in listed} == {"招工", "政策"}
    assert all("48小时内只能发5条" in r["why"] and r["status_label"] == "等本人下次发消息" for r in listed)
    assert "待发消息" in staff_for(hook).get("/console/waiting").text

    await deliver(hook)  # nothing changes until she writes
    assert len(hook.fake.messages_for(OPENID)) == before + 4

    await hook.wechat.text(OPENID, "谢谢")
    await deliver(hook)
    later = [m.text for m in hook.fake.messages_for(OPENID)[before + 4:] if m.kind == "custom"]
    assert len(later) == 2  # the two job pushes merged into one message, then the policy push
    assert "新活：采茶工" in later[0] and "新活：茶厂帮工" in later[0] and "政策" in later[1]
    assert set(rows(hook)) == {"sent"} and len(rows(hook)["sent"]) == 7
    assert staff_for(hook).get("/console/api/waiting").json()["waiting"] == []


async def test_a_service_message_past_the_window_goes_as_a_template(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_template_id="tmpl-service", wechat_template_fields="thing1,thing2", **NO_QUIET)
    await register(hook)
    with session_scope(hook.engine) as session:  # five already sent in this window
        account = session.exec(select(ChatAccount)).one()
        account.window_sends = 5
        session.add(account)
    hook.fake.window_sends[OPENID] = 5
    queue(hook, [("case", "维权有新进展：已解决"), ("job", "新活：采茶工")])
    await deliver(hook)
    [template, job] = [m for m in hook.fake.messages_for(OPENID) if m.kind == "template"]
    assert template.text.startswith("维权有新进展") and "采茶工" in job.text
    assert set(rows(hook)) == {"sent"}


async def test_without_a_template_a_service_message_waits_instead_of_failing(
        sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(**NO_QUIET)
    await register(hook)
    with session_scope(hook.engine) as session:
        account = session.exec(select(ChatAccount)).one()
        account.window_sends = 5
        session.add(account)
    queue(hook, [("case", "维权有新进展：已解决")])
    await deliver(hook)
    assert rows(hook) == {"waiting": ["维权有新进展：已解决"]}
    await hook.wechat.text(OPENID, "查进度")
    await deliver(hook)
    assert rows(hook) == {"sent": ["维权有新进展：已解决"]}
    assert hook.fake.messages_for(OPENID)[-1].text == "维权有新进展：已解决"


def test_the_plan_without_a_quota_sends_everything_in_rank_order() -> None:
    due = [Due(kind, (text,), i) for i, (kind, text) in enumerate(SEVEN)]
    planned = plan(due, room=None, template=False)
    assert [m.items[0].kind for m in planned.now] == ["case", "course", "fair", "silver", "job", "job", "policy"]
    assert planned.waiting == []
    closed = plan(due, room=0, template=False)
    assert closed.now == [] and len(closed.waiting) == 7

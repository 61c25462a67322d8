"""Messages that must arrive do, and stop words stop the right thing, through the real webhook,
the delivery worker, the fake WeChat API and the staff console: 不需要 stops the kind she
received last, 退订 leaves her case updates coming (全部停 stops them, and staff are told so),
暂停一周, the case list and page agree on who can be reached, and 撤回 of one's own case."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from test_quota import ELDER, NO_QUIET, deliver, queue, register, rows
from test_wechat_support import (  # noqa: F401  (fixtures)
    OPENID,
    StartWebhook,
    Webhook,
    fake_api,
    sqlite_webhook_factory,
    staff_for,
    webhook_factory,
)

from storage.models import Outbox, PolicyOptOut, RightsCase, Worker, saved_id

FORM = ["欠工资", "张老板茶厂", "三千五百元", "去年12月", "华埠", "138 1234 5678", "1"]


async def say(hook: Webhook, text: str) -> str:
    posted = await hook.wechat.text(OPENID, text)
    assert posted.status == 200 and posted.reply is not None
    return posted.reply


def worker(hook: Webhook) -> Worker:
    with Session(hook.engine) as session:
        return session.exec(select(Worker)).one()


def case_id(hook: Webhook) -> int:
    with Session(hook.engine) as session:
        return saved_id(session.exec(select(RightsCase)).one())


async def test_not_needed_stops_the_kind_she_received_last(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(**NO_QUIET)
    await register(hook)
    queue(hook, [("silver", "银龄：图书馆管理员，每周两个上午")])
    await deliver(hook)
    with Session(hook.engine) as session:  # a policy push queued later but held back: not what she read
        session.add(Outbox(idempotency_key="policy:injury-21:1", worker_id=1, kind="policy", status="held",
                           payload={"texts": ["工伤保险"]}))
        session.commit()
    stopped = await say(hook, "我不需要")
    assert "银龄岗位" in stopped and "工伤保险" not in stopped
    with Session(hook.engine) as session:
        assert session.exec(select(col(PolicyOptOut.kind))).all() == ["push:silver"]
    hook.fake.user_wrote(OPENID)
    queue(hook, [("silver", "银龄：社区食堂帮厨")])
    await deliver(hook)
    assert rows(hook)["skipped"] == ["银龄：社区食堂帮厨"]

    queue(hook, [("job", "新活：采茶工")])
    await deliver(hook)
    assert "“招工”消息" in await say(hook, "别发了")
    assert worker(hook).want_job_push is False and worker(hook).subscribed is True


async def test_unsubscribe_keeps_case_updates_and_all_stop_tells_staff_the_truth(
        webhook_factory: StartWebhook, staff_for: Any) -> None:
    hook = webhook_factory(**NO_QUIET)
    staff = staff_for(hook)
    await register(hook)
    for line in FORM:
        await say(hook, line)
    stopped = await say(hook, "退订")
    assert "已停止" in stopped and "维权进度" in stopped and "只停招工消息" in stopped and "全部停" in stopped
    queue(hook, [("job", "新活：采茶工")])
    cid = case_id(hook)
    changed = staff.post(f"/console/api/cases/{cid}/status", json={"status": "resolved", "note": "老板已付清"}).json()
    assert changed["notified"] == 1
    before = len(hook.fake.messages_for(OPENID))
    await deliver(hook)
    [told] = hook.fake.messages_for(OPENID)[before:]
    assert "已解决" in told.text and "老板已付清" in told.text
    assert rows(hook)["skipped"] == ["新活：采茶工"]
    detail = staff.get(f"/console/api/cases/{cid}").json()
    assert detail["events"][-1]["message"] == "已送达" and detail["reachable"] is True

    await say(hook, "退订")
    assert "维权进度和培训提醒也不再发" in await say(hook, "2")
    changed = staff.post(f"/console/api/cases/{cid}/status", json={"status": "closed"}).json()
    assert changed["notified"] == 0 and "全部停" in changed["reach"]
    listed = staff.get("/console/api/cases").json()["cases"][0]
    detail = staff.get(f"/console/api/cases/{cid}").json()
    assert (listed["reachable"], listed["reach"]) == (detail["reachable"], detail["reach"]) == (False, changed["reach"])
    assert detail["events"][-1]["message"] == "没有发消息"
    assert "全部停" in staff.get(f"/console/cases/{cid}").text
    assert "也不发" in await say(hook, "我的信息")
    assert "已恢复" in await say(hook, "订阅")
    assert staff.get(f"/console/api/cases/{cid}").json()["reachable"] is True


async def test_a_week_off_holds_promotions_not_service_messages(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(**NO_QUIET)
    await register(hook)
    await say(hook, "退订")
    paused = await say(hook, "暂停一周")
    assert "这一周先不发" in paused
    assert worker(hook).subscribed is True and worker(hook).paused_until is not None
    queue(hook, [("job", "新活：采茶工"), ("course", "培训提醒：明天上午开课")])
    await deliver(hook)
    assert rows(hook) == {"pending": ["新活：采茶工"], "sent": ["培训提醒：明天上午开课"]}
    with Session(hook.engine) as session:
        job = session.exec(select(Outbox).where(col(Outbox.kind) == "job")).one()
        assert job.not_before == worker(hook).paused_until and job.last_error == "本人暂停推送一周"
    assert "暂停到" in await say(hook, "我的信息")


async def test_someone_not_registered_is_unreachable_on_both_case_views(sqlite_webhook_factory: StartWebhook,
                                                                       staff_for: Any) -> None:
    hook = sqlite_webhook_factory(**NO_QUIET)
    staff = staff_for(hook)
    for line in FORM:
        await say(hook, line)
    listed = staff.get("/console/api/cases").json()["cases"][0]
    detail = staff.get(f"/console/api/cases/{listed['id']}").json()
    assert listed["reachable"] is detail["reachable"] is False and "没有登记" in listed["reach"] == detail["reach"]


async def test_a_person_withdraws_their_own_case_after_confirming(sqlite_webhook_factory: StartWebhook,
                                                                  staff_for: Any) -> None:
    hook = sqlite_webhook_factory(**NO_QUIET)
    staff = staff_for(hook)
    assert "没有正在办的维权" in await say(hook, "撤回维权")
    assert "没有登记过就业困难" in await say(hook, "撤回")
    await register(hook, ELDER)
    for line in FORM:
        await say(hook, line)
    asked = await say(hook, "撤回")  # a bare 撤回 from someone with a case means the case
    assert "WQ2026-000001" in asked and "确认撤回" in asked
    assert "照常办理" in await say(hook, "2")
    assert "WQ2026-000001" in await say(hook, "我要撤回维权")
    assert "请回复 1 确认撤回" in await say(hook, "也许吧")
    assert "已撤回维权 WQ2026-000001" in await say(hook, "1")
    detail = staff.get(f"/console/api/cases/{case_id(hook)}").json()
    assert detail["status_label"] == "本人撤回" and detail["events"][-1]["note"] == "本人在聊天里撤回"
    assert "本人撤回" in await say(hook, "我的维权")
    assert "没有正在办的维权" in await say(hook, "撤回维权")

"""The person's own data: 我的信息, 修改, 退订 (with its plain choices) / 订阅, and 注销
(erase) after a confirmation.

退订 stops promotions at once — jobs, fairs, policy — while messages about her own business
(her wage case, a course she joined) still come; she may then choose 只停招工消息, 全部停
(those too) or 暂停一周 instead.
"""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Kind, Reply
from bot.router import Ctx, Router
from handlers import family, registration
from handlers.policy import free_text
from knowledge.text import choice_numbers, compact
from storage import cases
from storage.models import saved_id
from storage.workers import erase_person, set_pushes

router = Router("profile")
erase_flow = router.flow("erase", title="注销")
stop_flow = router.flow("unsubscribe", title="")
STOP_CHOICES = ["只停招工消息", "全部停", "暂停一周"]
PAUSE = timedelta(days=7)

NOT_REGISTERED = "您还没有登记。回复“登记”开始，只要几分钟。"


@router.command("我的信息", "我的资料", "个人信息", "查看信息", "我的登记", menu=(50, "我的信息"))
def my_info(ctx: Ctx) -> Reply:
    worker = ctx.worker
    relatives = family.listing(ctx)  # started last: its numbered choices end the reply
    if worker is None:
        return relatives or Reply.of(NOT_REGISTERED)
    fields = registration.profile_fields(worker)
    status = "" if worker.subscribed else "\n推送：已退订（回复“订阅”恢复）"
    if not worker.service_push:
        status += "\n办事进度（维权、培训提醒）：也不发"
    if worker.subscribed and worker.paused_until and worker.paused_until > ctx.now:
        back = worker.paused_until.astimezone(ctx.services.tz)
        status += f"\n推送：暂停到{back.month}月{back.day}日"
    return Reply.of(f"您的登记信息：\n{registration.describe(fields)}{status}",
                    "回复“修改”改信息，“退订”停止推送，“注销”删除信息。\n"
                    "在另一个聊天软件里也想收到消息？回复“绑定”。") + (relatives or Reply())


@router.command("修改", "修改信息", "改信息", "更改")
def edit(ctx: Ctx) -> Reply:
    if ctx.worker is None:
        return Reply.of(NOT_REGISTERED)
    return registration.edit(ctx)


@router.command("退订", "取消订阅", "不要推送", "不要再发了", "停止推送", "/stop", anytime=True)
def unsubscribe(ctx: Ctx) -> Reply:
    worker = ctx.worker
    if ctx.in_flow:
        ctx.finish()
    if worker is None:
        return Reply.of("您没有登记，我们不会给您发推送。")
    set_pushes(ctx.session, worker=worker, subscribed=False, paused_until=None)
    return ctx.start(stop_flow.name, "choose", None, "好的，已停止给您发招工、招聘会和政策消息。",
                     "您的维权进度、报名的培训提醒，还会照常告诉您。")


def _ask_stop(ctx: Ctx) -> Reply:
    return Reply.of("想换一种停法，请回复编号；不用换就不用回。想恢复，随时回复“订阅”。", choices=STOP_CHOICES)


@stop_flow.step("choose", ask=_ask_stop)
def stop_choice(ctx: Ctx) -> Reply:
    picked = choice_numbers(ctx.text, len(STOP_CHOICES)) or []
    label = next((i for i, c in enumerate(STOP_CHOICES, 1) if compact(ctx.text) == compact(c)), None)
    choice = label or (picked[0] if len(picked) == 1 else None)
    ctx.finish()
    worker = ctx.worker
    if choice is None or worker is None:
        return free_text(ctx)
    if choice == 1:
        set_pushes(ctx.session, worker=worker, subscribed=True, want_job_push=False, paused_until=None)
        return Reply.of("好的，只停招工消息。招聘会提醒和政策消息照常发。")
    if choice == 2:
        set_pushes(ctx.session, worker=worker, subscribed=False, service_push=False, paused_until=None)
        return Reply.of("好的，全部停了，维权进度和培训提醒也不再发消息。",
                        "想看进度，随时回复“查进度”。想恢复，回复“订阅”。")
    until = ctx.now + PAUSE
    set_pushes(ctx.session, worker=worker, subscribed=True, paused_until=until)
    back = until.astimezone(ctx.services.tz)
    return Reply.of(f"好的，这一周先不发招工、招聘会和政策消息，{back.month}月{back.day}日起恢复。",
                    "维权进度、培训提醒照常发。")


@router.command("订阅", "恢复推送", "重新订阅")
def resubscribe(ctx: Ctx) -> Reply:
    worker = ctx.worker
    if worker is None:
        return Reply.of(NOT_REGISTERED)
    set_pushes(ctx.session, worker=worker, subscribed=True, service_push=True, want_job_push=True,
               want_fair_push=True, paused_until=None)
    return Reply.of("好的，已恢复推送。有合适的活和招聘会会告诉您。")


@router.on(Kind.UNSUBSCRIBE)
def unfollowed(ctx: Ctx) -> Reply:
    """The person left the official account: nothing can reach them, so stop everything."""
    if ctx.worker is not None:
        set_pushes(ctx.session, worker=ctx.worker, subscribed=False, service_push=False)
    ctx.account.reachable = False
    ctx.session.add(ctx.account)
    ctx.finish()
    return Reply()


def _open_cases(ctx: Ctx) -> list[str]:
    return [cases.number_of(case) for case in cases.cases_of(ctx.session, account=ctx.account)
            if case.status not in cases.FINISHED]


def _kept_case(numbers: list[str], *, done: bool) -> str:
    """Why an open wage case outlives 注销, and what of it goes."""
    cut = "您的电话已删除，这个账号也查不到它了" if done else "但会删掉您的电话，这个账号也查不到它了"
    return f"维权 {'、'.join(numbers)} 还没办完，留给工作人员继续追讨工资；{cut}。跟进请带编号到县人力社保局。"


@router.command("注销", "删除信息", "删除我的信息", "注销账号")
def erase(ctx: Ctx) -> Reply:
    if ctx.worker is None and not cases.cases_of(ctx.session, account=ctx.account):
        return Reply.of("您没有登记过信息，不用注销。")
    return ctx.start(erase_flow.name, "confirm")


def _ask_erase(ctx: Ctx) -> Reply:
    open_cases = _open_cases(ctx)
    kept = Reply.of(_kept_case(open_cases, done=False)) if open_cases else Reply()
    return (Reply.of("注销后，您的登记信息、报名和聊天记录会全部删除，不能恢复。") + kept
            + Reply.of("确定要注销吗？", choices=["确认注销", "不注销"]))


@erase_flow.step("confirm", ask=_ask_erase)
def erase_confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("1", "确认注销", "确认", "确定", "是"):
        kept = erase_person(ctx.session, account_id=saved_id(ctx.account), worker=ctx.worker,
                            now=ctx.now)
        ctx.forget_worker()
        ctx.finish()
        return Reply.of("已删除您的登记、报名、聊天记录和待发的消息。",
                        *([_kept_case(kept, done=True)] if kept else []),
                        "只留下聊天账号的编号，用来回复您。想找活，随时回复“登记”。")
    if key in ("2", "不注销", "不", "不要", "算了"):
        ctx.finish()
        return Reply.of("好的，您的信息保留不变。")
    return Reply.of("请回复 1 确认注销，或回复 2 不注销。") + _ask_erase(ctx)

"""找到活了吗: a few days after 报名, the person is asked once whether they got the work, with
numbered answers (the list is waiting as their next answer unless they are busy in another
flow) and the same answers as words at any time; the answer is recorded as the outcome."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.jobs import browse
from handlers.menu import main_menu
from handlers.notices import STOP_HINT
from knowledge.text import choice_numbers, compact
from storage import applications as apps
from storage import outbox
from storage.conversations import offer_step
from storage.models import saved_id
from storage.outbox import Push, enqueue

router = Router("followup")
flow = router.flow("followup", title="")
ASK_AFTER = timedelta(days=3)
KIND = "followup"
# light flows people leave open: the question may take their place
_LEFT_OPEN = (browse.name, main_menu.name, flow.name)
CHOICES = ("找到了，已经录用", "没录用", "还没人联系我")
_HIRED = ("找到了", "找到活了", "录用了", "被录用了", "已经录用", "找到工作了", "在干了", "上班了")
_REJECTED = ("没录用", "没被录用", "没要我", "不要我", "没找到", "没找上", "没成")
_WAITING = ("没人联系", "还没人联系", "还没人联系我", "没人联系我", "没联系")


def queue_follow_ups(session: Session, services: Any) -> int:
    """Ask each applicant once, `ASK_AFTER` after 报名, how it went."""
    now = services.clock()
    due = apps.due_follow_ups(session, applied_before=now - ASK_AFTER)
    for row in due:
        text = (f"您前几天报名了“{row.job_title}”，找到活了吗？\n"
                + "\n".join(f"回复 {i} {c}" for i, c in enumerate(CHOICES, 1)) + f"\n{STOP_HINT}")
        enqueue(session, [Push(key=f"followup:{row.application_id}", worker_id=row.worker_id, kind=KIND,
                               ref_id=row.application_id, texts=(text,))], now=now)
        offer_step(session, channel=row.channel, user_id=row.user_id, flow=flow.name, step="answer",
                   data={"application": row.application_id}, replacing=_LEFT_OPEN)
        apps.mark_asked(session, application_id=row.application_id, now=now)
    return len(due)


def _record(ctx: Ctx, application_id: int | None, choice: int) -> Reply:
    ctx.finish()
    if choice == 3:
        return Reply.of("知道了，我们会提醒工作人员和用工单位联系您。也可以回复“找工作”看看别的活。")
    if application_id is not None:
        outcome = apps.HIRED if choice == 1 else apps.REJECTED
        apps.record_outcome(ctx.session, application_id=application_id, outcome=outcome,
                            on=ctx.services.local_now().date(), by="worker", now=ctx.now)
    if choice == 1:
        return Reply.of("恭喜您找到活了！干活注意安全。", "遇到拖欠工资，回复“维权”。")
    return Reply.of("没关系，有新的活我们会第一时间告诉您。", "回复“找工作”看看现在有什么活。")


def _ask(ctx: Ctx) -> Reply:
    return Reply.of("找到活了吗？", choices=list(CHOICES))


@flow.step("answer", ask=_ask)
def answer(ctx: Ctx) -> Reply:
    if not outbox.counts(ctx.session, kind=KIND, ref_id=ctx.data.get("application")).get(outbox.SENT):
        ctx.finish()  # the question has not reached them yet (quiet hours): this answer meant something else
        return Reply.of("没看懂您的意思。回复“菜单”看看能做什么。")
    numbers = choice_numbers(ctx.text, len(CHOICES))
    choice = numbers[0] if numbers else _said(ctx.text)
    if choice is None:
        return Reply.of("请回复 1、2 或 3。") + _ask(ctx)
    return _record(ctx, ctx.data.get("application"), choice)


def _said(text: str) -> int | None:
    key = compact(text)
    for choice, words in ((3, _WAITING), (2, _REJECTED), (1, _HIRED)):
        if any(key.startswith(compact(w)) for w in words):
            return choice
    return None


@router.command(*_HIRED, *_REJECTED, *_WAITING)
def answered_in_words(ctx: Ctx) -> Reply:
    asked = apps.asked_of(ctx.session, worker_id=saved_id(ctx.worker)) if ctx.worker else None
    if asked is None:
        return Reply.of("好的。想找活，回复“找工作”。")
    return _record(ctx, asked.id, _said(ctx.text) or 1)

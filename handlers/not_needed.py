"""不需要 / 别发了: stop the kind of message the person actually received last — that kind of
policy, job pushes, fair reminders, 银龄 offers, recommendations or notices — and nothing
else. A message about her own business (a case, a course she joined) is not stopped this way:
she is told how to end that business instead.
"""

from __future__ import annotations

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.policy_push import STOP_WORD, stop_rule_kind
from storage import eligibility as el
from storage.models import saved_id
from storage.push_kinds import kind_of
from storage.workers import set_pushes

router = Router("not_needed")

EVERYTHING = "不想收任何消息，回复“退订”。"
WISHES = {"job": "want_job_push", "digest": "want_job_push", "fair": "want_fair_push",
          "fair_change": "want_fair_push"}
OWN_BUSINESS = {"case": "这是您维权的进展，办完之前都会告诉您。不想维权了，回复“撤回维权”。",
                "course": "这是您报名的培训的提醒。不去了，回复“取消报名”。"}


@router.command(STOP_WORD, "我不需要", "不需要了", "不要这类消息", "不要这个消息", "别发了", "别再发了", "这个不需要",
                "不用发了", "别发这个了")
def not_needed(ctx: Ctx) -> Reply:
    step = ctx.current_step()
    if ctx.flow_title() and step is not None:
        return step.answer(ctx)  # inside a form "不需要" answers its question (登记: 要不要推送)
    worker = ctx.worker
    if worker is None:
        return Reply.of("您没有登记，我们不会给您发消息。")
    last = el.last_received(ctx.session, worker_id=saved_id(worker))
    if last is None:
        return Reply.of("现在没有要停的消息。", EVERYTHING)
    if last.kind == el.POLICY_KIND:
        return stop_rule_kind(ctx, el.rule_of_key(last.idempotency_key))
    if last.kind in OWN_BUSINESS:
        return Reply.of(OWN_BUSINESS[last.kind], EVERYTHING)
    label = kind_of(last.kind).label
    if last.kind in WISHES:
        set_pushes(ctx.session, worker=worker, **{WISHES[last.kind]: False})
    elif not el.opt_out(ctx.session, worker_id=saved_id(worker), kind=el.push_opt_out(last.kind), now=ctx.now):
        return Reply.of(f"“{label}”消息已经停了。", EVERYTHING)
    return Reply.of(f"好的，以后不再给您发“{label}”消息，其他消息照常。", EVERYTHING)

"""Policy questions (问政策): answered from the county's employment plan with the measure and
the responsible departments, or an honest "方案里没有提到"; free text nobody else took is
tried as a question too."""

from __future__ import annotations

from bot.messages import Reply
from typing import TYPE_CHECKING

from bot.router import Ctx, Router
from handlers import more  # (more also answers through free_text: a module import, not a name)
from storage.questions import log_question

if TYPE_CHECKING:
    from bot.services import Services

router = Router("policy")
asking = router.flow("policy", title="")  # a light flow: any command ends it

MAX_QUESTION = 200


@router.warm_up
def _load_knowledge_base(services: Services) -> None:
    services.policy.ask("创业贷款能贷多少")  # loads the index, jieba and the question reader


@router.command("问政策", "政策", "政策咨询", "咨询政策", "问问题", "我要问", menu=(40, "问政策"))
def start(ctx: Ctx) -> Reply:
    return ctx.start(asking.name, "ask", None)


def _ask(ctx: Ctx) -> Reply:
    return Reply.of("请直接打字提问，比如：创业贷款能贷多少？60岁以上还能找活吗？\n问完回复“菜单”回到主菜单。")


def answer(ctx: Ctx) -> Reply:
    question = ctx.text[:MAX_QUESTION]
    result = ctx.services.policy.ask(question)
    log_question(ctx.session, question, result.answered, ctx.now)
    return Reply.of(result.answer)


@asking.step("ask", ask=_ask)
def ask(ctx: Ctx) -> Reply:
    return answer(ctx)


@router.fallback
def free_text(ctx: Ctx) -> Reply:
    if ctx.in_flow:
        return Reply.of("没看懂这个回答。") + ctx.ask()
    if not ctx.text.strip():
        return Reply.of("请打字告诉我您想做什么，回复“菜单”看看我能帮什么。")
    routed = more.asked_for(ctx)  # "我60多了还能找活吗": the service itself, with the plan's line
    if routed is not None:
        return routed
    return answer(ctx) + Reply.of("回复“菜单”看看我还能帮什么。")

"""Policy questions (问政策): answered from the county's employment plan with the measure and
the responsible departments, or an honest "方案里没有提到"; free text nobody else took is
tried as a question too. Questions about using the bot itself get its own how-to first, with the
live data they ask for (the next fair, what the courses cost, the person's own rights cases); a question that
is really a request gets the next step offered as numbered choices from the main menu."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.messages import Reply
from bot.router import Ctx, Handler, Router
from handlers import fairs, jobs, rights, training
from handlers.more import asked_for
from knowledge.policy import Answer
from knowledge.text import choice_numbers, compact
from storage.questions import log_question

if TYPE_CHECKING:
    from bot.services import Services

router = Router("policy")
asking = router.flow("policy", title="")  # a light flow: any command ends it
next_steps = router.flow("policy_next", title="")

MAX_QUESTION = 200
NEXT_STEP = "接下来您可以："
MENU_HINT = "回复“菜单”看看我还能帮什么。"

# What the chat looks up live for a how-to topic (the topic names it in knowledge/data/policy_howto.json).
LIVE: dict[str, Callable[[Ctx], Reply]] = {
    "fairs": fairs.next_fair,
    "course_fees": training.fees,
    "cases": rights.progress,
}
# How-to topics the chat answers by doing it, each registered by the handler that does it: "宝妈能登记吗",
# "怎么注册" start the registration at once, "帮没有微信的奶奶登记一下" the registration of a relative.
DONE_AT_ONCE: dict[str, Handler] = {}


def done_at_once(topic: str) -> Callable[[Handler], Handler]:
    """Register the handler that does what the how-to topic tells how to do."""
    def register(fn: Handler) -> Handler:
        DONE_AT_ONCE[topic] = fn
        return fn
    return register


@router.warm_up
def _load_knowledge_base(services: Services) -> None:
    services.policy.ask("创业贷款能贷多少")  # loads the index, jieba and the question reader


@router.command("问政策", "政策", "政策咨询", "咨询政策", "问问题", "我要问", menu=(40, "问政策"))
def start(ctx: Ctx) -> Reply:
    return ctx.start(asking.name, "ask", None)


def _ask(ctx: Ctx) -> Reply:
    return Reply.of("请直接打字提问，比如：创业贷款能贷多少？60岁以上还能找活吗？\n问完回复“菜单”回到主菜单。")


def answer(ctx: Ctx, hint: str = "") -> Reply:
    question = ctx.text[:MAX_QUESTION]
    result = ctx.services.policy.ask(question)
    log_question(ctx.session, question, result.answered, ctx.now)
    if result.topic:
        return _how_to(ctx, result)
    offered = [label for label in result.next_steps if any(m.label == label for m in ctx.menu)]
    if offered:
        return ctx.start(next_steps.name, "pick", {"steps": offered}, *result.sources_first())
    return Reply.of(*result.sources_first(), hint)


def _how_to(ctx: Ctx, result: Answer) -> Reply:
    """The how-to text, then the live data it is about (the next fair, the courses' fees, the cases);
    or, for what the chat can do at once, that done."""
    if result.topic in DONE_AT_ONCE:
        return DONE_AT_ONCE[result.topic](ctx)
    lookup = LIVE.get(result.live)
    return Reply.of(result.answer) + lookup(ctx) if lookup else Reply.of(result.answer)


def _ask_next(ctx: Ctx) -> Reply:
    return Reply.of(NEXT_STEP, choices=ctx.data.get("steps", []))


@next_steps.step("pick", ask=_ask_next)
def pick_next(ctx: Ctx) -> Reply:
    """A number or label runs that menu item; anything else is a new question."""
    steps: list[str] = ctx.data.get("steps", [])
    numbers = choice_numbers(ctx.text, len(steps))
    label = ctx.text if ctx.text in steps else (steps[numbers[0] - 1] if numbers else None)
    item = next((m for m in ctx.menu if m.label == label), None)
    if item is None and compact(ctx.text).isdigit():
        return Reply.of("没有这个编号。") + ctx.ask()
    ctx.finish(keep_paused=True)
    return item.handler(ctx) if item else answer(ctx, MENU_HINT)


@asking.step("ask", ask=_ask)
def ask(ctx: Ctx) -> Reply:
    return answer(ctx)


_NUMBERS_ONLY = re.compile(r"[0-9０-９]+(?:[\s,，、.。]+[0-9０-９]+)*[.。]?")


@router.fallback
def free_text(ctx: Ctx) -> Reply:
    if ctx.in_flow:
        return Reply.of("没看懂这个回答。") + ctx.ask()
    if not ctx.text.strip():
        return Reply.of("请打字告诉我您想做什么，回复“菜单”看看我能帮什么。")
    if _NUMBERS_ONLY.fullmatch(ctx.text.strip()):  # "2" after the list it answered is gone: no question
        return Reply.of("现在没有要选的编号。回复“菜单”看看我能帮什么。")
    if jobs.wishes_for_work(ctx.text):  # "俺想找点活": the job list, not a policy answer or how to get it
        return jobs.find_jobs(ctx)
    if ctx.services.policy.about_the_bot(ctx.text):  # "怎么查我的维权": the bot's how-to and live data
        return answer(ctx, MENU_HINT)
    routed = asked_for(ctx)  # "我60多了还能找活吗": the plan's line, and the service offered
    if routed is not None:
        return routed
    return answer(ctx, MENU_HINT)

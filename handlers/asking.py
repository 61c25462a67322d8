"""How a flow asks its questions: a question typed instead of an answer is answered and the
question asked again, and an answer not understood twice is kept in the person's own words for
staff while the flow moves on (no question is asked a third time); the same words taken for a
question once are an answer when said again. Registration and 称呼/电话 share it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.messages import Reply
from bot.reply_length import LIMIT
from bot.router import Ctx, Flow, Handler
from handlers import misses, policy
from knowledge.text import compact

NOTE_MAX = 100
RESUME = "我们接着登记。"
# "能贷多少啊", "来料加工是做什么的", "农闲时啥意思", "到县城的班车几点有", "农闲时是指哪几个月"
_QUESTION = re.compile(r"(吗|呢|么|咋样|怎么样|如何|多少|多少钱|几点有?|是[做干]?(?:什么|啥)的?|(?:什么|啥)意思|[?？]"
                       r"|(?:是指|指的是)(?:哪|什么|啥)[^都也\s]{0,5})[啊呀哈嘛]?$")
# "县城的招聘会几号开", "培训啥时候开始", "招聘会在哪办": when or where something is held, asked at the end
# (not "什么时候都行", nor "啥时候叫我啥时候去": a question word said twice is "whenever")
_WHEN_HELD = re.compile(r"^(?!.*(?:什么|啥)时候.*(?:什么|啥)时候)"
                        r".*(?:几号|哪天|哪一天|几月几号|(?:什么|啥)(?:时候|辰光)|在哪里?|在哪儿)"
                        r"(?:开|办|举办|开始|召开|报名)[啊呀哈嘛呢的]?$")
# "别的也没做过什么", "也不会啥": 什么/啥 after a no is "anything", not a question
_NOTHING_ELSE = re.compile(r"[没不]\S{0,4}(什么|啥)$")
# "种田呢 采茶呢", "烧饭洗碗这些呢": 呢 that lists things one does, not a question
_LISTING = re.compile(r"呢.*呢$|(?:这些|那些|之类|这种|那种|什么的)呢$")
# "失业金怎么领", "种粮补贴咋领", "证明去哪办": how to get or do something, asked at the end
_HOW_TO_GET = re.compile(r"(?:怎么|咋|如何|去哪|在哪|哪里)(?:样|个)?(?:才能)?(?:领|办|申请|报名?|交|查|拿|登记|退)"
                         r"[^，,。\s]{0,2}$")
QUESTION_MIN = 6  # "白天行吗" is an answer; "60岁以上还能干活吗" is a question
# "要钱伐", "收费吗": however short, a question about money is one (no answer to any question here)
_ABOUT_MONEY = re.compile(r"(?:要|收|交|花|给)(?:钱|费)|收费|多少钱|工钱|工资")
# "你们这个要收钱不": a yes-or-no question put to us, 不 or 没有 at its end
_ASKED_OF_US = re.compile(r"^[^，,。]*(?:你们|你)[^，,。]*(?:不|没有?)$")
# "推送岗位要不要钱的", "培训收不收费": a yes-or-no question asked as A-not-A in the last clause
# ("去不去都行" is an answer)
_A_NOT_A = re.compile(r"(\S)[不没]\1[^，,。都也]{0,8}$")
# "写行政村还是自然村啊", "填户口的还是住的": which of two to put on the form
_WHICH_TO_FILL = re.compile(r"[写填][^，,。\s]{0,8}还是[^，,。\s都也吧]{1,8}[啊呀呢嘛?？]?$")
# "开叉车要考证吗，哪里能培训", "最远是多远？我没车": a question first, more of it after
_ASKED_FIRST = re.compile(r"[吗么][?？]?[，,。\s]+\S|[?？][，,。\s]*[^\s?？]")


def understood(ctx: Ctx, step: str, field: str | None = None) -> None:
    """The step understood its answer: its misses (handlers/misses.py) are forgotten, and so is an older note on
    the field (a changed answer in 修改 replaces the words kept before)."""
    (ctx.data.get("misses") or {}).pop(step, None)
    notes = ctx.data.get("notes")
    if field and notes and field in notes:
        ctx.data["notes"] = {k: v for k, v in notes.items() if k != field} or None


def note(ctx: Ctx, field: str, words: str) -> None:
    """Keep the person's own words beside a structured answer, for staff to read."""
    ctx.data["notes"] = {**(ctx.data.get("notes") or {}), field: words[:NOTE_MAX]}


def kept(understood_part: str) -> str:
    """What is said after a second miss: the words are kept, and what was understood."""
    return f"您的原话已记下，工作人员会看。{understood_part}"


# "七十六，还要问多少": an answer first, then a grumble about the form itself (not a question
# of its own, as "我60多了，还能找活吗" is)
_FIRST_CLAUSE = re.compile(r"^([^，,。.！!？?\s]+)[，,。.！!\s]+(\S.*)$")
_ASKING = re.compile(r"问|请|想知道|咨询|打听")
_ABOUT_THE_FORM = re.compile(r"问|填|写|登记|完|几个(?![月小钟地村乡镇])|多少个")
_FILLING = re.compile(r"[要得必]填|[要得]写|填不填|写不写")


# "就是在家串珠子那种？那要 4": a question, then the answer it settled, by number
_ANSWERED_AFTER = re.compile(r"[?？][，,。\s]*(?:那|那就|那我)?(?:就|还是)?(?:要|选|填|写)?\s*\d{1,2}[个号]?[吧啊]?$")


def is_question(text: str) -> bool:
    """A question typed instead of an answer; not an answer with a grumble after it, nor a question
    answered at once by number."""
    said = text.strip()
    if _ANSWERED_AFTER.search(said):
        return False
    asked = _QUESTION.search(said) or _ASKED_OF_US.search(said) or _A_NOT_A.search(said) \
        or _ASKED_FIRST.search(said) or _HOW_TO_GET.search(said) or _WHICH_TO_FILL.search(said) \
        or _WHEN_HELD.search(said)
    # "村也要填？": however short, a question about filling in the form is one
    short = len(compact(text)) < QUESTION_MIN and not (said.endswith(("?", "？")) and _FILLING.search(said)) \
        and not _ABOUT_MONEY.search(said)
    if short or not asked or _NOTHING_ELSE.search(said) or _LISTING.search(said):
        return False
    first = _FIRST_CLAUSE.match(text.strip())
    grumble = first and not (_QUESTION.search(first.group(1)) or _ASKING.search(first.group(1))) \
        and _ABOUT_THE_FORM.search(first.group(2))
    return not grumble


def leave(ctx: Ctx) -> Reply:
    """End a light flow (one that may be left at any time) and answer the text as free text is."""
    ctx.finish()
    return ctx.fallback(ctx)


# "等一下", "稍等 在卸货", "等下 领导来了", "让我想想": asked to wait, with at most what keeps one busy
# "等一下 我问问我儿子我们是几组", "我让孙女看一下", "我找下身份证": gone to ask someone or fetch something
_ERRAND = (r"(?![^吗呢?？]*[吗呢?？])(?:我|俺)(?:(?:问问|问下|问一下|去问)(?![你您])|找下|找一下|去找|去拿|拿下"
           r"|让\S{1,6}(?:看一?下|看看|来看))\S{0,14}")
_WAIT = re.compile(r"^(?:(?:稍等|等一?下|等等|等会儿?|等一会儿?|让?我想想|想一想)[一下吧啊哈嘛呀]*"
                   r"(?:(?:我|俺)?(?:在|正在|忙)\S{0,6}|领导\S{0,4}|有人\S{0,4}|马上\S{0,3}|我?想想"
                   rf"|(?:我|俺)?(?:叫|喊|戴)\S{{0,12}}|{_ERRAND})?|{_ERRAND})$")
# "还有几个问题啊 我在工地上", "还要多久", "怎么这么多问题": how many questions are left
_HOW_MANY_LEFT = re.compile(r"^(?:那|哎呀?|唉)?(?:还有|一共|总共|到底)?(?:几个|多少个?)问题"
                            r"|^还要(?:多久|多长时间|问多少|问几个)|^(?:怎么|咋)?(?:这么|那么)多问题"
                            r"|^(?:问)?(?:完|好)了没有?[啊呀吗啦]?$|^(?:啥|什么)时候(?:问)?完")  # not "好了没问题"
SUMMARY = "confirm"  # the step of a form that shows all answers to be checked


def _left_after(ctx: Ctx, flow: Flow, name: str) -> str:
    """How many questions come after this one, told plainly: "快好了！这个答完还有3个问题，最后核对一下。"."""
    if ctx.data.get("return_to") or name == SUMMARY:
        return "快好了！这个答完就好。"
    steps = list(flow.steps)
    after = steps[steps.index(name) + 1:]
    questions = after[:after.index(SUMMARY)] if SUMMARY in after else after
    if not questions:
        return "快好了！这是最后一个问题。"
    check = "，最后核对一下" if SUMMARY in after else ""
    return f"快好了！这个答完还有{len(questions)}个问题{check}。"


def _asked_again(ctx: Ctx, ask: Handler, said: Reply, resume: Reply) -> Reply:
    """What was said, then the question again after `resume`; when all would be too long to take in
    at once ("来料加工是做什么的" at the list of skills), the list was just shown, so what was said gets
    the room and the question is asked again in one short line without it."""
    again = ask(ctx)
    if again.choices and len((said + resume + again).as_text()) > LIMIT:
        asked = again.texts[-1].split("？")[0] if again.texts else ""
        return said + Reply.of(f"{RESUME[:-1]}：{asked}？回复上面的编号，或直接打字。")
    return said + resume + again


# the words of the bot's own lists typed back before a choice ("回复 1 要" → "回复1")
_ECHOED = re.compile(r"^\s*(?:回复|选择?|我选|就选|回(?=\s*\d))\s*(?=\S{1,8}$)")


def step(flow: Flow, name: str, *, ask: Handler, accepts_location: bool = False, declinable: bool = False,
         explain: Callable[[Ctx], Reply | None] | None = None) -> Callable[[Handler], Handler]:
    """A step whose answer handler first lets a question typed meanwhile through, no miss
    counted: in a form (a titled flow) it is answered and the same question asked again; a
    light flow is left and the question answered as any free text is. `explain` answers a
    question about the step's own options ("农闲时是啥意思") before the policy answers do."""

    def register(answer: Handler) -> Handler:
        def answer_or_aside(ctx: Ctx) -> Reply:
            if echoed := _ECHOED.match(ctx.text):  # "回复1", "选2", "回复 随时": the choice itself
                ctx = replace(ctx, update=replace(ctx.update, text=ctx.text[echoed.end():]))
            if _WAIT.match(compact(ctx.text)):  # "等一下", "稍等 在卸货": no answer yet, and no miss
                return Reply.of("好的，不着急，您先忙。") + ask(ctx)
            # the same words again at this step after they were answered aside: an answer, not a question
            aside = f"{name}:{compact(ctx.text)}"
            if _HOW_MANY_LEFT.match(compact(ctx.text)) and ctx.data.get("aside") != aside:
                ctx.data["aside"] = aside  # "还有几个问题啊": how far along, and no miss (once: never a trap)
                return _asked_again(ctx, ask, Reply.of(_left_after(ctx, flow, name)), Reply())
            meaning = explain(ctx) if explain and ctx.data.get("aside") != aside else None
            if ctx.data.get("aside") == aside:
                # answered aside, then sent again: it was an answer, and the question's second asking
                # is spent, so a miss now moves on instead of asking a third time
                misses.missed(ctx, name)
                return answer(ctx)
            if not (meaning or is_question(ctx.text)):
                return answer(ctx)
            ctx.data["aside"] = aside
            if not flow.title:
                return leave(ctx)
            answered = meaning or policy.answer(ctx)
            if not answered.as_text().strip():  # nothing to say to it as a question: it is an answer
                return answer(ctx)
            return _asked_again(ctx, ask, answered, Reply.of(RESUME))

        flow.step(name, ask=ask, accepts_location=accepts_location, declinable=declinable)(answer_or_aside)
        return answer

    return register

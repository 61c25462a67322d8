"""Finding every service: 更多服务 (the main menu's last item, and the official account's menu)
lists 银龄, 我是大学生, 困难帮扶, 查维权进度, 帮家人登记 and the rest; and free text that asks for a service
("我60多了还能找活吗", "有没有公益性岗位", "怎么查我的维权") leads into it, with the plan's line
on it first, instead of only a plan excerpt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.messages import Reply
from bot.router import Ctx, Handler, Router
from handlers import graduates, hardship, rights, silver
from knowledge.text import arabize, choice_numbers, compact

router = Router("more")
more_flow = router.flow("more", title="")  # a light flow: any command ends it


@dataclass(frozen=True)
class Service:
    label: str
    handler: Handler
    asks: re.Pattern[str]  # free text asking for it
    line: str  # what the plan says, one short line with its measure ("" when there is none)


def _for_family(ctx: Ctx) -> Reply:
    from handlers import family  # imported here: its steps answer asides through policy, which imports us

    return family.start(ctx)


_OLD = r"(?:[6-9]\d|六十|七十)(?:多|来|几|出头)?岁?|老人|老年|上了?年纪|岁数大|退休"
_WORK = r"找.{0,2}活|干.?活|活干|的活|有活|找.{0,2}工作|打工|上班|做.{0,2}事|事做|[挣赚].{0,3}钱|有人要"
SERVICES = (
    Service("银龄（60岁以上找活、学东西）", silver.start,
            re.compile(f"(?:{_OLD}).*(?:{_WORK})|(?:{_WORK}).*(?:{_OLD})"),
            "能！县里有“数字银龄”服务，专门帮60岁以上的老人找轻松活、学技术、做公益（县就业方案第13条）。"),
    Service("我是大学生（见习、指导、推荐）", graduates.start,
            re.compile(r"(?:大学生|毕业|回乡).*(?:找.{0,2}工作|就业|见习|实习|工作)"),
            "回乡大学生县里管：1次职业指导、3次岗位推荐、1次技能培训（县就业方案第14条）。"),
    Service("困难帮扶（公益性岗位）", hardship.start,
            re.compile(r"公益性?岗|困难户|就业困难|低保.*(?:工作|找活)"),
            "县里每年开发公益性岗位，优先安排就业困难的人（县就业方案第15条）。"),
    Service("查维权进度", rights.progress,
            re.compile(r"(?:查|看|问).*(?:维权|欠薪|讨薪|案件)|(?:维权|欠薪|讨薪|案件).*(?:进度|怎么样了|到哪)|我的维权"),
            ""),
    Service("帮家人登记（家里人没有微信）", _for_family,
            re.compile(r"[帮替给代].{0,3}(?:爸|妈|父母|老人|家里人|家人|老伴|爷爷|奶奶).{0,4}(?:登记|注册|报名)"
                       r"|(?:爸|妈|父母|老人|老伴|爷爷|奶奶).{0,4}(?:没有|没|不会用?)微信"),
            ""),
)
EXTRA = (("见习基地", graduates.internship_bases), ("残疾人之家", hardship.homes), ("撤回维权", rights.withdraw))


def _labels() -> list[str]:
    return [s.label for s in SERVICES] + [label for label, _ in EXTRA]


def _handlers() -> list[Handler]:
    return [s.handler for s in SERVICES] + [h for _, h in EXTRA]


@router.command("更多服务", "更多功能", "其他服务", "还有什么服务", "全部服务", menu=(90, "更多服务"))
def more(ctx: Ctx) -> Reply:
    return ctx.start(more_flow.name, "pick", None)


def _ask_pick(ctx: Ctx) -> Reply:
    return Reply.of("还能帮您办这些：", choices=_labels())


@more_flow.step("pick", ask=_ask_pick)
def pick(ctx: Ctx) -> Reply:
    labels = _labels()
    picked = choice_numbers(ctx.text, len(labels)) or []
    by_label = next((i for i, label in enumerate(labels) if compact(ctx.text) == compact(label)), None)
    index = by_label if by_label is not None else (picked[0] - 1 if len(picked) == 1 else None)
    ctx.finish(keep_paused=True)
    if index is None:
        return asked_for(ctx) or Reply.of("请回复前面的编号。") + more(ctx)
    return _handlers()[index](ctx)


def asked_for(ctx: Ctx) -> Reply | None:
    """A service the free text asks for: the plan's line on it, then the service offered as a
    numbered choice (a question is answered first, not turned into a form); None when it names none."""
    key = compact(arabize(ctx.text))
    for index, service in enumerate(SERVICES):
        if service.asks.search(key):
            if not service.line:
                return service.handler(ctx)
            return ctx.start(more_flow.name, "offer", {"service": index}, service.line)
    return None


def _ask_offer(ctx: Ctx) -> Reply:
    label = SERVICES[ctx.data["service"]].label.split("（")[0]
    return Reply.of("要现在办吗？", choices=[f"办{label}", "先不用"])


@more_flow.step("offer", ask=_ask_offer)
def offer(ctx: Ctx) -> Reply:
    service = SERVICES[ctx.data["service"]]
    picked = choice_numbers(ctx.text, 2) or []
    key = compact(ctx.text)
    ctx.finish(keep_paused=True)
    if picked == [1] or key in ("好", "好的", "要", "办", "嗯", "行", "可以") \
            or key == compact(f"办{service.label.split('（')[0]}"):
        return service.handler(ctx)
    if picked == [2] or key in ("不用", "先不用", "不要", "算了"):
        return Reply.of("好的。想办的时候，回复“更多服务”。")
    return ctx.fallback(ctx)  # something else typed: answered as free text is

"""Registration (登记) as a flow: town, village, age, skills, free time, travel range, push
choices, then a summary to confirm. The same steps serve 修改 for one answer. An answer given
ahead of its question (an age with the place, free time with the work) fills that question."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bot.messages import Reply
from bot.router import Ctx, Handler, Router
from handlers import asking, contact, meanings, misses, policy, silver
from knowledge import answers, free_time_guess, skill_guess, taxonomy
from knowledge.ages import MAX_AGE, MIN_AGE, read_age
from knowledge.places import village_key
from knowledge.text import arabize, choice_numbers, compact, corrected, normalize, pinyin_key
from storage.models import Worker

router = Router("registration")
flow = router.flow("registration", title="登记")
router.warm_up(lambda services: skill_guess.guesser())  # trained in a few seconds: not in a person's first answer
router.warm_up(lambda services: free_time_guess.guesser())

PROFILE_FIELDS = ("town", "village", "age", "birth_year", "skills", "availability", "travel_range",
                  "want_job_push", "want_fair_push", "notes", "name", "phone")
EDITABLE = (  # (label shown in 修改, the step that asks it; 称呼 and 电话 are asked by handlers.contact)
    ("乡镇", "town"), ("村/社区", "village"), ("年龄", "age"), ("会做的活", "skills"),
    ("空闲时间", "availability"), ("能去多远", "travel"), ("岗位推送", "job_push"), ("招聘会提醒", "fair_push"),
    ("称呼", "name"), ("电话", "phone"),
)
# Words people use for each answer when they say which to change ("岁数写错了", "远近"), checked in
# this order (招聘会 before 会, 推送 before 活).
EDIT_WORDS = (
    ("fair_push", "招聘会|提醒"), ("job_push", "推送|发消息|通知|消息"), ("phone", "电话|手机|号码"),
    ("name", "称呼|名字|叫我|姓"), ("village", "村|社区"), ("town", "乡镇|镇|乡|街道|住"),
    ("age", "年龄|岁|年纪|出生|生日"), ("availability", "时间|有空|空闲|什么时候|白天|晚上|周末"),
    ("travel", "远|距离|范围|路程|出行|出门|去哪"), ("skills", "活|手艺|技能|工种|本事|会做"),
)
NOTE_LABELS = {"town": "乡镇", "village": "村/社区", "age": "年龄", "skills": "会做的活", "availability": "空闲时间",
               "travel_range": "能去多远", "name": "称呼"}
_NO = re.compile(r"^(不要|不用|不需要|不想|不了|否|别|不(?!知道|晓得|清楚|懂|确定|一定)|no|n$|没必要|免了|算了)")
_SAYS_NO = re.compile(r"不要|不用|不去|不需要|不想|不必|不行|别发|别提醒|不提醒|不通知|算了|免了|甭|莫发|莫要|不消"
                      r"|去不了|去不成|没兴趣|不感兴趣|不参加|跑不动|走不动|用不着|看不懂|不识字|没(?:空|时间|工夫)去"
                      r"|没有?(?:啥|什么)?必要")
_SAYS_YES = re.compile(r"要|好|行|可以|嗯|对|愿意|发吧|提醒|没问题|没毛病|正确|妥|随你|成|中"
                       r"|告诉我|通知我|就去|会去|想去|去看看|肯定去|发给我|发我|发过来|推给我")
# "不是重活就要", "要是近就行": a yes with a condition, though it starts as a no does
_YES_IF = re.compile(r"^(?:只要)?(?:不是|要是|如果|假如)[^，,。]{1,8}?就(?:要|行|可以|好|发)"
                     r"|(?:那|的话)就?(?:要|行|可以|好|发)[吧的啊呀了]*$"  # "不要钱那就要": the condition met
                     # "有合适的就发 别发要先交钱的": a yes for what fits, whatever is ruled out after it
                     r"|^[^，,。\s]{1,10}?的(?:话)?就(?:发|要|提醒|告诉|通知)")
_YES = re.compile(r"^(要|需要|好|可以|行|是|想|嗯|对|发|当然|中|愿意|都行|随便|无所谓|就这样|提交|保存"
                  r"|yes|y$|ok|okay|可)")


def describe(fields: dict[str, Any]) -> str:
    """A person's answers as short lines an elderly reader can check at a glance."""
    yes_no = {True: "要", False: "不要", None: "未填"}
    place = (fields.get("town") or "未填") + (f" {fields['village']}" if fields.get("village") else "")
    age = f"{fields['age']}岁" if fields.get("age") else "未填"
    return "\n".join([
        f"乡镇村：{place}",
        f"年龄：{age}",
        f"会做的活：{_labels(taxonomy.skills(), fields.get('skills')) if fields.get('skills') else _said(fields)}",
        f"空闲时间：{_labels(taxonomy.availability(), fields.get('availability'))}",
        f"能去多远：{taxonomy.travel_ranges().label(fields.get('travel_range') or '') or '未填'}",
        f"岗位推送：{yes_no[fields.get('want_job_push')]}",
        f"招聘会提醒：{yes_no[fields.get('want_fair_push')]}",
        *contact.describe(fields),
    ])


def _said(fields: dict[str, Any]) -> str:
    """A trade with no kind of its own, in the person's words, cut short: "修自行车 补胎"."""
    words: str = (fields.get("notes") or {}).get("skills") or "未填"
    return words if len(words) <= SAID_MAX else words[:SAID_MAX] + "…"


SAID_MAX = 10


def _labels(options: taxonomy.OptionSet, codes: list[str] | None) -> str:
    """The options' labels, or their first words when many are chosen (the summary stays short)."""
    full = options.labels_of(codes or [])
    return full if len(full) <= LABELS_MAX else options.short_labels_of(codes or [])


LABELS_MAX = 24


def notes_text(notes: dict[str, str] | None) -> str:
    """The person's own words kept beside their answers, for staff: "会做的活：修自行车"."""
    return "；".join(f"{NOTE_LABELS.get(field, field)}：{words}" for field, words in (notes or {}).items())


def profile_fields(worker: Worker) -> dict[str, Any]:
    return {name: getattr(worker, name) for name in PROFILE_FIELDS}


@router.command("登记", "注册", "我要登记", "我要注册", "我要找活", "找活干", "报名零工", "零工登记", "登记找活",
                menu=(10, "登记找活"))
@policy.done_at_once("register")
def start(ctx: Ctx) -> Reply:
    if ctx.worker is not None:
        return ctx.start(flow.name, "confirm", profile_fields(ctx.worker), "您已经登记过了，这是您的信息：")
    return ctx.start(flow.name, "town", None, "好的，我们开始登记，一共几个小问题。随时回复“取消”可以退出。")


def edit(ctx: Ctx, *lead: str) -> Reply:
    """Change one answer of a registered person: the registration steps, prefilled."""
    assert ctx.worker is not None
    return ctx.start(flow.name, "edit_pick", profile_fields(ctx.worker), *lead)


_ANSWERS: dict[str, Handler] = {}  # each step's own reading of its answer


def _step(name: str, *, ask: Handler, accepts_location: bool = False,
          declinable: bool = False) -> Callable[[Handler], Handler]:
    def register(answer: Handler) -> Handler:
        def or_going_back(ctx: Ctx) -> Reply:
            return (_going_back(ctx, name) or _adding_earlier(ctx, name) or _said_more(ctx, name)
                    or _more_changes(ctx, name) or _age_put_right(ctx, name) or answer(ctx))

        _ANSWERS[name] = answer

        return asking.step(flow, name, ask=ask, accepts_location=accepts_location, declinable=declinable,
                           explain=lambda ctx: meanings.explained(ctx, name))(or_going_back)

    return register


# the questions in the order asked, and what a person says when an earlier answer was wrong
ORDER = ("town", "village", "age", "skills", "availability", "travel", "job_push", "fair_push")
_SAID_WRONG = re.compile(r"说错|写错|打错|搞错|弄错|填错|说反|打反")
_NOT_THAT = re.compile(r"不是[^是]{1,8}?是")  # "不是本村 是全县": the wrong answer, then the right one


def _going_back(ctx: Ctx, step: str) -> Reply | None:
    """"岁数说错了" while a later question is asked: that question again, then back here; "岁数打错了
    是62": the right answer said with it is that question's answer at once."""
    key = compact(ctx.text)
    wrong = step in ORDER and _SAID_WRONG.search(key)
    # "打错了 不是本村 是全县": what is named between 不是 and 是 is the answer, not its question
    named = _field_named(_NOT_THAT.sub("", key)) if wrong else None
    if wrong and named not in ORDER[:ORDER.index(step)] and _NOT_THAT.search(key) and ctx.conversation.back:
        named = ctx.conversation.back[-1]  # no earlier question named: the last one asked
    if named is None or named not in ORDER or ORDER.index(named) >= ORDER.index(step):
        return None
    ctx.data["return_to"] = step
    told = corrected(ctx.text)
    if told == ctx.text or not compact(told):
        return ctx.goto(named, "好的，重新说一下。")
    ctx.goto(named)
    reply = _ANSWERS[named](replace(ctx, update=replace(ctx.update, text=told)))
    if ctx.conversation.step == step and ctx.data.get("return_to") == step:
        del ctx.data["return_to"]  # "是林山乡" said at the village: the town's answer asks the village again
    back = "return_to" not in ctx.data and not reply.as_text().startswith("好的")
    return Reply.of("好的，改过来了。") + reply if back else reply


# "白天 对了刚才会做的活再加一个看大门": something added to an earlier answer of several options, said
# beside the answer to the question asked now
_ADDED_EARLIER = re.compile(r"(?:哦?对了)?[,，\s]*(?:刚才|前面|上面|之前)(?P<which>[^，,。;；!！?？]{1,8}?)"
                            r"(?:再|还要?|也)?(?:加|添|补)(?:上|一个|一项|一下|个)?(?P<what>[^，,。;；!！?？\s]+)")
_SEVERAL = {"skills": (taxonomy.skills, skill_guess.read),
            "availability": (taxonomy.availability, free_time_guess.read)}


def _adding_earlier(ctx: Ctx, step: str) -> Reply | None:
    """What is added to an earlier skills or free-time answer is added there, and the rest of the text
    answers the question asked now (or it is asked again); None when nothing is added to an earlier one."""
    said = normalize(ctx.text)
    added = _ADDED_EARLIER.search(said) if step in ORDER else None
    named = _field_named(compact(added["which"])) if added else None
    if not added or named not in _SEVERAL or ORDER.index(named) >= ORDER.index(step):
        return None
    option_set, read = _SEVERAL[named]
    options = option_set()
    codes = [c for c in read(added["what"]).codes if c != options.general]
    if not codes:
        return None
    _keep_with(ctx, named, codes)
    told = Reply.of(f"好的，加上了：{options.short_labels_of(codes)}。")
    rest = said[:added.start()] + said[added.end():]
    if not _FILLER_ONLY.fullmatch(rest):
        return told + _ANSWERS[step](replace(ctx, update=replace(ctx.update, text=rest)))
    return told + ctx.ask()


_FILLER_ONLY = re.compile(r"[\s,，。.;；!！?？、嗯哦啊呀吧了的]*")
# "还有 在家做手工也行", "还会编竹篮子 刚才忘说了": more of the answer just given, said at the next question
_MORE = re.compile(r"^(?:哦|噢)?(?:对了)?[,，\s]*(?:还有|还会|另外还?会?|我?也会)[,，\s]*")
_FORGOT = re.compile(r"[,，\s]*(?:刚才|前面)?(?:忘了?说了?|漏说了?|没说)[的了]?")


def _said_more(ctx: Ctx, step: str) -> Reply | None:
    """More work or free time said after that answer, at the question after it: added there, then the
    question asked now again; None for anything else."""
    said = normalize(ctx.text)
    more = _MORE.match(said)
    previous = ctx.conversation.back[-1] if ctx.conversation.back else None
    if not (more or _FORGOT.search(said)) or previous not in _SEVERAL or previous == step or step not in ORDER:
        return None
    option_set, read = _SEVERAL[previous]
    options = option_set()
    codes = [c for c in read(_FORGOT.sub("", said[more.end():] if more else said)).codes if c != options.general]
    if not codes:
        return None
    _keep_with(ctx, previous, codes)
    return Reply.of(f"好的，加上了：{options.short_labels_of(codes)}。") + ctx.ask()


# "时间写错了，只能晚上。对了会的活再加一个打包员", "就本乡吧 年纪那个也不对 我六九年的": at a change
# asked from the summary, another answer changed in the same message
_ANOTHER = re.compile(r"^(?:还有|另外|对了|然后|顺便|同时)")
_YEAR_SAID = re.compile(r"\d{2,4}年|[零〇一二三四五六七八九]{2,4}年|属")


def _more_changes(ctx: Ctx, step: str) -> Reply | None:
    """Each answer changed in a message sent at a change from the summary, in the order said; None
    when the message changes only the one asked."""
    if ctx.data.get("return_to") != "confirm" or step not in ORDER:
        return None
    parts: dict[str, list[str]] = {step: []}
    field = step
    for n, sentence in enumerate(_SENTENCES.split(normalize(ctx.text))):
        for at, clause in enumerate(c for c in _CLAUSE_BREAK.split(sentence) if c):
            field = _changed_in(clause, field, ctx.services.local_now().year, n > 0 and at == 0) or field
            parts.setdefault(field, []).append(clause)
    if len(parts) == 1:
        return None
    reply = Reply.of()
    for field, said in ((f, said) for f, said in parts.items() if said):
        if reply.texts and ctx.conversation.step != "confirm":  # an answer not understood is asked again first
            break
        if field != ctx.conversation.step:
            ctx.data["return_to"] = "confirm"
            ctx.goto(field)
        reply = _ANSWERS[field](replace(ctx, update=replace(ctx.update, text=" ".join(said))))
    return reply


_SENTENCES = re.compile(r"[。.;；!！?？]+")
_CLAUSE_BREAK = re.compile(r"[\s,，]+")


def _changed_in(clause: str, now: str, this_year: int, new_sentence: bool) -> str | None:
    """Another answer than the one being changed that a clause starts on: named with a change
    ("年纪那个也不对", "远近也改一下") or as a sentence's first words, or, after 还有/另外, told by what
    it says ("另外搬运也能干") or by a birth year; None for more of the answer being changed."""
    key = compact(clause)
    marked = bool(_ANOTHER.match(key)) or new_sentence
    if marked or _CHANGE_SAID.search(key):
        named = next((s for s, words in _ANSWER_NAMES if re.search(words, key)), None)
        if named and named != now:
            return named
    if marked:
        said = next((s for s, (options, read) in _SEVERAL.items() if s != now
                     and [c for c in read(_ANOTHER.sub("", clause)).codes if c != options().general]), None)
        if said or now == "age":
            return said
        return "age" if _YEAR_SAID.search(key) and read_age(clause, this_year) else None
    return None


# an answer named as such (not by one of its options): "会的活还要加个家政", "村子也写岔了"
_ANSWER_NAMES = (("fair_push", "招聘会"), ("job_push", "推送|发消息"), ("village", "村子|村名|哪个村"),
                 ("town", "乡镇|住的地方"), ("age", "年龄|岁数|年纪|出生"), ("availability", "时间|空闲"),
                 ("travel", "远近|多远|距离|范围|路程"), ("skills", "会的活|会做的活|会干的活|手艺|技能|工种"))
_CHANGE_SAID = re.compile(r"改|不对|错|写岔|加")


def _keep_with(ctx: Ctx, field: str, codes: list[str]) -> None:
    """The codes added to those the field holds, each once, in the order said."""
    ctx.data[field] = list(dict.fromkeys([*(ctx.data.get(field) or []), *codes]))


# --- 1. town and village ----------------------------------------------------------------------
TOWN_CHOICES = 3  # the closest few offered for a name not quite understood


def _ask_town(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}住在哪个乡镇（街道）？\n直接打字，比如：华埠、马金。")


@_step("town", ask=_ask_town, accepts_location=True)
def town(ctx: Ctx) -> Reply:
    places = ctx.services.places
    if ctx.update.latitude is not None and ctx.update.longitude is not None:
        nearest, km = places.nearest(ctx.update.latitude, ctx.update.longitude)
        if km > 40:
            return Reply.of(f"这个位置不在开化县，请打字告诉我{ctx.you}住哪个乡镇。") + _ask_town(ctx)
        return _set_town(ctx, nearest.name, None)
    said = _without_age(corrected(ctx.text))
    guess = places.resolve(said)
    if said != ctx.text and not guess.town:  # nothing named after a correction: the whole answer
        guess = places.resolve(ctx.text)
    ctx.data["age_heard"] = _age_beside(ctx.text)
    if guess.town:
        return _set_town(ctx, guess.town, guess.village, unsure=guess.unsure)
    others = [c for c in guess.candidates if c != ctx.data.get("town")]
    if ctx.data.get("return_to") and len(others) == 1 < len(guess.candidates):
        # "马金镇 华埠是我娘家 填错了" at a change: the town not written down before is the one meant
        return _set_town(ctx, others[0], None)
    ctx.data["town_said"] = ctx.text
    ctx.data["town_choices"] = list(guess.candidates[:TOWN_CHOICES])
    misses.missed(ctx, "town_pick")  # the list is the question's second asking: a miss there moves on
    lead = "您说的是下面哪一个？" if guess.candidates else "没找到这个乡镇。"
    return ctx.goto("town_pick", lead)



def _ask_town_pick(ctx: Ctx) -> Reply:
    choices = ctx.data.get("town_choices")
    if choices:
        return Reply.of("请回复编号，或再打一遍名字。", choices=[*choices, "都不是"])
    return Reply.of(f"{ctx.you}住在哪个乡镇？请回复编号：\n{ctx.services.places.numbered()}")


@_step("town_pick", ask=_ask_town_pick)
def town_pick(ctx: Ctx) -> Reply:
    places = ctx.services.places
    names: list[str] = ctx.data.get("town_choices") or places.names
    few = bool(ctx.data.get("town_choices"))
    picked = choice_numbers(ctx.text, len(names) + few)
    none_of_them = (picked and picked[0] == len(names) + 1) or compact(ctx.text) in ("都不是", "都不对", "不是", "没有")
    if few and none_of_them:  # then all fifteen (on the full list, "none" is a miss like any other)
        ctx.data["town_choices"] = []
        return ctx.goto("town_pick")
    if picked:
        return _set_town(ctx, names[picked[0] - 1], None)
    guess = places.resolve(ctx.text)
    if guess.town:
        return _set_town(ctx, guess.town, guess.village, unsure=guess.unsure)
    if ctx.data.get("town_choices") and guess.candidates and guess.candidates[0] in names:
        # the name again, spelt as before or nearly: the closest of the few shown
        return _set_town(ctx, guess.candidates[0], None, unsure=True)
    if misses.missed(ctx, "town_pick"):
        words = ctx.data.pop("town_said", None) or ctx.text
        asking.note(ctx, "town", words)
        ctx.data.pop("town_choices", None)
        ctx.data["town"] = None
        return ctx.next("village", asking.kept("乡镇先空着。"))
    return Reply.of("没对上，请回复编号，比如 1。") + _ask_town_pick(ctx)


def _set_town(ctx: Ctx, town_name: str, village: str | None, unsure: bool = False) -> Reply:
    """The town set (`unsure`: only read as looking like what was typed), and the village when named with it."""
    ctx.data["town_unsure"] = unsure or None
    ctx.data.pop("town_choices", None)
    ctx.data.pop("town_said", None)
    asking.understood(ctx, "town_pick", "town")
    ctx.data["town"] = town_name
    if village:
        ctx.data["village"] = village
        return _to_age(ctx, f"好的，{town_name}{village}。")
    if ctx.data.get("return_to"):
        ctx.data["village"] = None  # a new town makes the old village wrong: ask it again
        return ctx.goto("village", f"好的，{town_name}。")
    return ctx.next("village", f"好的，{town_name}。")


def _ask_village(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}是哪个村（社区）的？\n不想说可以回复“跳过”。")


_VILLAGE_WORD = re.compile(r"村|社区")  # "马金桥村" is a village, not the town 马金 again
_NO_VILLAGE = re.compile(r"跳过|略过|不知道|不晓得|不记得|记不得|忘了|不方便|保密|没有|不清楚|算了|没得"
                         r"|(?:那|这)个小?村|山里头?的?小?村"
                         r"|不(?:想|愿|愿意|用|要|肯|会|能)?(?:填|写|说|讲|告诉)|不识字|别写|空着|免了|不必|不要|不用|别问"
                         r"|^无$|^不$|^略$|^没$|^过$|^下一(?:个|题|步|项)$|^next$|^pass$"
                         r"|^(就在|住在|在)?(村里|村上|镇上|街上|城里|县城|乡下|农村|山里|老家|本村|这里)(的|住)?$")
_SKIP_HEARD = {"tiaoguo", "lueguo"}  # 跳过, 略过 as voice input may write them
# "镇上 不在村里", "何田 就乡里": a person of the town itself, with no village but one that is only the town's name
_NOT_IN_A_VILLAGE = re.compile(r"不[在住是][^村]{0,2}村|没[有得]?村|(?:住|在|就)(?:镇|街|城|县城|乡)[上里]")


def _no_village(ctx: Ctx, text: str) -> bool:
    """The answer declines the village (in words, or in words voice input heard as others: 条过),
    or says the person lives in the town itself."""
    key = compact(text)
    named = ctx.services.places.village_in(text, ctx.data.get("town"))
    if named and named in key and _VILLAGE_WORD.search(named):
        return False  # "霞山村 刚才忘了": the village in full, and why it comes only now
    if _NO_VILLAGE.search(key) or pinyin_key(key).replace(" ", "") in _SKIP_HEARD:
        return True
    if not _NOT_IN_A_VILLAGE.search(key):
        return False
    town = ctx.services.places.get(ctx.data.get("town") or "")
    # "马金村 就街上那块": the village named in full is the town's own village, not the town again
    return not named or (town is not None and village_key(named) == town.short and named not in key)


def _answers_another(text: str) -> bool:
    """"厂里的活 工作日白天都行" at the village: work and free time told ahead, no village named."""
    if _VILLAGE_WORD.search(text) or len(compact(text)) < 5:
        return False
    return bool(skill_guess.read(text).codes) + bool(free_time_guess.read(text).codes) == 2


@_step("village", ask=_ask_village, declinable=True)
def village(ctx: Ctx) -> Reply:
    text = corrected(ctx.text)
    if _no_village(ctx, text):
        ctx.data["village"] = None
        return _to_age(ctx)
    places = ctx.services.places
    guess = places.resolve(text)
    other_town = guess.town if guess.town != ctx.data.get("town") else None
    # "不对，我是马金的": the town; a village of another town by its own name ("霞山村") only when the
    # town is not known for sure ("长村乡" read as 中村乡): names repeat from town to town (田畈村 may
    # be this town's too), and one that only sounds like it may be a village of this town we do not know
    sure = ctx.data.get("town") and not ctx.data.get("town_unsure")
    named = guess.village and village_key(guess.village) in compact(text) and not sure
    if other_town and (named or not (guess.village or _VILLAGE_WORD.search(text))):
        return _set_town(ctx, other_town, guess.village)
    ahead = _answers_another(text) and not places.village_in(text, ctx.data.get("town"))
    name = None if ahead else places.village(text, ctx.data.get("town"))
    if name and len(name) <= 20:
        ctx.data["village"] = name
        asking.understood(ctx, "village", "village")
        return _to_age(ctx)
    if misses.missed(ctx, "village"):
        asking.note(ctx, "village", text)
        ctx.data["village"] = None
        return _to_age(ctx, asking.kept(""))
    if ahead:
        return Reply.of("会做的活和有空的时间等会儿再问，先说说村名吧。") + _ask_village(ctx)
    return Reply.of("村名好像不对，请打村或社区的名字，比如：金星村。") + _ask_village(ctx)


# --- 2. age -----------------------------------------------------------------------------------
_AGE_PART = re.compile(r"^(?:今年|我)?(\d{2})(?:岁|周岁)?(?:了|啦)?$")
_PARTS = re.compile(r"[\s,，。、;；]+")


def _age_parts(text: str) -> list[tuple[str, int | None]]:
    """The parts of an answer, each with the age it says when it says only an age."""
    parts = [p for p in _PARTS.split(normalize(text)) if p]
    return [(p, int(m.group(1)) if (m := _AGE_PART.match(arabize(p))) and i else None) for i, p in enumerate(parts)]


def _without_age(text: str) -> str:
    """"华埠 下溪村 60岁" → "华埠 下溪村": the place, without the age said beside it."""
    return " ".join(p for p, age in _age_parts(text) if age is None) or text


def _age_beside(text: str) -> int | None:
    """An age said as a part of its own beside the place ("城关社区的 五十二 在菜市场摆摊"): no need
    to ask it again."""
    ages = [age for _, age in _age_parts(text) if age and MIN_AGE <= age <= MAX_AGE]
    return ages[0] if len(ages) == 1 else None


def _to_age(ctx: Ctx, *lead: str) -> Reply:
    """The age question, or the next one when the age was said already with the place (then one
    short line says both back: the list of skills that follows is long)."""
    heard = ctx.data.pop("age_heard", None)
    if heard and not ctx.data.get("return_to") and ctx.data.get("age") is None:
        place = ctx.data.get("village") or ctx.data.get("town") or ""
        return _set_age(ctx, heard, None, f"好的，{place}，{heard}岁。" if place else f"好的，{heard}岁。")
    return ctx.next("age", *lead)


def _ask_age(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}今年多大岁数？\n回复数字就行，比如：58。")


@_step("age", ask=_ask_age)
def age(ctx: Ctx) -> Reply:
    this_year = ctx.services.local_now().year
    digit = _ONE_DIGIT.fullmatch(arabize(compact(ctx.text)))
    first = ctx.data.pop("age_digit", None)
    joined = int(first + digit.group(0)) if digit and first is not None else None
    if joined is not None and MIN_AGE <= joined <= MAX_AGE:
        asking.understood(ctx, "age", "age")  # "8", then "1": an age typed a digit at a time
        return _set_age(ctx, joined, None)
    said = read_age(ctx.text, this_year)
    years = said.sure if said else None
    if said and said.rough:
        earlier = ctx.data.pop("age_rough", None) or []
        both = [a for a in said.ages if a in earlier]
        if len(both) == 1:  # "属龙的", then "七十多": one age fits both answers
            asking.understood(ctx, "age", "age")
            return _set_age(ctx, both[0], None)
        if misses.missed(ctx, "age"):  # "快七十" twice: its likeliest age (69), the words kept
            asking.note(ctx, "age", ctx.text)
            years = said.ages[0] if not _ANIMAL_ONLY.search(ctx.text) or said.sure else None
            return _set_age(ctx, years, None, "岁数先按您说的记下。" if years else "岁数先空着。")
        ctx.data["age_rough"] = list(said.ages)
        return Reply.of("请说个准数。") + _ask_age(ctx)
    if years is not None and MIN_AGE <= years <= MAX_AGE:
        asking.understood(ctx, "age", "age")
        return _set_age(ctx, years, said.birth_year if said else None)
    if misses.missed(ctx, "age"):
        asking.note(ctx, "age", ctx.text)
        return ctx.next("skills", "岁数先空着。")  # short: the long list of skills comes next
    if years is None:
        return Reply.of("没看懂这个岁数。") + _ask_age(ctx)
    if digit:
        ctx.data["age_digit"] = digit.group(0)  # perhaps the first digit of two, the next to follow
    return Reply.of(f"{years}岁好像不太对，请再确认一下。") + _ask_age(ctx)


_ANIMAL_ONLY = re.compile(r"^\D*属.\D*$")  # "属龙的" twice: no age to guess from
_ONE_DIGIT = re.compile(r"[1-9]")


# "75 岁数反了", "岁数打错了 是33": the age just given put right at a later question
_AGE_WRONG = re.compile(r"(?:年龄|岁数|年纪)\S{0,4}?(?:反了|错了|不对|打错|写错|弄错|搞错|打反)"
                        r"|(?:打反|打错|写错|弄反)了?\S{0,2}(?:年龄|岁数|年纪)")


def _age_put_right(ctx: Ctx, step: str) -> Reply | None:
    """A new age said with the old one called wrong, at a question after the age: kept, and the
    question asked again; None for anything else."""
    if step not in ORDER or ORDER.index(step) <= ORDER.index("age") or not _AGE_WRONG.search(ctx.text):
        return None
    said = read_age(_AGE_WRONG.sub(" ", ctx.text), ctx.services.local_now().year)
    if said is None or said.sure is None or said.rough or not MIN_AGE <= said.sure <= MAX_AGE:
        return None
    _keep_age(ctx, said.sure, said.birth_year)
    return Reply.of(f"好的，岁数改成{said.sure}岁。") + ctx.ask()


def _keep_age(ctx: Ctx, years: int | None, birth_year: int | None) -> None:
    this_year = ctx.services.local_now().year
    ctx.data["age"], ctx.data["birth_year"] = years, (birth_year or this_year - years) if years else None


def _set_age(ctx: Ctx, years: int | None, birth_year: int | None, *lead: str) -> Reply:
    _keep_age(ctx, years, birth_year)
    return ctx.next("skills", *lead)


# --- 3. skills, 4. availability and travel range ----------------------------------------------
def _ask_skills(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}会做哪些活？可选几个编号，也可直接打字。",
                    choices=taxonomy.skills().labels)


# "是", "对的", "嗯": the guess said back is right
_CONFIRMED = re.compile(r"(?:是|对|嗯|没错|就是|正是)(?:的|啊|呀|了|滴)?")
# "再加个分拣", "晚上也能上", "农闲的时候也有空": said in 修改, added to what was recorded (free "too" only
# when said alone: "周末都行 平时晚上也有空" is a new answer of two parts)
_ADDING = re.compile(r"再加|加上|加个|加一|添上|添个|另外加|也加|也(?:能|可以|行|会|要|干|做)|还(?:能|会|可以)"
                     r"|^[^\s,，。;；]*也(?:有空|有时间|得空)[^\s,，。;；]*$")


# the questions answered by choosing from a list, and how a reply names what each asks
_LISTS = {"skills": ("会做的活", taxonomy.skills), "availability": ("有空的时间", taxonomy.availability),
          "travel": ("能去多远", taxonomy.travel_ranges)}


def _another_questions(step: str, text: str) -> str | None:
    """What another question asks, when the answer is one of its options' labels ("全县都行" typed
    for the free time: the list of the question after it was read by mistake)."""
    said = compact(text)

    def labelled(options: taxonomy.OptionSet) -> bool:
        return any(said in (compact(label), *map(compact, label.split("/"))) for label in options.labels)

    if labelled(_LISTS[step][1]()):
        return None
    return next((what for other, (what, options) in _LISTS.items() if other != step and labelled(options())), None)


def _options_step(ctx: Ctx, step: str, field: str, options: taxonomy.OptionSet, *, fallback: list[str],
                  next_step: str, retry: str, ask: Handler, read: Callable[[str], taxonomy.Reading]) -> Reply:
    """A question answered with several options in one's own words: keep every part named;
    words nothing matched go to the note; after a second miss, the fallback and the note. An
    answer that could mean two things is asked about once, by number."""
    elsewhere = _another_questions(step, ctx.text)
    if elsewhere and not misses.missed(ctx, step):  # said again, it is read as an answer here
        return Reply.of(f"“{ctx.text.strip()}”是{elsewhere}的选项，等会儿再问。") + ask(ctx)
    reading = read(ctx.text)
    either = (ctx.data.pop("either", None) or {}).get(step)
    picked = choice_numbers(ctx.text, len(either)) if either else None
    guessed = (ctx.data.pop("guessed", None) or {}).get(step)
    if either and picked:
        reading = taxonomy.Reading(list(either[picked[0] - 1]), [])
    elif guessed and _CONFIRMED.fullmatch(compact(ctx.text)):
        reading = taxonomy.Reading(guessed, [])
    elif reading.either and not either:  # asked once only: said the same way again, read as it stands
        ctx.data["either"] = {step: [list(codes) for codes in reading.either]}
        return Reply.of(f"{ask(ctx).texts[0].split('？')[0]}？您说的是哪种：",
                        choices=[options.labels_of(list(codes)) for codes in reading.either])
    if reading.codes and not reading.guessed:
        # "现在随时都可以了": the option that stands for all is never added to the others
        adding = ctx.data.get("return_to") and _ADDING.search(ctx.text) and options.general not in reading.codes
        if not adding:
            ctx.data[field] = []
        _keep_with(ctx, field, reading.codes)
        asking.understood(ctx, step, field)
        if reading.unknown:
            asking.note(ctx, field, ctx.text)
        return _on_to(ctx, next_step, f"记下了：{options.short_labels_of(ctx.data[field])}。")
    if reading.unlisted:  # a trade with no option ("修自行车"): the words for staff, no option forced on it
        ctx.data[field] = []
        asking.understood(ctx, step, field)
        asking.note(ctx, field, ctx.text)
        return _on_to(ctx, next_step, "记下了您的手艺，工作人员会看。")
    if misses.missed(ctx, step):
        ctx.data[field] = fallback
        asking.note(ctx, field, ctx.text)
        understood = f"先记作“{options.labels_of(fallback)}”。" if fallback else ""
        return _on_to(ctx, next_step, asking.kept(understood))
    if reading.guessed:  # a learned guess is kept only when the person says it is right
        ctx.data["guessed"] = {step: reading.codes}
        question = ask(ctx).texts[0].split("？")[0]
        return Reply.of(f"{question}？是“{options.short_labels_of(reading.codes)}”吗？"
                        "是就回“是”，不是就回编号。", choices=options.labels)
    return Reply.of(retry) + ask(ctx)


_SAYS_FREE = re.compile(r"有空|空闲|有时间|没事|都行|也行|都可以|也可以")


def _free_time_beside(text: str) -> list[str] | None:
    """Free time said as a part of its own beside the work ("修农机 …坏了都找我 白天都行"), with the times
    named just before it ("开货车的 周末 晚上都有空"); a time must be named besides the free ("地里的农活
    跟搬搬抬抬 都行": both kinds of work are fine, not any time)."""
    parts = [p for p in _PARTS.split(normalize(text)) if p]

    def a_time(part: str) -> bool:
        return not taxonomy.skills().read(part).codes and bool(answers.free_time(_SAYS_FREE.sub("", part)).codes)

    said: list[str] = []
    for at, part in enumerate(parts[1:], start=1):
        if _SAYS_FREE.search(part) and a_time(part):
            first = at
            while first > 1 and not _SAYS_FREE.search(parts[first - 1]) and a_time(parts[first - 1]):
                first -= 1
            said += answers.free_time(" ".join(parts[first:at + 1])).codes
    return list(dict.fromkeys(said)) or None


def _on_to(ctx: Ctx, step: str, lead: str) -> Reply:
    """The next question, or the one after when its answer was said already (free time with the work)."""
    heard = ctx.data.pop("availability_heard", None) if step == "availability" else None
    if heard and not ctx.data.get("return_to"):
        ctx.data["availability"] = heard
        return ctx.next("travel", f"{lead}有空：{taxonomy.availability().short_labels_of(heard)}。")
    return ctx.next(step, lead)


@_step("skills", ask=_ask_skills)
def skills(ctx: Ctx) -> Reply:
    options = taxonomy.skills()
    ctx.data["availability_heard"] = _free_time_beside(ctx.text)
    return _options_step(ctx, "skills", "skills", options, fallback=["other"], next_step="availability",
                         retry="没对上，请回复编号。", ask=_ask_skills, read=skill_guess.read)


def _ask_availability(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}什么时候有空干活？可以选几个。", choices=taxonomy.availability().labels)


@_step("availability", ask=_ask_availability)
def availability(ctx: Ctx) -> Reply:
    return _options_step(ctx, "availability", "availability", taxonomy.availability(), fallback=[],
                         next_step="travel", retry="没对上，请回复编号，比如 1。", ask=_ask_availability,
                         read=free_time_guess.read)


def _ask_travel(ctx: Ctx) -> Reply:
    return Reply.of(f"{ctx.you}愿意去多远的地方干活？", choices=taxonomy.travel_ranges().labels)


@_step("travel", ask=_ask_travel)
def travel(ctx: Ctx) -> Reply:
    options = taxonomy.travel_ranges()
    reach = answers.travel(ctx.text, ctx.services.places, ctx.data.get("town"), ctx.data.get("village"))
    if reach:  # "镇上县里都行": the widest named
        ctx.data["travel_range"] = reach
        asking.understood(ctx, "travel", "travel_range")
        return ctx.next("job_push")
    if misses.missed(ctx, "travel"):
        ctx.data["travel_range"] = DEFAULT_TRAVEL
        asking.note(ctx, "travel_range", ctx.text)
        return ctx.next("job_push", asking.kept(f"先记作“{options.label(DEFAULT_TRAVEL)}”。"))
    return Reply.of("没对上，请回复一个编号。") + _ask_travel(ctx)


DEFAULT_TRAVEL = "town"


# --- 5. push preferences ----------------------------------------------------------------------
# typed in pinyin ("bu yao", "haode"): the yes or no it sounds like
_SAID_IN_PINYIN = ("要", "要的", "好", "好的", "可以", "行", "对", "是的", "不要", "不用", "不需要", "不行", "算了")


@lru_cache(maxsize=1)
def _pinyin_answers() -> dict[str, str]:
    return {pinyin_key(word).replace(" ", ""): word for word in _SAID_IN_PINYIN}


# "不要 哦 还是要吧": a mind changed with 还是 is the answer
_CHANGED_MIND = re.compile(r"还是([^还]+)$")


def yes_no(text: str) -> bool | None:
    """"要的", "ok", "yao", "👍" → True; "不用", "年纪大了不去了", "bu yao" → False; None when neither is said.
    What is said after a correction ("不要 哦不 要吧") or a change of mind ("不要 还是要吧") is the answer."""
    for said in (corrected(text), *(m.group(1) for m in [_CHANGED_MIND.search(compact(text))] if m)):
        if compact(said) != compact(text) and (value := _yes_no(said)) is not None:
            return value
    return _yes_no(text)


# "bu yao 没空去": a yes or no typed in pinyin before the words
_PINYIN_FIRST = re.compile(r"^[a-z][a-z ]*[a-z]", re.IGNORECASE)


def _yes_no(text: str) -> bool | None:
    key = compact(text)
    key = _pinyin_answers().get(key.lower(), key) if key.isascii() else key
    if (typed := _PINYIN_FIRST.match(text.strip())) and not key.isascii():
        key = _pinyin_answers().get(compact(typed.group(0)).lower(), "") + key[len(compact(typed.group(0))):]
    if key in ("1", "2"):
        return key == "1"
    if _YES_IF.search(key):
        return True
    if _NO.match(key) or _SAYS_NO.search(key):
        return False
    if _YES.match(key) or _SAYS_YES.search(key):
        return True
    return None


def _yes_no_step(step: str, field: str, question: str, next_step: str) -> None:
    def ask(ctx: Ctx) -> Reply:
        return Reply.of(question.format(you=ctx.you), choices=["要", "不要"])

    @_step(step, ask=ask, declinable=True)
    def answer(ctx: Ctx) -> Reply:
        value = yes_no(ctx.text)
        if value is None and not misses.missed(ctx, step):
            return Reply.of("请回复 1 要，或 2 不要。") + ask(ctx)
        if value is None:  # asked twice: the usual choice, which 退订 undoes at any time
            ctx.data[field] = True
            return ctx.next(next_step, "先按“要”记下，不想要随时回复“退订”。")
        asking.understood(ctx, step)
        ctx.data[field] = value
        return ctx.next(next_step)


_yes_no_step("job_push", "want_job_push", "有合适的活时，要不要发消息告诉{you}？", "fair_push")
_yes_no_step("fair_push", "want_fair_push", "每月8日、18日有招聘会，要不要提前提醒{you}？", "confirm")


# --- 6. summary, confirm or change one answer -------------------------------------------------
def _ask_confirm(ctx: Ctx) -> Reply:
    return Reply.of(f"请核对您的信息：\n{describe(ctx.data)}", choices=["确认", "修改"])


_KEEPS = re.compile(r"没错|没问题|没毛病|都对|不用改|不要改|不改")
NAMED_ALONE = 4  # characters of an answer's name said alone at the summary ("能去多远")
_CHANGES = re.compile(r"错|不对|修改|改|[打说弄]反|加上|加个|再加|也加|补一下")


@_step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    said = yes_no(key) if key not in ("1", "2") else None
    keeps = bool(_KEEPS.search(key))
    # "出行", "年龄": an answer named alone is the one to change (出行's 行 is no yes)
    named_alone = len(key) <= NAMED_ALONE and _field_named(key) is not None
    changes = not keeps and (key == "2" or named_alone or bool(_CHANGES.search(key))  # "乡镇不对", not a yes
                             # "招聘会还是提醒我吧": a change of mind when an answer is named ("还是确认吧" is none)
                             or ("还是" in key and _field_named(key) is not None))
    agreed = keeps or not changes and (key == "1" or key.startswith("确认") or said is True)
    if not agreed and not changes and said is None and misses.missed(ctx, "confirm"):
        agreed, kept = True, "先帮您保存了，哪里不对随时回复“修改”。"  # asked twice: save rather than trap
    else:
        kept = ""
    if agreed:
        first_time = ctx.worker is None
        fields = {name: ctx.data.get(name) for name in PROFILE_FIELDS}
        if first_time:
            fields["subscribed"] = True
        ctx.save_worker(fields)
        ctx.finish()
        if first_time:
            return contact.ask_after_registration(ctx, Reply.of(
                kept, "登记好了，谢谢您！有合适的活，我们会第一时间告诉您。", "想看看现在有什么活，回复“菜单”。",
                silver.invitation(fields["age"])))
        return Reply.of(kept, "已保存修改。回复“我的信息”可以再看看。")
    if changes or said is False:
        asking.understood(ctx, "confirm")
        if told := _changed_with_its_answer(ctx):
            return told
        named = _field_named(key)  # "改一下时间", "岁数写错了": straight to that question
        return _change(ctx, named) if named else ctx.goto("edit_pick")
    return Reply.of("请回复 1 确认，或回复 2 修改。") + _ask_confirm(ctx)


# "远近改成本乡镇", "岁数打反了 是72", "村补一下 是芳村村的": the answer named, then its new answer
_NEW_ANSWER = re.compile(r"(?:改成|改为|换成|写成|应该是|其实是|是)(?!不是)")


def _changed_with_its_answer(ctx: Ctx) -> Reply | None:
    """A change said at the summary together with its new answer: that answer taken at once (added
    to one of several options when "加" is said), then the summary again; None when no answer is
    named, or nothing is said beside its name."""
    said = normalize(ctx.text)
    new = _NEW_ANSWER.search(said)
    head = said[:new.start()] if new else said
    named = next((s for s, words in _ANSWER_NAMES if re.search(words, compact(head))), None) \
        or _field_named(compact(head)) or _field_named(compact(said))
    if named is None or named not in ORDER:
        return None
    adding = _ADDING.search(said)  # "再加个农活", "周末也加上": more options added to an answer of several
    if named in _SEVERAL and adding:
        option_set, read = _SEVERAL[named]
        codes = [c for c in read(said[:adding.start()] + " " + said[adding.end():]).codes
                 if c != option_set().general]
        if not codes:
            return None
        _keep_with(ctx, named, codes)
        return Reply.of(f"好的，加上了：{option_set().short_labels_of(codes)}。") + _ask_confirm(ctx)
    answer = said[new.end():] if new else _SAID_WRONG.sub("", _CHANGE_WORDS.sub("", head))
    if not _FILLER_ONLY.fullmatch(answer) and (new or named in _YES_NO_STEPS):
        ctx.data["return_to"] = "confirm"
        ctx.goto(named)
        reply = _ANSWERS[named](replace(ctx, update=replace(ctx.update, text=answer)))
        plain = ctx.conversation.step == "confirm" and not reply.as_text().startswith(("好的", "记下了"))
        return Reply.of("好的，改过来了。") + reply if plain else reply
    return None


_CHANGE_WORDS = re.compile(r"招聘会|推送|发消息|一下|改")
_YES_NO_STEPS = ("job_push", "fair_push")


def _ask_edit_pick(ctx: Ctx) -> Reply:
    return Reply.of("您要改哪一项？", choices=[label for label, _ in EDITABLE])


@_step("edit_pick", ask=_ask_edit_pick)
def edit_pick(ctx: Ctx) -> Reply:
    picked = choice_numbers(ctx.text, len(EDITABLE))
    step = EDITABLE[picked[0] - 1][1] if picked else _field_named(compact(ctx.text))
    if step is None and misses.missed(ctx, "edit_pick"):
        asking.understood(ctx, "edit_pick")
        return ctx.goto("confirm", "没对上要改哪一项。")
    if step is None:
        return Reply.of("请回复编号，比如 1。") + _ask_edit_pick(ctx)
    asking.understood(ctx, "edit_pick")
    return _change(ctx, step)


def _field_named(key: str) -> str | None:
    """The step of the answer a person names to change it: a label, or their own word for it, or a
    label typed by its sound ("年令" for 年龄)."""
    heard = f" {pinyin_key(key)} "
    return next((s for label, s in EDITABLE if compact(label) in key),
                next((s for s, words in EDIT_WORDS if re.search(words, key)),
                     next((s for label, s in EDITABLE if f" {pinyin_key(label)} " in heard), None)))


def _change(ctx: Ctx, step: str) -> Reply:
    if step in contact.STEPS and not ctx.has_step(step):  # registering a relative asks them in its own steps
        return contact.edit(ctx, step)
    ctx.data["return_to"] = "confirm"
    return ctx.goto(step)

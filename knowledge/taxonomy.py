"""Skills, availability and travel range: the option lists people choose from, and what they
mean when people answer in their own words ("摘茶叶" → 采茶/茶叶加工, "烧得一手好菜，地里的活也会干"
→ 厨师 and 农活, "下午以后都行" → 下午 and 晚上)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from knowledge.lexicon import Lexicon
from knowledge.picks import only_dropped, pick
from knowledge.text import FuzzyIndex, aliases_from, arabize, compact, corrected, normalize, pinyin_key

ANYTHING = "other"  # the skill answer 啥都行: no kind of work of its own
_ONLY_NUMBERS = re.compile(r"^(?:第?\d+个?[\s,.;:、，。；和跟及还有与]*)+$")
_PICK_BEFORE = re.compile(r"^(?:我)?(?:选|要|就)+")  # "选2跟4", "我要1和3"
# "4 还有工厂", "1、3，晚上也行": numbers picked from the list first, then what it does not show, in words
_PICKS_THEN_WORDS = re.compile(r"^((?:第?\d{1,2}个?[\s,，、。;；]+)+)(?:还有|另外|和|跟)?"
                               r"(?=[^\d\s,，、。;；])(?![年岁月天日号点块元次亩斤个多来])")  # not "3 年采茶"
_FINE_AFTER = re.compile(r"(?:[都也]?(?:行|可以|会|能|中|成|好)|吧|的|呀|啊)+$")  # "1、2都行": the numbers
# Where one answer names several things: "采茶，地里的活也会干", "周末和晚上", "开货车 装卸也行", "不会开车但能搬东西".
_CLAUSES = re.compile(r"[\s,.;:!?、，。；：！？/]+|还有|以及|或者|和|跟(?!不)|及|与|但是|可是|不过|但(?!凡)")
_POINTED = re.compile(r"^(?:也就是|就是|还有|另外)?那个(?=\d|[一二三四五六七八九])")  # "还有那个7": the number
_NUMBERED = re.compile(r"第?(\d{1,2})(?:个|项|条|号)?")
_VERBS = set("种开带做养烧采摘炒揉搬扛装卸修送拉跑编织缝刷砌喂放照洗")
# "看过仓库", "种了地", "茶厂里炒过": 过/了/着 after a verb of work, left out to read the verb with its object
_ASPECT = re.compile(f"(?<=[{''.join(sorted(_VERBS | set('看守管读念学当干')))}])[过了着]"
                     "(?=[\u4e00-\u9fff\\s,.;，。；、]|$)")
# "养鸡种菜，别的不会", "别的也没做过什么": a "no" about anything else rules out nothing named
_NOTHING_ELSE = re.compile(r"(?:别的|其他|其它|其余|旁的|别样)[也都还]?"
                           r"(?:不会|不懂|没做过|没干过|没学过|做不来|不来|么得|没得|没有了?|莫得)[^，,。;；]*")
# "我老公开货车的，我就在家做点手工": what someone else in the family does is not the person's work
# (and "电工是我哥": the work is named first)
_NAMED_KIN = (r"老公|老伴|老婆|爱人|丈夫|男人|儿子|女儿|媳妇|女婿|老头子?|[哥姐弟妹爸]{1,2}|我妈|妈妈"
              r"|婆婆|公公|奶奶|爷爷|外婆|外公|外?孙子|外?孙女|外甥女?|侄子|侄女|亲戚|邻居|隔壁\S{0,2}?|村里人|别人")
_KIN = rf"(?:{_NAMED_KIN}|[他她](?!们))"
_OWN = r"(?:平时|现在|白天|晚上)?(?:我|俺)"  # how a clause about oneself starts
# "老公在工地上…", "我老公周末休息 我是下午有空": a clause about a relative, before one about oneself
_SOMEONE_ELSE = re.compile(r"(^|[\s,.;，。；、])(?:(?:我|俺)?" + _KIN
                           + r"(?:以前|原来|过去|年轻时候?)?(?:是|在|开|做|干|会)[^\s,.;，。；、我俺]*"
                           r"|(?:我|俺)?" + _KIN + r"[^\s,.;，。；、我俺]*(?=[\s,.;，。；、]+" + _OWN + r")"
                           r"|(?:我|俺)?" + _KIN + r"[^\s,.;，。；、]*?(?:叫|让|喊)(?:我|俺)[^\s,.;，。；、]*"
                           r"|[^\s,.;，。；、]{1,6}是(?:我|俺)" + _KIN + r"(?:的|干的|做的)?(?=$|[\s,.;，。；、]))")


# "他会种地 采茶也行", typed by a grandchild: 他 and 她 with no word of one's own are the person answered for
_THIRD_PERSON = re.compile(r"(?<!其)[他她](?!们)")
# "帮我妈填的 她会采茶", "给我爸登记 他…", "我帮她填": the relative named is the person answered for
_FOR_KIN = re.compile(rf"(?:帮|给|替|代)(?:我|俺)?(?:{_NAMED_KIN}|[他她])(?:填|登记?|报名?|弄|注册)[的了个一下吧]*")
# "我妈会采茶 还会做饭": an answer that starts with a relative and says nothing of oneself is theirs
_KIN_FIRST = re.compile(rf"^(?:我|俺)?(?:{_NAMED_KIN}|妈|娘)")
_OWN_WORD = re.compile(rf"(?:我|俺)(?!{_NAMED_KIN}|妈|娘|家|们)")


def _no_joined(clauses: list[str]) -> list[str]:
    """"工作日 不行", "工作日要上班 不行": a no said alone after a few words is their no ("工作日不行");
    after a longer clause it may be a no of its own ("要坐一个多钟头班车 不去")."""
    joined: list[str] = []
    for clause in clauses:
        before = compact(joined[-1]) if joined else ""
        if before and len(before) <= _SHORT_CLAUSE and _BARE_NO.match(compact(clause)) and not _BARE_NO.match(before):
            joined[-1] += clause
        else:
            joined.append(clause)
    return joined


def own_words(text: str) -> str:
    """The answer without its clauses about a relative or a neighbour ("媳妇在县城上班只有礼拜天回来，
    我是春茶那阵子有空" → "，我是春茶那阵子有空")."""
    if _FOR_KIN.search(text):
        return _FOR_KIN.sub("", text)
    if _THIRD_PERSON.search(text) and not re.search(f"[我俺]|{_NAMED_KIN}", text):
        return text
    if _KIN_FIRST.match(text) and not _OWN_WORD.search(text):
        return text
    return _SOMEONE_ELSE.sub(r"\1", text)


# "看工资 啥都干", "要看是哪个工地": what the answer depends on is no part of it
_DEPENDS = re.compile(r"(?:^|(?<=[\s,.;，。；、]))(?:不过|但是|就是|只是)?(?:要|得|还得|就)?看(?:是)?"
                      r"(?:工资|工钱|钱|价钱|待遇|情况|活|哪个|哪里|天气|远近)[^\s,.;，。；、]*")
# "很想学开挖机，没钱学", "本来想做电商": work wished for is not work one does
_WISHED = re.compile(r"(?:很|一直|早就)?想学[^\s,.;，。；、]*|本来想[^\s,.;，。；、]*")
_A_LIVING = re.compile(r"[给有混赚挣图]口饭吃")  # "给口饭吃啥活都干": a living, not cooking
_DAYS_BY_NUMBER = re.compile(r"星期|礼拜|周(?!末)")
# "重活做不了轻松点的都行", "晚上不行白天可以": a "no" said in one breath before more ends its clause
_NO_THEN = re.compile(r"((?:干不了|做不了|去不了|不行|不来|走不动|没空|没时间|不方便)"
                      r"(?=[\u4e00-\u9fff])(?![的了啊吧呀])"
                      r"|(?<=[\u4e00-\u9fff])不会(?=[\u4e00-\u9fff]{1,6}也不会))")  # "电商不会直播也不会": two noes
# when something was done, said before where: "晚上在厂里值班", "以前在饭店"; no kind of work
_WHEN_SAID = re.compile(r"早上|上午|中午|下午|晚上|夜里|白天|平时|以前|现在|原来|过去|后来|年轻时候?|那时候?")
_A_PLACE = re.compile(r"在([\u4e00-\u9fff]{1,4}?[厂店场站院])")
# "在林场看大门", "在竹制品厂值夜班": a place named by its kind, beside a trade, is only where it was done
# (a shop is work of its own; a factory's own work stays the factory's: "在电子厂装配零件")
_A_SETTING = re.compile(r"在([\u4e00-\u9fff]{1,4}?[厂场站院])|^([\u4e00-\u9fff]{1,4}?厂)")  # or a 厂 said first
# "以前开了十年大巴，后来眼睛不好不开了": a clause that only says the work before it was given up (走不开 is busy)
# "当过保姆 就是蹲久了膝盖疼": a health limit said as a caveat, not the end of the work named before
_CAVEAT = re.compile(r"^(?:就是|只是|不过)")
_ALSO_AT = re.compile(r"[也还]在")  # "也在工地干过": a second workplace, so each place said is work done
_GAVE_UP = re.compile(r"(?:(?<!走)(?:不|没)再?(?:开|干|做|弄|搞)|(?:干|做|开|搬)不(?:动|了)|不能再?(?:干|做|开))了?$")
# "X、Y这种Z": what follows names the kind of work X and Y are examples of (not "…远门 那种手工活",
# where 那种 starts a clause of its own)
_SEPARATORS = " \t\n,，。;；!！?？"  # what ends the list of examples before 这种 and the kind after it
_SUCH = re.compile(r"(?<=[^\s，,。;；])(?:这种|这类|这些|这样的|之类的?|那种|那类|一类的?)")
_MACHINE = re.compile(r"[\u4e00-\u9fff]机(?![会器构关])")  # a machine named by its work: 割草机, 打谷机
LABEL_TYPED, LABEL_SCORE = 4, 90  # a whole answer this close to a long label is that label typed
# A "no" after what it rules out ("晚上不行") or before it ("不想跑远", "除了周末"); when the usual
# side names nothing the other is meant ("县城不去").
_NO_AFTER = (r"太远|[走跑去骑开干做]不动|吃不消|受不了|不出门|不出来|出不来|不行|没有?空|没有?时间|不方便"
             r"|干不了|做不了|去不了|不可以|没法|没办法|不太行|不大行|不一定|算了|除外|不是$|走不开|(?<![做搞干])不来$|不熟|划不来|不划算"
             r"|没[干做学弄搞开用碰]过?$")
_NO_BEFORE = (r"除了|除开|除去|只要不是|(?<!是)不是(?![很太不说])(?!\S*就是)"
              r"|不想|不要|不去|不能|不会|不干|不做|不上|不愿意|不愿|别(?![的人处样个])"
              r"|不[让许准敢]|不[走跑](?=远)")  # "子女不让走远", "不敢开夜车", "不走远"
_NEGATED = re.compile(f"{_NO_AFTER}|{_NO_BEFORE}")
_NO_AT_END = re.compile(f"^[哦噢啊呀那]*(.+?)(?:{_NO_AFTER})[了啊呀吧的]*$")
# "县城？去不了去不了": a no said alone takes back what the clause before named (not a reason, "村里 走不开")
_SHORT_CLAUSE = 6  # characters of a clause whose no may be said after it on its own ("工作日要上班 不行")
_BARE_NO = re.compile(r"^(?:不行|不去|去不了|不要|算了|不可以|不干|干不了|做不了|没空|没时间|不是|[了啊呀吧的])+$")
UNLISTED = "unlisted"  # the concept words' code for work that has no option
# "除了周末都行": what follows 除了 up to these words is what is ruled out
_EXCEPT_END = re.compile(r"都|以外|之外|其他|其余|别的|其它")
_ONLY_SAID = re.compile(r"^[\s,，]*(?:只有|只能|就只|只|仅)")
# "除了直播都行", "除了搬运 别的都会": every option of the list but those named
_ALL_BUT_NAMED = re.compile(r"^(?:除了?|除开|除去)([^，,。\s不没]{1,8}?)(?:以外|之外)?[，,。\s]*"
                            r"(?:别的|其他|其它|其余|剩下)?的?[都也]?(?:行|可以|会|能|成|中|干|做|没问题)[的了啊呀吧]*$")
# Dialect ways of saying "fine" read as 行: "啥时候喊都中", "县里也成", "都要得"
_DIALECT_FINE = re.compile(r"(?<=[都也就])(?:中|成|好|要得|得行|使得|可以)")
# Words that carry no meaning of their own in an answer ("也会", "都行", "的"): a clause made
# only of these was not a missed answer.
_FILLER = re.compile(r"[我也都还会能可以行干做过点些的了啊呀吧嘛呢哦嗯就是有好个这那么]+")


@dataclass(frozen=True)
class Reading:
    """What an answer in one's own words named: the codes, and the parts nothing matched."""

    codes: list[str]
    unknown: list[str]
    unlisted: list[str] = field(default_factory=list)  # a kind of work with no option of its own: "修自行车"
    by_no: list[str] = field(default_factory=list)  # codes only a "no" left ("县城不去" → 本乡镇), none said outright
    # two things the answer could equally mean ("6点到10点": morning or evening): ask, do not guess
    either: tuple[tuple[str, ...], ...] = ()
    guessed: bool = False  # the codes are a learned guess (knowledge/skill_guess.py), not read by the rules
    picked: tuple[str, ...] = ()  # codes picked from the list by number, which no learned doubt undoes
    denied: tuple[str, ...] = ()  # codes said with 不会 ("电商不会"), which no learned doubt puts in

    @property
    def said(self) -> list[str]:
        """The codes said outright, or those a "no" left when nothing was ("本村就行，远了不去" → 本村)."""
        return [c for c in self.codes if c not in self.by_no] or self.codes


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    synonyms: tuple[str, ...]
    skilled: bool = False  # a trade one must have learnt: not offered to people who said 啥都行
    availability: str | None = None  # a season: the free-time answer that means it
    heavy: bool = False  # heavy work unless the job says otherwise


class OptionSet:
    """A numbered list of options that understands numbers, synonyms and near-misses."""

    def __init__(self, options: list[Option], phrases: dict[str, list[str]] | None = None,
                 implies: dict[str, list[str]] | None = None, general: str | None = None,
                 numbered: list[str] | None = None, lexicon: Lexicon | None = None,
                 opposites: dict[str, list[str]] | None = None, no_words: list[str] | None = None,
                 settings: list[str] | None = None, goods: dict[str, Any] | None = None,
                 part_of: dict[str, dict[str, list[str]]] | None = None, clients: list[str] | None = None,
                 absorbs: dict[str, list[str]] | None = None, handled_at: list[str] | None = None,
                 life_story: str | None = None, no_longer: str | None = None):
        self.options = options
        self._by_code = {o.code: o for o in options}
        # the options a question lists by number (all, unless the list would be too long to read at
        # once: then the rest are typed, "电工", "开挖机"); a number picks from these
        self.numbered = [self._by_code[c] for c in numbered] if numbered else options
        self._index = FuzzyIndex(aliases_from((o.code, (o.label, *o.synonyms)) for o in options))
        self._labels = FuzzyIndex({o.label: o.code for o in options if len(compact(o.label)) >= LABEL_TYPED})
        # sayings read before anything else: several codes at once, or a "no" that is part of the saying
        sayings = {compact(p): codes for p, codes in (phrases or {}).items()}
        for option in options:
            sayings.update({compact(a): [option.code] for a in option.synonyms if _NEGATED.search(compact(a))})
        self._sayings = sorted(sayings.items(), key=lambda kv: -len(kv[0]))
        self._lexicon = lexicon  # concept words, read word by word when no option's own words are there
        self._opposites = opposites or {}  # "礼拜天不行" → 工作日: what a ruled-out option leaves
        # this question's own ways of saying no, after what they rule out: "下午要接孙子"
        self._negated = re.compile("|".join([_NEGATED.pattern, *(no_words or [])]))
        # where work is done ("装修", "工地"): not a kind of its own when a trade is named after it
        self._settings = sorted(settings or [], key=len, reverse=True)
        # "直播卖茶叶": what is sold online is not a kind of work of its own
        self._goods_code, self._goods_verbs = (goods or {}).get("code"), (goods or {}).get("verbs", [])
        self._absorbs = absorbs or {}  # "在服装厂剪线头": handwork done in a factory is factory work
        self._handled_at = set(handled_at or [])  # handling goods beside a place's own work is part of it
        # "在鞋厂做了十年，后来回来带孙子": family life told in the story is no trade beside one named
        self._life_story = re.compile(life_story) if life_story else None
        # "焊工眼睛不行了", "挖机手生了": work the person can no longer do, in this clause or the one before
        self._no_longer = re.compile(no_longer) if no_longer else None
        # "给老人理发", "辅导小孩作业": whom a trade with no option serves names no kind of work of its own
        self._clients = re.compile("|".join(sorted(clients, key=len, reverse=True))) if clients else None
        # "帮人家做钟点工，打扫卫生，烧烧饭": chores done for a household are part of that kind of work
        self._part_of = {code: (re.compile("|".join(p["for"])),
                                re.compile("|".join(sorted(p["chores"], key=len)[::-1])))
                         for code, p in (part_of or {}).items()}
        self._aliases = sorted((a for a in self._index.aliases if len(a) >= 2), key=len, reverse=True)
        self._by_initials = _by_initials(self._index, self._aliases)  # "zm有空": 周末 typed by its initials
        self._implies = implies or {}  # "morning+afternoon" → "daytime"
        self._general = general  # 其他 / 随时: dropped when named beside something particular
        # "种了一辈子地", "开过十年车": a verb and its object with a few words put in between
        self._spread = [(re.compile(f"{re.escape(a[0])}[^，。,.]{{1,4}}{re.escape(a[1])}"), key)
                        for a, key in aliases_from((o.code, o.synonyms) for o in options).items()
                        if len(compact(a)) == 2 and a[0] in _VERBS and key != general]
        # every word of every option, longest first: what `named_in` looks for in a job's text
        self._words = sorted(((compact(w), o.code) for o in options for w in (o.label, *o.synonyms)
                              if len(compact(w)) >= 2), key=lambda pair: -len(pair[0]))

    @property
    def labels(self) -> list[str]:
        """The labels a question lists, in the order of their numbers."""
        return [o.label for o in self.numbered]

    @property
    def general(self) -> str | None:
        """The option that stands for every other one (随时, 啥都行), if the question has one."""
        return self._general

    def label(self, code: str) -> str:
        option = self._by_code.get(code)
        return option.label if option else code

    def labels_of(self, codes: list[str]) -> str:
        return "、".join(self.label(c) for c in codes) or "未填"

    def short_labels_of(self, codes: list[str]) -> str:
        """"采茶、农活": each label's first word, to say back what was understood in few words."""
        return "、".join(self.label(c).split("/")[0] for c in codes) or "未填"

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Option | None:
        return self._by_code.get(code)

    def named_in(self, text: str) -> list[str]:
        """Codes whose words appear in a longer text (a job's title), longest words first and
        each stretch of text used once, so "叉车司机" is 挖机/叉车 and not also 驾驶."""
        rest = compact(text)
        found: list[str] = []
        for word, code in self._words:
            if word in rest:
                rest = rest.replace(word, "|")
                if code not in found:
                    found.append(code)
        return found

    def says_no(self, text: str) -> bool:
        """Whether the text rules something out ("晚上不行", "礼拜天要去教堂")."""
        return bool(self._negated.search(compact(text)))

    def parse(self, text: str) -> list[str] | None:
        """Codes the answer names, in the order named; None when it names nothing we know."""
        return self.read(text).codes or None

    def picked(self, text: str, first: Callable[[str], list[str]] | None = None, *,
               words: Callable[[str], Reading] | None = None) -> Reading | None:
        """The answer read as picks from the numbered list ("3号", "最后一个", "1到3", "6 打错了 是4",
        "除了5都行": every other option but the general one), and the words said after them, read by
        `words` (else as this question's words); None when it picks nothing."""
        chosen = pick(text, len(self.numbered))
        told = corrected(text)
        if chosen is not None and compact(told) != compact(text) and pick(told, len(self.numbered)) is None \
                and not only_dropped(told):
            return None  # "1 哦不对 我不会采茶 是种地": the number taken back, and words said instead
        if chosen is None:
            # "重活干不了，1到4可以": picks said after a reason that names no option
            last = _LAST_CLAUSE.fullmatch(normalize(text))
            chosen = pick(last.group(2), len(self.numbered)) if last else None
            if chosen is None or chosen.words or not last or self.read(last.group(1), first).codes:
                return None
        numbers = chosen.numbers or tuple(n for n, option in enumerate(self.numbered, 1)
                                          if n not in chosen.but and option.code != self._general)
        codes = [self.numbered[n - 1].code for n in numbers]
        if not chosen.words:
            return Reading(codes, [], picked=tuple(codes))
        worded = words(chosen.words) if words else self.read(chosen.words, first)
        if len(codes) == 1 and _ONLY_SAID.match(chosen.words) and worded.codes and codes[0] not in worded.codes:
            return worded  # "1 只有礼拜六礼拜天有空": the words say the only answer, the number was a slip
        # "7 8 晚上要照顾老伴": the words say why the rest was not picked; what their "no" leaves is no pick
        said = [c for c in worded.codes if c not in codes and c not in worded.by_no
                and not all(p in codes for p in self._implies.get(c, [c]))]  # "7 8 都行 就是上午下午"
        return replace(worded, codes=codes + said, picked=tuple(codes))

    def read(self, text: str, first: Callable[[str], list[str]] | None = None) -> Reading:
        """Every code the answer names, clause by clause, and the clauses nothing matched.

        A clause that says no ("晚上不行") names what is left (工作日 for "礼拜天不行") or nothing;
        "1 3" names options by number; `first` reads a clause before the options' words do.
        """
        if (chosen := self.picked(text, first)) is not None:
            return chosen
        but = _ALL_BUT_NAMED.match(normalize(text)) if not self._opposites else None
        listed = [o.code for o in self.numbered if o.code != self._general]
        if but and (named := self._named(but.group(1))) and set(named) <= set(listed):  # not 开车: 啥都行
            others = [code for code in listed if code not in named]
            return Reading(others, [], picked=tuple(others))
        if _ONLY_NUMBERS.match(_PICK_BEFORE.sub("", _FINE_AFTER.sub("", arabize(text))) or "-"):
            return Reading([], [text])  # numbers, but none of the list's ("99")
        codes: list[str] = []
        unknown: list[str] = []
        unlisted: list[str] = []
        left: list[str] = []
        plain: list[str] = []
        where: list[str] = []  # codes of a clause that only says where one worked
        besides: list[str] = []  # codes of clauses said as "also" ("夜班也能上")
        given_up: list[str] = []  # codes of a clause followed by one saying that work was given up
        cannot: list[str] = []  # codes of work said to be beyond the person now (`_no_longer`)
        previous: list[str] = []
        last_named: list[str] = []  # the codes of the last clause that named any; none after a "no"
        numbered: list[str] = []  # codes picked by their number
        ruled_out: list[str] = []  # codes a "no" was said of
        denied: list[str] = []  # codes said with 不会: "电商不会", "不会开车"
        days_by_number = bool(_DAYS_BY_NUMBER.search(text))
        alone = False  # the general option said as a clause of its own ("随时")
        typed = self._labels.lookup(text, limit=1, cutoff=LABEL_SCORE)  # "采茶/茶叶加功": a label copied
        if typed and not self.says_no(text):
            return Reading([typed[0].key], [])
        said = _INITIALS.sub(lambda m: self._by_initials.get(m.group(0), m.group(0)), corrected(text))
        said = _NOTHING_ELSE.sub("，", _WISHED.sub("", _DEPENDS.sub("", _A_LIVING.sub("，", said))))
        said = _NO_THEN.sub(r"\1，", own_words(said))
        said = _ASPECT.sub("", _DIALECT_FINE.sub("行", said))
        said = self._sold_online(said)
        story = self._life_story.sub("，", said) if self._life_story else said
        if story != said and self.read(story, first).codes:
            return self.read(story, first)
        if (of_kind := self._of_kind(said, first)) is not None:
            return self.read(of_kind, first)
        heard = ""  # the clauses read so far, run together
        for clause in _no_joined([c for c in _CLAUSES.split(said) if c]):
            # "还有做饭 哦做饭不行": the same words said again with a "no" take back what they named
            if (back := _NO_AT_END.match(compact(clause))) and back.group(1) in heard:
                codes = [c for c in codes if c not in self._options_words_in(back.group(1))[0]]
            heard += compact(clause)
            firsts = first(clause) if first else []
            named, by_no, ruled = (firsts, [], []) if firsts else self._clause(clause)
            ruled_out.extend(ruled)
            denied.extend(ruled if "不会" in clause else [])
            # "采茶和4": a number picked among the words (not "星期6 7", the days named by number)
            if not days_by_number and _NUMBERED.fullmatch(arabize(_POINTED.sub("", compact(clause)))):
                numbered.extend(named)
            if named and self._clients and self._clients.search(clause):
                served = self._clause(self._clients.sub("", clause))
                named, by_no = served[:2] if UNLISTED in served[0] else (named, by_no)
            if not firsts and self._only_where(clause):
                where.extend(named)
                continue
            left.extend(by_no)
            plain.extend(c for c in named if c not in by_no)
            found = [c for c in named if c in self._by_code]
            found = [c for c in found if not any(c in self._absorbs.get(other, ()) for other in found)]
            codes.extend(c for c in found if c not in codes)
            alone = alone or found == [self._general]
            besides.extend(found if "也" in clause else [])
            if UNLISTED in named and not found:
                unlisted.append(clause)
            if self._no_longer and (beyond := self._no_longer.search(clause)):
                cannot.extend(found or self._named(compact(clause[:beyond.start()]))
                              or ([] if _CAVEAT.match(clause) else last_named))
            elif not found and _GAVE_UP.search(clause):
                given_up.extend(previous)
            elif not found and _FILLER.sub("", compact(clause)):
                unknown.append(clause)
            if not found and _BARE_NO.match(compact(clause)):
                codes = [c for c in codes if c not in previous]
            previous = found
            # "光开车 搬的不干 腰不好": the reason after a "no" is that no's, not the work before it
            last_named = found or ([] if self._negated.search(compact(clause)) else last_named)
        # "晚上没空，白天睡醒了没空，下午有空": what one "no" leaves is not what another rules out
        codes = [c for c in codes if not (c in ruled_out and c in left and c not in plain)]
        codes = [c for c in codes if c not in given_up] or codes
        codes = [c for c in codes if c not in cannot]
        # "会开叉车，在仓库开了八年": the place is where the trade was done, not a kind of work besides;
        # but "在茶场 也在工地干过", "在鞋厂做过 手工也行" list the places one worked at beside other work
        places = [c for c in dict.fromkeys(where) if c in self._by_code]
        worked_at = bool(_ALSO_AT.search(said)) or bool(besides and not set(besides) & set(places))
        codes = codes + [c for c in places if c not in codes] if worked_at else codes or places
        for code, parts in self._implies.items():
            if all(p in codes for p in parts):
                codes = _joined(codes, code, parts)
            elif code in codes and code != self._general and any(p in codes for p in parts):
                codes.remove(code)  # "白天上半天": the part of the day, not the whole day besides
        # "夜班也能上，随时": what is said as "also" is part of a general option that covers it
        covers = alone and self._general in self._implies and all(c in besides for c in codes if c != self._general)
        if self._general in codes and len(codes) > 1:
            codes = [self._general] if covers else [c for c in codes if c != self._general]
        for code, (household, chores) in self._part_of.items():
            # "会烧菜，也帮人家打扫卫生": chores said before work for a household said as "also" are a
            # trade of their own
            for_whom = household.search(text)
            if for_whom is None or code not in codes:
                continue
            also = re.search(r"也[^，,。；;\s]{0,3}$", text[:for_whom.start()])
            rest = text[:for_whom.start()] + chores.sub("", text[for_whom.start():]) if also else chores.sub("", text)
            if rest != text:
                codes = [c for c in codes if c in self.read(rest, first).codes or c == code]
        return Reading(codes, unknown, unlisted, [c for c in left if c in codes and c not in plain],
                       picked=tuple(c for c in numbered if c in codes),
                       denied=tuple(c for c in dict.fromkeys(denied) if c not in codes))

    def _of_kind(self, said: str, first: Callable[[str], list[str]] | None) -> str | None:
        """"剥笋、剥毛豆这种拿回家做的手工活" → "拿回家做的手工活": the examples before 这种 are of the kind
        named after it, which is read instead of them; what is said before the examples and after
        the kind stands ("做手工 串灯笼那种 也做过保洁"). None when no 这种 names a kind."""
        for such in reversed(list(_SUCH.finditer(said))):
            tail = said[such.end():].lstrip(_SEPARATORS)
            kind = re.split(f"[{_SEPARATORS}]", tail, maxsplit=1)[0]
            if self.read(kind, first).codes not in ([], [self._general]):
                examples = re.search(f"[^{_SEPARATORS}]*$", said[:such.start()])
                return said[:examples.start() if examples else such.start()] + "，" + tail
        return None

    def _sold_online(self, text: str) -> str:
        """"直播卖过茶叶和番薯干" → "直播卖": all that is listed as sold online is goods, not work."""
        pieces = re.split(r"([，,。;；\s]+)", text)
        for i, piece in enumerate(pieces):
            for verb in self._goods_verbs:
                head, found, _sold = piece.partition(verb)
                if found and self._goods_code in self._named(compact(head)):
                    pieces[i] = head + found
                    break
        return "".join(pieces)

    def _only_where(self, clause: str) -> bool:
        """The clause names a place of work and nothing more: "在仓库开了八年", "在饭店干过", "工地上开了十来年"."""
        key = compact(clause)
        place = _A_PLACE.match(key)  # "在船厂干过": a place named by its kind, 厂 or 店
        setting = next((s for s in self._settings if s in key), place.group(1) if place else "")
        # without 在, only the place with the work done there said by a bare verb ("食堂里也帮过忙" is cooking)
        at = key.startswith("在") or (bool(setting) and re.match(f"{setting}(?:上|里|里面|里头)[也都]?[开干做待呆]",
                                                                key) is not None)
        return bool(setting) and at and not self._named(key.removeprefix("在").replace(setting, "|", 1).strip("|"))

    def _clause(self, clause: str) -> tuple[list[str], list[str], list[str]]:
        """What the clause names, which of it only a "no" left, and what the "no" ruled out."""
        key = compact(clause)
        numbered = _NUMBERED.fullmatch(arabize(_POINTED.sub("", key)))  # "1和晚上", "第二个", "那个7"
        if numbered and 1 <= int(numbered.group(1)) <= len(self.numbered):
            return [self.numbered[int(numbered.group(1)) - 1].code], [], []
        said = [(alias, codes) for alias, codes in self._sayings if alias in key]
        unsaid = key
        for alias, _codes in said:
            unsaid = unsaid.replace(alias, "|")
        # "不要太远", "太远不行": the no is the saying's own when nothing else is ruled out
        if said and (not self._negated.search(unsaid) or not self._named(self._negated.sub("", unsaid).strip("|"))):
            saying = list(dict.fromkeys(c for _, codes in said for c in codes))
            # "没啥本事，就是带孙子带了六年": a saying of "nothing special" leaves the rest of the clause to say
            also = [c for piece in unsaid.split("|") for c in self._named(piece)] if saying == [self._general] else []
            return list(dict.fromkeys([*saying, *also])), [], []
        negation = self._negated.search(key)
        if negation is None:
            return self._named(key), [], []
        before, after = key[:negation.start()], key[negation.end():]
        if re.fullmatch(_NO_BEFORE, negation.group(0)):
            end = _EXCEPT_END.search(after)  # "除了周末都行": the ruled-out part ends at 都
            ruled, rest = (after[:end.start()], before + after[end.start():]) if end else (after, before)
        else:
            ruled, rest = before, after
        named = self._named(ruled)
        if not named:  # "县城不去": the other side
            ruled, rest = rest, ruled
            named = self._named(ruled)
        said_alone = not _FILLER.sub("", self._options_words_in(ruled)[1].replace("|", ""))
        for code, parts in self._implies.items():  # "上午下午都不行": the day is ruled out, the evening left
            if said_alone and all(p in named for p in parts):
                named = _joined(named, code, parts)
        # "不是上午，是晚上": a slip put right, which leaves nothing else said
        left = [] if negation.group(0) == "不是" else [o for c in named for o in self._opposites.get(c, [])]
        return list(dict.fromkeys([*left, *self._named(rest)])), left, named

    def _named(self, key: str, near: bool = True) -> list[str]:
        """What a clause without a "no" names: the options' own words, then concept words in the
        rest (some, like 农忙, only there to be ruled out), then (`near`) a near-miss of the whole clause."""
        if not key:
            return []
        for verb in self._goods_verbs:
            head, found, _sold = key.partition(verb)
            if found and self._goods_code in self._named(head):
                key = head + found
        place = _A_SETTING.search(key)
        settings = [*self._settings, place.group(1) or place.group(2)] if place else self._settings
        for setting in settings:  # "装修水电": 水电, not 装修
            head, found, after = key.partition(setting)
            # what is done there, said in words of its own ("在鞋厂做十年" is no slip for 做视频)
            named_after = self._named(after, near=False) if found else []
            if named_after == [self._general]:  # "在工地打杂": odd jobs at a place are its kind of work
                named_after = self._named(setting) or named_after
            handled = setting in self._settings and self._handled_at & set(named_after)
            field = self._named(setting) if handled else []
            if len(field) == 1 and field[0] in named_after:  # "在超市理货收钱": the shop's work
                named_after = [c for c in named_after if c not in self._handled_at]
            if named_after:
                # "在厂里贴标签装盒子": work of the kind the place's own absorbs is the place's work
                # (not "在家给厂里钉扣子", done for it elsewhere)
                here = self._named(setting) if head.endswith("在") or not head else []
                named_after = list(dict.fromkeys(
                    next((h for h in here if c in self._absorbs.get(h, ())), c) for c in named_after))
                head = head.rpartition("在")[0] if "在" in head else head  # "在物流公司开车": 物流 names the place
                said_before = _FILLER.sub("", _WHEN_SAID.sub("", head.replace("在", "")))  # "晚上在厂里…"
                return list(dict.fromkeys([*(self._named(head) if said_before else []), *named_after]))
        inside, rest = self._options_words_in(key)
        concepts = self._lexicon.codes(rest) if self._lexicon and rest.strip("|") else []
        if inside or concepts:
            return list(dict.fromkeys([*inside, *concepts]))
        if not near or self._lexicon and self._lexicon.known(key) or _MACHINE.search(key):  # "老伴" is no slip
            return []  # for 早班, nor "割草机" for 割草
        # a near-miss shares a character, or sounds just the same ("平车" is no slip for 评茶)
        hits = [h for h in self._index.lookup(key, limit=1, cutoff=80)
                if set(h.alias) & set(key) or self._index.sounds_like(key) == h.key]
        if hits:
            return [hits[0].key]
        spread = list(dict.fromkeys(code for pattern, code in self._spread if pattern.search(key)))
        return spread or self._index.sounds_contained(key, sharing=True)  # a misheard word: 彩茶 for 采茶


    def _options_words_in(self, key: str) -> tuple[list[str], str]:
        """Codes of the options' own words inside the clause, longest first, each stretch of text
        used once and none cutting across two of jieba's words ("今天天气" holds no 天天); and
        the text left over; "割草机" names a machine, not 割草."""
        cuts = self._lexicon.cuts(key) if self._lexicon else None
        found: list[str] = []
        rest = key
        for alias in self._aliases:
            start = rest.find(alias)
            while start >= 0:
                end = start + len(alias)
                machine = rest[end:end + 1] == "机"  # "割草机", "打谷机": the machine, not the work
                if (cuts is None or start in cuts or end in cuts) and not machine:
                    found.append(self._index.exact(alias) or "")
                    rest = rest[:start] + "|" * len(alias) + rest[end:]
                start = rest.find(alias, start + 1)
        return list(dict.fromkeys(found)), rest


_LAST_CLAUSE = re.compile(r"(.*)[\s,，。;；]+([^\s,，。;；]+)")  # what is said before the last clause, and it
# a word typed by its pinyin initials, two or three letters, not a letter said twice ("dd" is 滴滴, "jj" 哥哥)
_INITIALS = re.compile(r"(?<![a-z])(?!([a-z])\1)[a-z]{2,3}(?![a-z])")


def _by_initials(index: FuzzyIndex, aliases: list[str]) -> dict[str, str]:
    """Short words by the first letters of their pinyin ("zm" → 周末), where those letters stand for
    words of one option only."""
    heard: dict[str, dict[str, str]] = {}
    for alias in (a for a in aliases if 2 <= len(a) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in a)):
        letters = "".join(syllable[0] for syllable in pinyin_key(alias).split())
        heard.setdefault(letters, {})[alias] = index.exact(alias) or ""
    return {letters: min(words, key=len) for letters, words in heard.items() if len(set(words.values())) == 1}


def _joined(codes: list[str], code: str, parts: list[str]) -> list[str]:
    """The codes with `parts`, all named, said as the one code they make up (上午 and 下午 are 白天)."""
    return list(dict.fromkeys(code if c == parts[0] else c for c in codes if c not in parts[1:]))


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("knowledge").joinpath(f"data/{name}").read_text("utf-8"))
    return data


@lru_cache(maxsize=1)
def options_data() -> dict[str, Any]:
    """The option lists and their sayings, as written (taxonomy.json)."""
    return _load("taxonomy.json")


@lru_cache(maxsize=1)
def answer_words() -> dict[str, Any]:
    """How people name kinds of work, times and distances, by concept (answer_words.json)."""
    return _load("answer_words.json")


def _options(section: str) -> OptionSet:
    extra = options_data().get(f"{section}_phrases", {})
    words = answer_words().get(section, {})
    lexicon = Lexicon(words["words"], words.get("pairs", []), words.get("endings"), [UNLISTED]) if words else None
    return OptionSet([Option(e["code"], e["label"], tuple(e["synonyms"]), e.get("skilled", False),
                             e.get("availability"), e.get("heavy", False)) for e in options_data()[section]],
                     extra.get("phrases"), extra.get("implies"), extra.get("general"), extra.get("numbered"),
                     lexicon, words.get("opposites"), words.get("no_words"), words.get("settings"),
                     words.get("goods"), words.get("part_of"), words.get("clients"), words.get("absorbs"),
                     words.get("handled_at"), words.get("life_story"), words.get("no_longer"))


@lru_cache(maxsize=1)
def skills() -> OptionSet:
    return _options("skills")


@lru_cache(maxsize=1)
def availability() -> OptionSet:
    return _options("availability")


@lru_cache(maxsize=1)
def travel_ranges() -> OptionSet:
    return _options("travel_ranges")


@lru_cache(maxsize=1)
def seasons() -> OptionSet:
    return _options("seasons")

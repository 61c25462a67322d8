"""An answer to a list question put right while it is typed, settled to what it ends up saying:
"3 还有烧饭 不对不对 3按错了 是2 种地" is 烧饭 and 种地; "4 来料加工 再加个6 哦6是厨师啊 那不要" is 4;
"八 下午 還有九 晚上 九不要了" is 8; "2 3 就是都行 那就1吧" is 1. Each clause is read on its own by the
question's reader, then what it adds, takes back or settles on is applied in the order said."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from knowledge.picks import numerals_as_digits
from knowledge.taxonomy import Reading
from knowledge.text import normalize

# what ends a clause; a clause ending in a question mark asks, it does not answer ("5是啥 建筑？")
_BREAK = re.compile(r"([\s,，。;；、!！…?？]+)")
# said alone: what comes next replaces the last thing said ("1 哦打错了 是4"), unless it only drops
_WRONG = r"不对不对|不对|说错了|说错|打错了|按错了|搞错了|写错了|弄错了|选错了|点错了|不是不是|算了"
_WRONG_ALONE = re.compile(rf"^(?:{_WRONG}|不是|不不?)[啊了吧]*$")
_WRONG_FIRST = re.compile(rf"^(?:{_WRONG})(?=.)")  # "算了6去掉": the correction, then the rest
_INTERJECTION = re.compile(r"^[哦噢哎诶呃啊嗯唉]+(?=.)")  # "哦6是厨师啊": what starts a clause, said in passing
_FILLER = re.compile(r"^(?:[哦噢哎诶呃啊嗯唉]+|等下|等一下|等等|我看看|让我想想|想想)$")
# "7 8 都可以 9不行": the options just named are fine, not "any"
_FINE = re.compile(r"^[都也]?(?:行|可以|会|能|中|成|好)[的吧呀啊]*$")
_DROP_WORDS = r"(?:也)?(?:不要了?|去掉|划掉|删掉|删了|不算|不行|不对|[按打写选点说搞弄]错了|说错)"
_NUMBER_DROPPED = re.compile(rf"^(\d{{1,2}})(?:号|个)?{_DROP_WORDS}$|^(?:去掉|划掉|删掉|不要)(\d{{1,2}})(?:号|个)?$")
# "直播不太会 划掉", "春茶季不行": words said again with a "no", taking back what they named before
_WORDS_DROPPED = re.compile(r"^(.{1,5}?)(?:我?也?(?:不太会|不会|不行|不要了?|去掉|划掉|算了|不干|干不了|没空))"
                            r"[了啊吧的]*$")
_BARE_DROP = re.compile(r"^那(?:个|这个|那个)?(?:不要了?|不对|不行|就不要了?)[了啊吧]*$"
                        r"|^(?:这个|那个)?(?:不要了|去掉|划掉|删掉)[了啊吧]*$")
# "6是厨师啊", "5是啥": a number looked at, for a "那不要" after it
_LOOKED_AT = re.compile(r"^(\d{1,2})(?:号)?是(?:啥|什么|干啥的|哪个|.{1,6}?)[啊呀吗嘛哦]*$")
# "那就1吧", "写6", "你随便填个随时吧", "那应该是6吧": the answer settled on, whatever came before
_SETTLED = re.compile(r"^(?:那|那么)?(?:你)?(?:随便)?(?:就|还是)?(?:写|填|选|改成|换成|应该是|就是说)(?:个|上)?(.+?)"
                      r"(?:吧|好了|得了|就行了?|就好)?$|^那就(.+?)(?:吧|好了|得了)$|^就(\d{1,2})(?:个|号)?吧?$")
# "晚上不要了 熬不住夜 就白天": after something is taken back, what is left said as the only thing
_JUST_THIS = re.compile(r"^(?:那|那么)?(?:就|只)(?:做|要|干|选)?(.{1,4}?)(?:吧|了|好了|算了)?$")
_ADDED = re.compile(r"^(?:我要的是|我要选的是|要选的是|选的是|我是说|我的意思是|再加个?|加个|加上|还有|另外|是)")
_ALSO = re.compile(r"^(?:还有|再加|加个|加上|另外)")
_NUMBER = re.compile(r"\d+[号个]?")
_COUNT = re.compile(r"^(?:\d|两)个$")  # "两个 1和2 不对 三个 还有4": how many, said beside the numbers
_NOT_THIS = re.compile(r"^不是(.+)$")  # "说错了 不是电焊 是电工"
_SEASON_END = re.compile(r"(?<=.)(?:季|季节|的时候|时候|那阵子?)$")  # "春茶季不行" after "农闲和春茶都行"
_ALL_BUT = re.compile(r"^(?:其他|其它|别的|其余)[的都也]*(?:行|可以|会|能|中|成|没问题)")


@dataclass
class _Group:
    """What is said between two corrections or before a 还有: its codes and its clauses' words."""

    codes: list[str]
    words: list[str]


@dataclass
class _Said:
    """The answer's groups still kept after each clause, and what is waiting to be applied."""

    kept: list[_Group] = field(default_factory=list)
    heard: str = ""
    looked_at: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # what was last taken back: said again, it is the reason
    wrong: bool = False  # a correction said alone, waiting for what it corrects
    grouped: bool = False  # the last clause added to the last group: "6 白天" is one thing said twice
    changed: bool = False  # anything taken back or settled: the answer was put right

    def codes(self) -> list[str]:
        return list(dict.fromkeys(c for group in self.kept for c in group.codes))

    def drop(self, codes: list[str]) -> None:
        for group in self.kept:
            group.codes = [c for c in group.codes if c not in codes]
        self.kept = [group for group in self.kept if group.codes]
        self.dropped, self.wrong, self.grouped, self.changed = list(codes), False, False, True

    def settle(self, codes: list[str]) -> None:
        self.kept = [_Group(codes, [])]
        self.changed, self.wrong, self.grouped = True, False, False

    def add(self, codes: list[str], clause: str, also: bool) -> None:
        if not codes:
            return
        if self.wrong and not also and self.kept:
            # "6 白天 哦不对 是7 上午": what follows the correction replaces what was said before it;
            # "采茶 不对 采茶是前几年的事了": unless it says the same words again, to say why
            last = self.kept.pop()
            self.dropped, self.changed, self.wrong, self.grouped = last.codes, True, False, False
            if set(codes) <= set(last.codes) and any(len(words) > 1 and words in clause for words in last.words):
                return
        elif set(codes) <= set(self.dropped):  # "4不要 农闲我要出去打工": the reason, not an answer
            return
        words = _NUMBER.sub("", clause)
        if self.grouped and not also:
            self.kept[-1].codes += codes
            self.kept[-1].words.append(words)
        else:
            self.kept.append(_Group(list(codes), [words]))
        self.grouped, self.dropped = True, []


def settle(text: str, read: Callable[[str], Reading]) -> list[str] | None:
    """The codes an answer settles on once its corrections are applied, each clause read by `read`;
    None when the answer takes nothing back (then the whole answer is read as usual)."""
    said = _Said()
    parts = _BREAK.split(numerals_as_digits(normalize(text)))
    clauses = [(parts[i], i + 1 < len(parts) and bool(re.search("[?？]", parts[i + 1])))
               for i in range(0, len(parts), 2) if parts[i]]
    if any(_ALL_BUT.match(clause) for clause, _ in clauses):
        return None  # "8、9不要，其它都行": the options left, read as a whole
    counted = sum(bool(re.search(r"\d", c)) for c, _ in clauses) > 1

    def codes(words: str) -> list[str]:
        return read(words).codes

    for clause, asks in clauses:
        clause = _INTERJECTION.sub("", clause) or clause
        if first := _WRONG_FIRST.match(clause):
            said.wrong, clause = True, clause[first.end():]
        if counted and _COUNT.match(clause):
            # "两个 1和2 不对 三个 还有4": the count was put right, the numbers said stand
            said.changed, said.wrong = said.changed or said.wrong, False
            continue
        if _FILLER.match(clause) or (said.kept and _FINE.match(clause)):
            continue
        if _WRONG_ALONE.match(clause):
            said.wrong = True
            continue
        if asks or (looked := _LOOKED_AT.match(clause)) is not None:
            said.looked_at = codes(looked.group(1)) if not asks and looked else codes(clause)
            continue
        if settled := _SETTLED.match(clause):
            named = codes(next(g for g in settled.groups() if g))
            if named and said.kept:
                said.settle(named)
                continue
        if said.changed and (just := _JUST_THIS.match(clause)) and (named := codes(just.group(1))):
            said.settle(named)
            continue
        if number := _NUMBER_DROPPED.match(clause):
            said.drop(codes(number.group(1) or number.group(2)))
            continue
        if _BARE_DROP.match(clause):
            if said.looked_at or (said.kept and not said.dropped):
                said.drop(said.looked_at or said.kept[-1].codes)
            said.looked_at = []
            continue
        words = _WORDS_DROPPED.match(clause)
        if words and _SEASON_END.sub("", words.group(1)) in said.heard and (named := codes(words.group(1))):
            said.drop(named)  # "还有直播 直播不太会": the same words said again with a no
            continue
        if said.wrong and (not_this := _NOT_THIS.match(clause)) and (named := codes(not_this.group(1))):
            said.drop(named)  # "不是电焊 是电工": what it is comes next, added beside the rest
            continue
        said.heard += clause
        reading = read(_ADDED.sub("", clause) or clause)
        if reading.by_no and set(reading.codes) <= set(reading.by_no):
            continue  # "下午要带孙子" after the answer: why, not more of it
        said.add(reading.codes, clause, bool(_ALSO.match(clause)))
    return said.codes() if said.changed else None

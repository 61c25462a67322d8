"""Picks from a numbered list as people type them: "3号", "第一个", "最后一个", "倒数第二个", "头两个",
"1到3", "除了5都行", "8不要 其他都可以", and a number taken back ("6 哦打错了 是4", "5，不是，我是说7",
"1和2，2不要了，就1"). What is left of an answer once its picks are read is words for the caller
("1、2都会，还能在超市收银")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import choice_numbers, normalize


@dataclass(frozen=True)
class Pick:
    numbers: tuple[int, ...]  # the options picked, in the order said
    but: tuple[int, ...] = ()  # "除了5都行": every option but these (numbers is empty then)
    words: str = ""  # what the answer says after its numbers, to be read as words


# a numeral that picks ("一和三", "第七个", "头两个"), not one inside a word ("一早", "三轮车", "一般")
_NUMERALS = {**{n: i for i, n in enumerate("一二三四五六七八九", 1)}, "两": 2}
_NUMERAL = re.compile(r"[一二三四五六七八九两](?=[和跟及与到至个号项条、,，。\s都也不吧还或算]|$)")
# a number taken back: what follows replaces it ("5，不是，我是说7"; "不是" only between two picks)
_TAKEN_BACK = re.compile(r"哦?不对不对|哦?不对|说错了|打错了|搞错了|写错了|按错了|哦不是|哦不|算了"
                         r"|(?<=\d)[,，\s]*不(?!对)是?(?=[,，\s]*\D*\d)")  # "4不5", "4 不是 5"
_SAYING = re.compile(r"^(?:我|俺)?(?:是说|选|要|就|应该是|是|还是|改成|换成|改为|填|写)+")
# "7吧 也可能5", "4 或者3": a second number said as maybe is picked too
_MAYBE = re.compile(r"(?<=\d)吧?[,，\s]*(?:也可能|也许|或者|或)[是选]?(?=\s*\d)")
# "两个 1和3", "选三个 1 2 5": how many, said before the numbers
_COUNT_FIRST = re.compile(r"^[2-9](?:个|样|项)[\s,，:：、]*(?=\d)")
_LAST = re.compile(r"最后(?:1|那)?个|最后1项|最末1个")
_FROM_END = re.compile(r"倒数第(\d)个?")
_MIDDLE = re.compile(r"中间(?:那|的|1)?个")
_FIRST_FEW = re.compile(r"(?:头|前面?)(\d)(?:个|样|项)|头个")
_LAST_FEW = re.compile(r"(?<!最)后(\d)个")
_NTH = re.compile(r"第(\d{1,2})(?:个|项|条|号)?|(?<!\d)(\d{1,2})号")
_RANGE = re.compile(r"(?<!\d)(\d)\s*(?:到|至|-|~|～|—+)\s*(\d)(?!\d|点|号|月|岁|块|元|公里|里|分|小时)")
_NUMBERS_SAID = r"[\d、,，和跟及与\s]+?"  # "5", "3和8", "1、2、3": the numbers of a pick, however joined
_EXCEPT = r"(?:除了?|除开|除去)"
_REST = r"(?:其他|其它|别的|其余)"
# "除了5都行", "除了3和8", "8不要 其他都可以", "5不要了"
_ALL_BUT = re.compile(rf"^{_EXCEPT}(?P<a>{_NUMBERS_SAID})(?:以外|之外)?"
                      rf"(?:[,，\s]*{_REST}?[都也]?(?:行|可以|会|能|要|中|成|没问题)?"
                      r"(?:做|干)?(?:一点|点)?)?(?:[,，\s]+(?P<why>[^\d]+))?$"
                      rf"|^(?P<b>{_NUMBERS_SAID})(?:不要了?|不行|不会|不去|除外)[,，\s]*{_REST}[都也]?"
                      r"(?:行|可以|会|能|要|中|成|没问题)$")
# "1到6除了5都会": the numbers said, but for those after 除了
_THESE_BUT = re.compile(rf"^(?P<these>{_NUMBERS_SAID})[,，\s]*{_EXCEPT}(?P<but>{_NUMBERS_SAID})"
                        rf"(?:以外|之外)?[,，\s]*{_REST}?[都也]?(?:行|可以|会|能|要|中|成)?(?:做|干)?$")
_DROPPED = re.compile(r"(\d)(?:也)?不要了?|(\d)不行")  # "1和2，2不要了"
_ONLY = re.compile(r"(?:^|[,，\s])(?:就|只要|只)(\d)(?:个|号)?$")  # "…，就1": the one left
_FINE = re.compile(r"(?:[都也就]?(?:行|可以|会|能|中|成|好|要)(?:干|做)?|吧|的|呀|啊|这几个|这些|几个)+$")
_NUMBERS = re.compile(r"^(?:\d+个?[\s,，、。;；和跟及与还有]*)+$")
_NUMBERS_THEN_WORDS = re.compile(r"^((?:\d{1,2}[\s,，、。;；和跟及与]*)+)(?:[都也](?:会|行|可以|能))?[\s,，、。;；]*"
                                 r"(?:还有|另外|还能|还会|也能|也会|和|跟)?(?=[^\d\s,，、。;；])")


def pick(text: str, count: int) -> Pick | None:
    """The picks an answer makes from a list of `count` numbered options, or None when it makes none
    (or names a number not on the list: "8到9点" is a time, "3年" how long)."""
    said = numerals_as_digits(normalize(text)).strip()
    if not re.search(r"\d|最后|中间|头个", said):
        return None
    parts = _TAKEN_BACK.split(said)
    if len(parts) > 1 and re.search(r"\d|最后|中间", parts[-1]):
        # "2 3 不对 3不要": what is taken back is only the number said not to be wanted
        said = " ".join(parts) if only_dropped(parts[-1]) else parts[-1]
    said = _MAYBE.sub("、", _COUNT_FIRST.sub("", _SAYING.sub("", said.strip(" ,，。、.…"))))
    said = _FROM_END.sub(lambda m: str(count - int(m.group(1)) + 1), said)
    said = _LAST.sub(str(count), said)
    said = _MIDDLE.sub(str((count + 1) // 2) if count % 2 else "中间", said)
    said = _FIRST_FEW.sub(lambda m: f"1到{m.group(1)}" if m.group(1) and m.group(1) != "1" else "1", said)
    said = _LAST_FEW.sub(lambda m: f"{count - int(m.group(1)) + 1}到{count}", said)
    said = _NTH.sub(lambda m: m.group(1) or m.group(2), said)
    said = _RANGE.sub(lambda m: "、".join(str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1))
                      if int(m.group(1)) < int(m.group(2)) else m.group(0), said)
    if (these := _THESE_BUT.match(said)) and (kept := tuple(
            n for n in _on_the_list(these["these"], count) if n not in _on_the_list(these["but"], count))):
        return Pick(kept)
    if but := _ALL_BUT.match(said):
        excluded = _on_the_list(but.group("a") or but.group("b"), count)  # "除了5和7 其他都能做 腰不好": and why
        return Pick((), excluded, words=but.group("why") or "") if excluded else None
    if only := _ONLY.search(said):
        said = only.group(1)
    dropped = {d for m in _DROPPED.finditer(said) for d in m.groups() if d}
    said = _DROPPED.sub("", said)
    bare = _FINE.sub("", said).strip(" ,，。、")
    if _NUMBERS.match(bare):
        kept = tuple(n for n in _on_the_list(bare, count) if str(n) not in dropped)
        return Pick(kept) if kept else None
    if lead := _NUMBERS_THEN_WORDS.match(said):
        numbers = tuple(n for n in _on_the_list(lead.group(1), count) if str(n) not in dropped)
        rest = said[lead.end():]
        if numbers and not re.match(r"[年岁月天日号点块元次亩斤个多来分小时公里到至:：~-]", rest):
            return Pick(numbers, words=rest)
    return None



def numerals_as_digits(text: str) -> str:
    """The numerals that pick written as digits ("一和三" → "1和3"), the others left ("一早", "三轮车")."""
    return _NUMERAL.sub(lambda m: str(_NUMERALS[m.group(0)]), text)


def only_dropped(text: str) -> bool:
    """Whether a correction only says a number is not wanted ("3不要 家里走不开")."""
    return bool(_DROPPED.match(normalize(text).strip(" ,，。")))


def _on_the_list(said: str, count: int) -> tuple[int, ...]:
    """The numbers said that are options of the list, once each, in order; none when one is not."""
    return tuple(choice_numbers(said, count) or ())

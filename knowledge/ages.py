"""Reading an age from what people say: "六十八", "68岁", "1958年的", "58年生", "虚岁七十八", and
the rough ways that leave several ages open ("七十多", "快七十", "属龙的") unless said together
("属龙的，七十多了" → 74)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import arabize, corrected, integers, normalize

MIN_AGE, MAX_AGE = 16, 90
_YEAR = re.compile(r"\d{2,4}\s*年|\d\s*年(?:的|生|出生)")  # "61年的", "零六年生"
_AGED = re.compile(r"(\d{1,2})\s*(岁|周岁)")
_MINE = re.compile(r"(?:我|俺|本人)(?:今年|已经)?(\d{1,2})(?!\d)")
_NOMINAL = re.compile(r"虚岁")  # the traditional count: one year more than one's age
_OTHERS = re.compile(r"老伴|老头|老婆|老公|爱人|儿子|女儿|孙子|孙女|媳妇|女婿")  # whose age is not asked
ZODIAC = "鼠牛虎兔龙蛇马羊猴鸡狗猪"
RAT_YEAR = 2020  # a year of the rat: the animals follow from it
_ANIMAL = re.compile(f"属老?([{ZODIAC}])")  # "属老虎的", "属老鼠"
# "七十多", "六十几", "五十来岁", "六十出头", "五十好几": the tens said, the rest not
_ROUGH_OVER = re.compile(r"(\d)0岁?(多|几|来|出头|好几)")
# "快七十了", "奔七十", "七十不到", "不到七十岁": a little under
_ROUGH_UNDER = re.compile(r"(?:快|将近|奔|差不多|不到|没到|不满)(\d)0|(\d)0岁?(?:不到|没到|差一点|差点)")
_OVER_SPAN = {"出头": 3, "好几": 9}
_AND_UNITS = re.compile("十有(?=[一二三四五六七八九])")  # "七十有三": the old way of saying 七十三
_DIGITS = "一二三四五六七八九"
# "五十七八", "六七十": neighbouring numerals said together, either may be meant
_UNITS_TWO = re.compile(f"([{_DIGITS}])十([{_DIGITS[:-1]}])([{_DIGITS[1:]}])")
_TENS_TWO = re.compile(f"([{_DIGITS[:-1]}])([{_DIGITS[1:]}])十(?![{_DIGITS}])")


@dataclass(frozen=True)
class Age:
    """What an answer says of one's age: the ages it leaves open (one when sure; the likeliest
    first), the birth year when said, and whether it was said roughly (a second answer may say more)."""

    ages: tuple[int, ...]
    birth_year: int | None = None
    rough: bool = False

    @property
    def sure(self) -> int | None:
        return self.ages[0] if len(self.ages) == 1 else None


_PARTS = re.compile(r"[\s,，。;；?？!！]+")


# "是65不是56": an age said not to be the one is no age
_NOT_THIS = re.compile(r"不是[\d一二三四五六七八九十零〇两]+岁?"
                       r"|(?:打|写|按|填|说|输)(?:成|错成)了?[\d一二三四五六七八九十零〇两]+岁?")  # "刚才手抖打成19了"


def read_age(text: str, this_year: int) -> Age | None:
    """The ages an answer allows; None when it says nothing of an age. An exact age said last, as
    a part of its own, makes a rough one before it exact ("六十岁出头 六十一", "属猴的 六十六");
    two exact ages that differ ("60 70") are left as said."""
    text = _NOT_THIS.sub("", corrected(text))
    parts = [p for p in _PARTS.split(text) if p]
    last = _read_age(parts[-1], this_year) if len(parts) > 1 and not _OTHERS.search(parts[-1]) else None
    if last is None or last.sure is None or not MIN_AGE <= last.sure <= MAX_AGE:
        return _read_age(text, this_year)
    before = _read_age(" ".join(parts[:-1]), this_year)
    return last if before is None or before.sure in (None, last.sure) else _read_age(text, this_year)


# "六十 七": a numeral typed in two pieces
_NUMERAL_SPLIT = re.compile(r"(?<=[一二三四五六七八九]十)\s+(?=[一二三四五六七八九](?![十百]))")


# Voice input's slips for numerals: a character that sounds like one, where only a numeral fits
_SOUNDS_LIKE = {"二": "而儿耳尔", "三": "伞散", "四": "是事死思似丝寺", "五": "武舞午伍", "六": "陆溜留流",
                "七": "漆期其齐奇妻", "八": "巴扒疤", "九": "酒久玖"}
_AS_NUMERAL = {heard: numeral for numeral, sounds in _SOUNDS_LIKE.items() for heard in sounds}
_SLIPS = "".join(_AS_NUMERAL)
_AGE_END = r"(?=[岁随碎睡税遂]|[\s,，。.!！?？~]|$)"
_UNITS_HEARD = re.compile(f"(?<=[{_DIGITS}]十)[{_SLIPS}]{_AGE_END}")  # "五十而", "五十漆岁"
_TENS_HEARD = re.compile(f"(?:^|(?<=[\\s,，。]))([{_DIGITS}{_SLIPS}])[时实石食拾]([{_DIGITS}]){_AGE_END}")  # "其实三岁"
_YEARS_HEARD = re.compile(f"(?<=[{_DIGITS}十\\d])[随碎睡税遂]")  # "四十四随"


def _heard_numerals(text: str) -> str:
    """An age answer with voice input's sound-alike slips for numerals written as the numerals
    ("五十而" → 五十二, "其实三岁" → 七十三岁, "四十四随" → 四十四岁), only where a numeral fits."""
    text = _TENS_HEARD.sub(lambda m: _AS_NUMERAL.get(m[1], m[1]) + "十" + m[2], text)
    text = _UNITS_HEARD.sub(lambda m: _AS_NUMERAL[m[0]], text)
    return _YEARS_HEARD.sub("岁", text)


# "明年就七十了" is 69 now, "去年六十八" 69
_BY_ANOTHER_YEAR = re.compile(r"(明年|去年)[就要该才刚满]{0,3}(\d{2})(?![\d年])")


def _read_age(text: str, this_year: int) -> Age | None:
    text = _heard_numerals(_NUMERAL_SPLIT.sub("", normalize(text)))
    text = _AND_UNITS.sub("十", text).replace("挂零", "出头")  # "六十挂零": just over
    said = _BY_ANOTHER_YEAR.sub(lambda m: str(int(m[2]) + (1 if m[1] == "去年" else -1)), arabize(text))
    rough = _two_said(text) or _rough(said) or _either(said)
    animal = _ANIMAL.search(said)
    if animal:
        born = ZODIAC.index(animal.group(1))
        by_animal = [a for a in range(MIN_AGE, MAX_AGE + 1) if (this_year - a - RAT_YEAR) % 12 == born]
        exact = None if rough else _exact(_ANIMAL.sub("", said), this_year)
        # "属马，六十多": an age by the animal within a year of the one said (a birthday may be to come)
        narrower = [
            a
            for a in by_animal
            if (not rough or any(abs(a - r) <= 1 for r in rough)) and (not exact or abs(exact[0] - a) <= 1)
        ]
        if exact and narrower:  # "今年六十七，属狗": the age said, the animal only bears it out
            return Age((exact[0],), exact[1])
        return Age(tuple(narrower or by_animal), rough=not narrower or len(narrower) > 1)
    if rough:  # "六十九，快七十了": an age said outright beside the rough one, and within it
        beside = _exact(_without_rough(text), this_year)
        if beside and min(rough) - 1 <= beside[0] <= max(rough) + 1:
            return Age((beside[0],), beside[1])
        return Age(tuple(rough), rough=True)
    exact = _exact(said, this_year)
    return Age((exact[0],), exact[1]) if exact else None


def parse_age(text: str, this_year: int) -> tuple[int, int | None] | None:
    """(age, birth year if given) from an answer that says one age: "62", "1961年生的"."""
    age = read_age(text, this_year)
    return (age.ages[0], age.birth_year) if age and age.sure is not None and not age.rough else None


def _without_rough(text: str) -> str:
    """The answer, numerals as digits, with its rough ages taken out: "六十九，快七十了" → "69，了"."""
    said = arabize(_UNITS_TWO.sub("", _TENS_TWO.sub("", text)))
    return _ROUGH_OVER.sub("", _ROUGH_UNDER.sub("", said))


def _two_said(text: str) -> list[int]:
    units, tens = _UNITS_TWO.search(text), _TENS_TWO.search(text)
    digit = {d: i for i, d in enumerate(_DIGITS, 1)}
    if units and digit[units.group(3)] == digit[units.group(2)] + 1:
        age = digit[units.group(1)] * 10 + digit[units.group(2)]
        return [age, age + 1]
    if tens and digit[tens.group(2)] == digit[tens.group(1)] + 1:
        return list(range(digit[tens.group(1)] * 10, digit[tens.group(2)] * 10 + 10))
    return []


# "七十三还是七十四", "62或者63": one of two ages next to each other, not sure which
_EITHER = re.compile(r"(?<!\d)(\d{2})岁?(?:还是|或者|或|要么)(\d{2})(?!\d)")


def _either(said: str) -> list[int]:
    either = _EITHER.search(said)
    if either is None or not 0 < int(either[2]) - int(either[1]) <= 2:
        return []
    return [int(either[1]), int(either[2])]


def _rough(said: str) -> list[int]:
    over, under = _ROUGH_OVER.search(said), _ROUGH_UNDER.search(said)
    if over:
        tens = int(over.group(1)) * 10
        return list(range(tens + 1, tens + 1 + _OVER_SPAN.get(over.group(2), 9)))
    if under:
        tens = int(under.group(1) or under.group(2)) * 10
        return list(range(tens - 1, tens - 4, -1))  # "快七十": 69 likeliest, so first
    return []


def _exact(said: str, this_year: int) -> tuple[int, int | None] | None:
    numbers = list(dict.fromkeys(integers(said)))  # "69 明年就七十了": one age said twice
    aged = _AGED.search(said) or _MINE.search(said)
    others = _OTHERS.search(said)
    if aged and len(numbers) > 1:  # "我62岁，老伴60", "我64，老伴62": one's own number
        numbers = [int(aged.group(1))]
    elif len(numbers) > 1 and others and len(mine := integers(said[: others.start()])) == 1:
        numbers = mine  # "63，老伴64": the number before another person's
    elif len(numbers) > 1 and not _YEAR.search(said):  # "六十五，侬记一下": the one number that can be an age
        ages = [n for n in numbers if MIN_AGE <= n <= MAX_AGE]
        numbers = ages if len(ages) == 1 else numbers
    if len(numbers) != 1:
        return None
    value = numbers[0]
    if _YEAR.search(said) or value >= 1900:
        year = value if value >= 100 else 1900 + value if this_year - 1900 - value <= MAX_AGE else 2000 + value
        return (this_year - year, year) if 1900 <= year <= this_year else None
    return (value - 1 if _NOMINAL.search(said) else value), None

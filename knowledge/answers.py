"""Reading the free-time and travel-range answers beyond their option words: the clock ("早上8点到
11点", "8:00-11:00", "下午三点以后", "吃过中饭以后", "天亮到天黑"), days of the week ("礼拜二礼拜四"),
a part of the day said busy beside one said free ("白天上班晚上有空"), a day's routine said in one
breath ("七点送孙子去学堂下午三点半去接中间都有空", "奶奶要人照顾晚上…我就有空"), how one goes and for
how long ("骑电瓶车半小时", "走路十分钟", "来回一个小时", "坐班车"), and places named ("华埠马金都行",
"隔壁的下溪村", "镇上都行", "出了村就不去", "就村里，远了不放心", "村口远了不行", "赶集那么远")."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from knowledge import taxonomy
from knowledge.corrections import settle
from knowledge.picks import pick
from knowledge.places import Gazetteer, heard_in, village_key
from knowledge.spelling import in_characters
from knowledge.taxonomy import Reading
from knowledge.text import THEN_NOW, arabize, compact, corrected, normalize, respelled

# --- free time --------------------------------------------------------------------------------
_HOUR = re.compile(r"(上午|早上|早晨|凌晨|清早|中午|下午|傍晚|黄昏|晚上|夜里|早|晚)?(\d{1,2})[点:：](?:半|\d{1,2}分?)?")
_AFTER = re.compile(r"以后|之后|后|才|开始")
NOON, EVENING = 12, 18
# "礼拜二礼拜四", "周一三五"
_WEEKDAY = re.compile(r"(?:星期|礼拜|周)((?:[1-7二三四五六日天]|一(?![般起样直下点会些定共]))+)")  # not 一 of "一般"


# The edges of a day's routine said as the start or end of a stretch of time ("吃过中饭以后",
# "到中午", "送完孙子上学到接他放学"): their hour
_ROUTINE_HOURS = (("下?晚自习", "晚上9点"),
                  ("午睡|午觉|中觉", "下午2点"),
                  ("中午|中饭|午饭|午餐|晌午|日昼", "中午12点"),
                  ("晚饭|晚餐|夜饭|天黑|黑|落山|太阳落山|太阳下山|日落|擦黑|收工|放工|下工|下班|下了班|收了工|放了工"
                   "|收了摊|收摊", "18点"),
                  ("早饭|早餐|上学|上课|送孙子|送孩子|送小孩", "早上8点"),
                  ("放学|下课|接孙子|接孩子|接小孩", "下午4点"),
                  ("天亮|天一亮|天刚亮|太阳出来|日出|鸡叫|一早|大清早|清早", "早上6点"))
_AFTER_EDGE = r"(?=(?:[了完好过]|起来|醒了?)?(?:以后|之后|过后|后|以前|之前|前|到|才|就))"
_BEFORE_EDGE = r"((?:到|从)[^，,。到从]{0,3}?)"
# "七八点": two neighbouring numerals said together, the first is the hour
_NEIGHBOURS = re.compile(
    "|".join(a + b for a, b in zip("一二三四五六七八九", "二三四五六七八九十", strict=True)) + r"(?=点)")
PM_BARE = 6  # "两点以后", "3点到5点": an hour up to this said without a part of the day is in the afternoon


def _clock_hour(part: str | None, hour: int) -> int:
    afternoon = part in ("下午", "傍晚", "黄昏", "晚上", "夜里", "晚") and hour < 12
    return hour + 12 if afternoon or part == "中午" and 1 <= hour <= PM_BARE else hour  # "中午一点" is 13


# "早8晚5", "朝九晚六": a working day from the first hour in the morning to the second in the evening
_WORKDAY = re.compile(r"[早朝]上?(\d{1,2})点?(?:到|至|-|~)?晚上?(\d{1,2})点?")


# "接完孙子", "送好孩子": the errand done, as its edge of the day; "吃过中饭" said alone is after it
_ERRAND_DONE = re.compile(r"(?<=[送接])[完了好过](?=孙|孩|小孩|娃)")
_MEAL_DONE = re.compile(r"(?<=吃[过完了好])(早饭|早餐|中饭|午饭|午餐|晚饭|晚餐|夜饭)"
                        r"(?![了完]?(?:以后|之后|过后|后|以前|之前|前|到|才|就))")


# "周一到周五", "礼拜六": days named, which are no hours ("周一到周五下午三点以后" is from 3 pm)
_DAYS_SPAN = re.compile(f"{_WEEKDAY.pattern}(?:(?:到|至|-|~)(?:星期|礼拜|周)?[1-7一二三四五六日天])?")


def _on_the_clock(text: str) -> str:
    """The text with routine edges said as hours, days named left out and numerals as digits:
    "吃过中饭以后" → "中午12点以后", "早8晚5" → "早上8点到晚上5点"."""
    said = _NEIGHBOURS.sub(lambda m: m.group(0)[0], _MEAL_DONE.sub(r"\1以后", _ERRAND_DONE.sub("", text)))
    said = _DAYS_SPAN.sub("", said)
    for words, clock in _ROUTINE_HOURS:
        said = re.sub(f"{_BEFORE_EDGE}(?:{words})", rf"\g<1>{clock}", said)
        said = re.sub(f"(?:{words}){_AFTER_EDGE}", clock, said)
    return _WORKDAY.sub(r"早上\1点到晚上\2点", arabize(said))


def _hours(said: str) -> list[int]:
    """The hours named, on a 24-hour clock: a part of the day carries on to the next hour
    named ("晚上7点到10点"), and a bare early hour is in the afternoon."""
    hours: list[int] = []
    for found in _HOUR.finditer(said):
        hour = _clock_hour(found.group(1), int(found.group(2)))
        if found.group(1) is None and hours and hours[-1] - 12 <= hour < hours[-1]:
            hour += 12  # "9点到3点"
        elif found.group(1) is None and not hours and 1 <= hour <= PM_BARE:
            hour += 12
        hours.append(hour)
    return [h for h in hours if 0 <= h <= 24]


_ALL_AFTER = re.compile(r"(?:以后|之后|后)(?:[都也]|随时|什么时候|啥时候)")
_UNTIL = re.compile(r"到\D{0,2}\d|点(?:以前|之前|前)")  # "到11点", "中午以前": up to the hour named
DAY_START, DAY_END = 6, 22
OVERNIGHT_END = 8  # a stretch ending at this hour or earlier, before the hour it starts at, runs through the night
_PARTS = (("morning", DAY_START, NOON), ("afternoon", NOON, EVENING), ("evening", EVENING, DAY_END + 2))
MOST_OF = 2  # hours of a part of the day a stretch must cover to count, unless the stretch is short


# "晚上9点以前" is the evening, "下午4点以前" the afternoon
_PART_START = {"下午": NOON, "傍晚": EVENING, "晚上": EVENING, "夜里": EVENING, "晚": EVENING}
_PART_BEGINS = {"上午": DAY_START, "早上": DAY_START, "中午": NOON, "下午": NOON, "傍晚": EVENING, "晚上": EVENING}
_PART_BEFORE = re.compile("|".join(_PART_BEGINS))


def _stretch(text: str, to_the_end: bool = False) -> tuple[int, int] | None:
    """The stretch of the day the hours named cover: "8点到11点" → 8–11, "下午3点以后" → 15–18
    (15–22 `to_the_end`), "到中午" → 6–12; None when no hour is named."""
    said = _on_the_clock(text)
    hours = _hours(said)
    if not hours:
        return None
    if len(hours) > 1:
        start, end = hours[0], hours[-1]
        if end < start and end <= OVERNIGHT_END:  # "十点到早上六点": through the night
            start, end = start + 12 if start < NOON else start, DAY_END + 2
    elif _UNTIL.search(said):  # "晚上9点以前": from the start of the evening named, else of the day
        named = _HOUR.search(said)
        part = (named.group(1) or "") if named and not said[:named.start()].endswith(("到", "至")) else ""
        # "下午可以干到太阳落山": from the start of the part of the day said before
        before = _PART_BEFORE.findall(said[:named.start()]) if named and not part else []
        start, end = _PART_START.get(part) or (_PART_BEGINS[before[-1]] if before else DAY_START), hours[0]
    elif _AFTER.search(said):
        start = max(hours[0], DAY_START)
        end = next(last for _, first, last in _PARTS if first <= start < last) if start < DAY_END else DAY_END
        # "下午两点以后": to the end of its part of the day; "中午以后都行", "5点以后" (an hour before
        # the part's end): on to the end of the day
        if to_the_end or _ALL_AFTER.search(said) or end - start < MOST_OF:
            end = DAY_END
    else:
        start, end = hours[0], hours[0] + 1
    start = max(start, DAY_START)  # "凌晨四点": before the day starts is its first hour
    return start, max(end, start + 1)


def _covered(start: int, end: int) -> list[str]:
    """Parts of the day a stretch covers ("5点以后" is 晚上: an hour of the afternoon is not the afternoon)."""
    span = max(end - start, 1)
    covered = {code: min(end, last) - max(start, first) for code, first, last in _PARTS}
    return [code for code, hours_in in covered.items()
            if hours_in > 0 and (hours_in >= MOST_OF or 2 * hours_in >= span)]


def _clock(text: str) -> list[str]:
    """Parts of the day covered by hours named: "8点到11点" → 上午, "下午3点以后" → 下午, 晚上."""
    stretch = _stretch(text)
    return _covered(*stretch) if stretch else []


_BEFORE_OR_AFTER = re.compile(r"以后|之后|后|以前|之前|前")


def _clock_ruled_out(text: str) -> list[str]:
    """Parts of the day left by hours said busy up to its start or from them on to its end:
    "三点半以后不行" → 白天 (6 to 15); a busy stretch inside the day ("12点到1点不行") leaves no
    part of the day ruled out, so it says nothing."""
    stretch = _stretch(text, to_the_end=True) if _BEFORE_OR_AFTER.search(text) else None  # "到11点要烧饭" is at 11
    if stretch is None or DAY_START < stretch[0] and stretch[1] < DAY_END:
        return []
    start, end = stretch
    return _covered(end, DAY_END) if start <= DAY_START else _covered(DAY_START, start)


def _busy_outside_the_day(clause: str) -> bool:
    """Hours said busy before the working day starts or after it ends ("早上六点前要喂猪", "晚上十一点以后
    不干"): they rule out none of it."""
    if not taxonomy.availability().says_no(clause) or not _BEFORE_OR_AFTER.search(clause):
        return False
    stretch = _stretch(clause, to_the_end=True)
    return stretch is not None and (stretch[1] <= DAY_START + 1 or stretch[0] >= DAY_END)


def _within_the_day(text: str) -> str:
    """The answer without clauses that only rule out hours outside the working day, when others are left,
    and without hours said busy beside hours said free ("八点前要送孩子，九点到十一点": 9 to 11 is the answer)."""
    kept = [c for c in _clauses(text) if not _busy_outside_the_day(c)]
    says_no = taxonomy.availability().says_no
    if any(not says_no(c) and _stretch(c) for c in kept):
        kept = [c for c in kept if not (says_no(c) and _stretch(c))]
    return "，".join(kept) if kept else text


# "星期天一天", "礼拜六两天": a count of days after the day named
_DAY_COUNT = re.compile(r"(?<=[一二三四五六日天1-7])[一两二12]天")
# "每周两天", "一个礼拜三天": how many days a week, not which
_DAYS_A_WEEK = re.compile(r"(?:每|一|1)个?(?:周|礼拜|星期)[一两二三四五六七几1-7]{1,2}天")


def _days(text: str) -> list[str]:
    """Weekdays or weekend from days named: "礼拜二礼拜四" → 工作日, "周六" → 周末."""
    said = _DAY_COUNT.sub("", _DAYS_A_WEEK.sub("", text))
    days = {d in "6七六日天7" for found in _WEEKDAY.findall(said) for d in found}
    return [code for code, weekend in (("weekdays", False), ("weekends", True)) if weekend in days]


# "一三五", "二四六上午": days of the week said by their numbers alone (not "三五天", "十一二点", "三四月")
_DAY_NUMBERS = "一二三四五六日"
_DAY_RUN = re.compile(f"(?<![周期拜十两\\d{_DAY_NUMBERS}七八九])[{_DAY_NUMBERS}]{{2,4}}"
                      f"(?![{_DAY_NUMBERS}七八九十两\\d点号月年天个岁百千万块元次回遍])")


def _numbered_days(said: str) -> str:
    """"一三五上午" → "周一三五上午": two or more days said by their numbers alone, in the week's order."""
    def named(run: re.Match[str]) -> str:
        days = [_DAY_NUMBERS.find(d) for d in run.group(0)]
        return f"周{run.group(0)}" if days == sorted(set(days)) else run.group(0)
    return _DAY_RUN.sub(named, said)


def _clock_and_days(clause: str) -> list[str]:
    """The clock and days named, and the options' words beside days alone ("礼拜一到礼拜五白天")."""
    options = taxonomy.availability()
    if options.says_no(clause):
        return _clock_ruled_out(normalize(clause))
    said = normalize(clause)
    clock, days = _clock(said), _days(said) or _days(arabize(said))
    beside = options.read(_WEEKDAY.sub("", arabize(said))).codes if days and not clock else []
    if clock and not days:  # "工作日6点以后": the kind of day said beside the hour
        beside = [c for c in options.read(_HOUR.sub("", said)).codes if c in _KINDS_OF_DAY]
    return list(dict.fromkeys([*clock, *days, *beside]))


_KINDS_OF_DAY = ("weekdays", "weekends")


# "啥时候打电话都来", "随时都行", "平常都在家": any time, said as a clause of its own
_ALWAYS = re.compile(r"^(?:我|反正|俺)?(?:(?:(?:啥|什么|哪|任何|随便)(?:时候|时间|辰光|天|会儿|日子)|几点|随时"
                     r"|(?:一|每)个?(?:礼拜|星期|周)[7七]天)[^，,。]*[都也]|一般都)")
# "农忙完了", "等稻子割完": when the farm work is done is the slack season
_FARM_DONE = re.compile(r"(?:(?:农忙|双抢|秋收|收稻|割稻|插秧|稻子|庄稼|农活|地里|田里|茶叶|茶季|春茶"
                        r"|番薯|红薯|玉米|麦子|油菜|花生|土豆)"
                        r"[^，,。]{0,3}?(?:割|收|忙|做|干|弄|插|采|摘)?(?:完|(?<![最正])好|过)了?"
                        r"|(?:割|收|忙|做|干|弄|插)(?:完|好|了)了?[^，,。]{0,2}?(?:稻|谷|庄稼|农活|地里|田里|麦|玉米|番薯)"
                        r"|(?:采|摘|炒)(?:完|好)了?(?:春|明前)?茶)"
                        # "春茶一过就要回厂里了", "茶叶采完再出去打工": busy from then on is no slack season
                        r"(?![^，,。]{0,5}(?:没空|就忙|又忙|要回|回厂|上班|打工|出去|走了|不行))")
_DAY_PARTS = ("daytime", "morning", "afternoon", "evening")
# months ("三四月份", "十一月到来年二月", "腊月"): their season
_MONTH = re.compile(r"(正|腊|冬|\d{1,2})月")
_SLACK_MONTHS = {11, 12, 1, 2}
_MONTH_SEASONS = (("spring_tea", {3, 4, 5}), ("slack_season", _SLACK_MONTHS))


# months of the farmers' calendar ("农历二三月") fall about a month later in the year
_LUNAR = re.compile(r"农历|阴历|老历")
# "三四月忙，别的时候都闲": the months named are the busy ones
_MONTHS_LEFT_OUT = re.compile(r"(?:除了|除开|除去)[^，,。 ]{0,4}?月")
_MONTHS_BUSY = re.compile(r"月份?[^，,。 ]{0,4}?(?:(?<!不)忙(?![完过好])|没空|不行|没时间|走不开|不得空)")


def _months(said: str) -> list[str]:
    """Seasons of the months named; two months with 到 between, or said together, are a stretch."""
    named = [{"正": 1, "腊": 12, "冬": 11}.get(m, 0) or int(m) for m in _MONTH.findall(said)]
    named = [m for m in named if 1 <= m <= 12]
    if len(named) == 2 and ("到" in said or named[1] == named[0] % 12 + 1):
        first, last = named
        named = [(first - 1 + i) % 12 + 1 for i in range((last - first) % 12 + 1)]
    months = {m % 12 + 1 for m in named} if _LUNAR.search(said) else set(named)
    # busy in farming months is free in the slack season; "除了正月" leaves all but a bit of it
    if months and (_MONTHS_BUSY.search(said) or _MONTHS_LEFT_OUT.search(said)):
        return [] if months & _SLACK_MONTHS else ["slack_season"]
    return [code for code, season in _MONTH_SEASONS if 2 * len(months & season) >= len(months) > 0]


def _whole_answer(text: str) -> list[str]:
    """What only the whole answer shows: any time said in a clause of its own, farm work done, months."""
    said = normalize(text)
    clauses = _clauses(said)
    if any(_ALWAYS.search(c) for c in clauses) and not taxonomy.availability().says_no(said):
        return ["anytime"]
    if done := _FARM_DONE.search(said):
        # "农忙过了，白天都可以": the part of the day said beside the season
        rest = taxonomy.availability().read(said[:done.start()] + "，" + said[done.end():]).codes
        return ["slack_season", *(c for c in rest if c in _DAY_PARTS)]
    return _months(arabize(_NEIGHBOUR_MONTHS.sub(r"\g<0>月", said)))


# "三四月": two neighbouring months said together, the first with its 月 left out
_NEIGHBOUR_MONTHS = re.compile(
    "|".join(f"{a}(?={b}月)" for a, b in zip("一二三四五六七八九", "二三四五六七八九十", strict=True)))


# "平时都有空": 平时 is both "on weekdays" and "usually" (at home, "平时都在家", is any time)
_USUALLY = re.compile(r"^(?:我|反正|俺)?(?:平时|平常)都(?:在家里?)?(?:有空|空|行|可以|闲|没事|能)")
_WEEKEND = re.compile(r"周末|礼拜[六天日]|星期[六天日]|周[六日]|双休|节假日")
# the words that name a time: one ruled in only by a "no" beside them is not also said free
_SLACK_SAID = re.compile(r"闲|冬|过年|年底|腊月|正月|秋收|农忙|双抢")
_NAMED_BY = {"weekends": _WEEKEND, "morning": re.compile(r"上午|早上|早晨|上半天|上昼|清早|早"),
             "afternoon": re.compile(r"下午|下半天|下昼|午"), "evening": re.compile(r"晚|夜"),
             "slack_season": _SLACK_SAID}
# an hour said with its part of the day, or an edge of the day's routine: no doubt about morning or evening
_DAY_PART = re.compile(r"[早晚夜午昼晌]|白天|天亮|天黑|饭|学|课|孙|孩")
_BARE_STRETCH = re.compile(r"(\d{1,2})点(?:半|\d{1,2}分?)?(?:到|至|-|~)(\d{1,2})点")


def _two_meanings(text: str) -> tuple[tuple[str, ...], ...]:
    """Two readings of the answer that are equally likely, or none: "(有酒席就去，)平时都有空" (any time, or
    weekdays), "6点到10点" said without 早上/晚上 (a stretch that fits the morning and the evening)."""
    said = normalize(text)
    if any(_USUALLY.search(c) for c in _clauses(said)) and not _WEEKEND.search(said):
        return ("anytime",), ("weekdays",)
    stretch = _BARE_STRETCH.fullmatch(_on_the_clock(compact(said)))
    if stretch is None or _DAY_PART.search(said):
        return ()
    start, end = int(stretch.group(1)), int(stretch.group(2))
    if not (DAY_START <= start < end <= NOON and end + 12 <= DAY_END):
        return ()
    return tuple(tuple(_clock(f"{part}{start}点到{end}点")) for part in ("早上", "晚上"))


# a part of the day or of the week, as said before what one does then or whether one is free
_PART_WHEN = r"上午|下午|早上|早晨|中午|晚上|夜里|白天|上半天|下半天|上昼|下昼|日里|夜到"
_WHEN = rf"({_PART_WHEN}|周末|平时|平常|工作日|礼拜[一二三四五六天日]|星期[一二三四五六天日]|周[一二三四五六日])"
_PART_OF_DAY_SAID = re.compile(_PART_WHEN)
# "下午跟晚上都不行": a "no" said once of both times named together
_BOTH_NO = re.compile(f"{_WHEN}(?:和|跟|还有|或者|、)?{_WHEN}都(不行|没空|不得空|没时间|不可以|不方便)")
# "上午下午都不行", "下午和晚上别找我": two parts of the day ruled out together leave the third
_PART_CODES = {"上午": {"morning"}, "早上": {"morning"}, "下午": {"afternoon"}, "晚上": {"evening"},
               "夜里": {"evening"}, "白天": {"morning", "afternoon"}}
_PARTS_NO = re.compile(f"((?:(?:{'|'.join(_PART_CODES)})(?:和|跟|还有|或者|、)?){{2,3}})[都也]?"
                       "(?:不行|没空|不得空|没时间|不可以|不方便|别找我|不要找我|走不开|没办法)")


def _parts_left(text: str) -> str:
    def left(ruled_out: re.Match[str]) -> str:
        ruled = set().union(*(_PART_CODES[p] for p in re.findall("|".join(_PART_CODES), ruled_out.group(1))))
        rest = [name for code, name in (("morning", "上午"), ("afternoon", "下午"), ("evening", "晚上"))
                if code not in ruled]
        return f"{'、'.join(rest)}可以" if len(ruled) >= 2 and rest else ruled_out.group(0)
    return _PARTS_NO.sub(left, text)


# "下午就空了", "夜里出来做做", "礼拜天休息", "下午精神好": free, willing to come out to work then, a
# day off, or well enough to work
_FREE = (r"有空|没事|没问题|(?i:ok)|没关系|不要紧|空着|闲着|空了|出来|有时间|可以|都行|也行|(?<![不可只])能(?!不)|只有"
         r"|(?<![要得想该去好])休息|放假|休班|轮休|精神好|有精神|人舒服")
# "上午有空下午没空": a second part of the day said after whether the first is free starts a clause
_NEXT_PART = re.compile(f"({_FREE}|没空|不得空|没时间|不行|不可以)(?={_WHEN})")
_SPLIT = re.compile(r"([，,。;；\s]+)")


def _clauses(text: str) -> list[str]:
    """The text's clauses, as commas, full stops and blanks part them."""
    return [c for c in _SPLIT.split(text) if c and not _SPLIT.fullmatch(c)]
# what a clause may say beside its part of the day without saying what fills it: "周末两天",
# "平时上班时间", "下午四点以后"
_NOT_FILLED = re.compile(f"{_FREE}|没空|没时间|不|时间|时候|日子|在家|回来|回村|闲|空|放假|全天|整天|全日"
                         "|[\\d一二两三四五六七八九十点]|以后|之后|以前|之前|到|的话|^[的都也就还]*$")


def _doing() -> list[str]:
    """Words that say what fills a part of the day ("上班", "带孙子", "透析")."""
    doing: list[str] = taxonomy.answer_words()["availability"]["doing"]
    return doing


@lru_cache(maxsize=1)
def _filled() -> re.Pattern[str]:
    """A part of the day said with what fills it ("白天上班", "上午要下地"); not "上班时间"."""
    # "晚上看店没问题": what fills a part of the day, said to be no trouble, leaves it free
    return re.compile(f"{_WHEN}[^，,。;；\\s也能可行都到]{{0,6}}?(?:{'|'.join(_doing())})(?!时间|的时候|时候|日|的日子)"
                      f"(?![也都就还]*(?:{_FREE}))")


@lru_cache(maxsize=1)
def _done_at() -> re.Pattern[str]:
    """What fills a part of the day said before it ("透析是下午"), to be put the usual way round."""
    return re.compile(f"({'|'.join(_doing())})(?:是|在|都在|一般在|一般是|安排在)({_WHEN[1:-1]})")


def _filled_by(clause: str) -> bool:
    """The clause says what one does ("送孙子去学堂", "要陪她")."""
    return any(word in clause for word in _doing())


def _busy_clause(clause: str) -> bool:
    """A clause that starts with a part of the day and goes on to what one does then ("我上午去菜场
    卖菜"), saying nothing of being free."""
    said = re.match(f"(?:我|俺)?{_WHEN}+(.*)$", clause)
    rest = re.sub(_WHEN, "", said.group(2)) if said else ""
    return len(rest) >= 2 and not _NOT_FILLED.search(rest) and not taxonomy.availability().says_no(rest)


def _time_said_apart(said: str) -> bool:
    """Beside a part of the day said with what fills it, another clause names a time and nothing
    it is filled with: "就周末，平时在县城上班", "白天在厂里上班，下班后六点以后"."""
    clauses = _clauses(said)
    filled = [c for c in clauses if _filled().search(c)]
    return bool(filled) and any(c not in filled and not _filled_by(c) and (re.search(_WHEN, c) or _HOUR_SAID.search(c)
                                                                          or re.search("以后|之后", c))
                                for c in clauses)


# "上早班，下午有空", "厂里上白班，六点以后可以": the shift one works, beside a time said free, is busy
_SHIFT = re.compile(r"(?<![只能可以会愿意想肯])上([早白中晚夜])班")
_SHIFT_PART = {"早": "早上", "白": "白天", "中": "下午", "晚": "晚上", "夜": "晚上"}


def _shift_busy(clause: str) -> str:
    return clause if re.search(_FREE, clause) else _SHIFT.sub(lambda m: f"{_SHIFT_PART[m.group(1)]}没空", clause)


def _contrasted(text: str) -> str:
    """"白天上班晚上有空" → "白天没空，晚上有空": when one part of the day is said free, another said
    with what fills it is ruled out; each part of the day said free or not is a clause of its own."""
    if _ONLY.match(normalize(text)):  # "只有周末我妹来换我": the only time said, whoever frees it
        return normalize(text)
    said = _NEXT_PART.sub(r"\1，", normalize(text))
    if not re.search(_FREE, said) and not _time_said_apart(said):
        return said
    said = "".join(_shift_busy(piece) for piece in _SPLIT.split(_filled().sub(r"\1没空，", said)))
    return "".join(f"{part}没空" if _busy_clause(part) else part for part in _SPLIT.split(said))


_PART_OF_DAY = re.compile(r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里")
_HOUR_SAID = re.compile(r"[\d一二两三四五六七八九十]{1,3}[点:：]")


def _parts_named(text: str) -> dict[str, int]:
    """The parts of the day named, by name or by an edge of the day's routine ("下班" is 晚上),
    each with where it is first named."""
    named = [(found.start(), found.group(0)) for found in _PART_OF_DAY.finditer(text)]
    for words, clock in _ROUTINE_HOURS:
        named += [(found.start(), clock.rstrip("0123456789点")) for found in re.finditer(words, text)]
    first: dict[str, int] = {}
    for at, part in sorted(named):
        first.setdefault(part, at)
    return first


def _part_carried(text: str) -> str:
    """"晚上 直播一般7点到11点" → "… 晚上7点到11点", "下班以后 七点以后" → "… 晚上七点以后": the one
    part of the day named before hours said without one, or at the very end, goes with them."""
    parts = _parts_named(text)
    bare = next((h for h in _HOUR_SAID.finditer(text) if not _PART_OF_DAY.search(text[max(0, h.start() - 2):h.start()])
                 and (h.start() == 0 or not _HOUR_SAID.match(text, h.start() - 1))), None)
    if len(parts) != 1 or bare is None:
        return text
    part, at = next(iter(parts.items()))
    if at > bare.start() and not text.rstrip("了的吧啊呀 ").endswith(part):
        return text
    return f"{text[:bare.start()]}{part}{text[bare.start():]}"


# "8:00-11:00", "7-10点": clock times written with a colon and a dash, in words
_CLOCK_SPACED = re.compile(r"(?<=[\d点分])\s+(?=到|至|点)|(?<=到|至)\s+(?=\d)|(?<=\d)\s+(?=点)")  # "1:30 到 5 点"
_COLON_TIME = re.compile(r"(\d{1,2})[:：](\d{2})")
_DASH = re.compile(r"(?<=[\d点分])\s*[-~～—至]+\s*(?=\d)")
_BARE_START = re.compile(r"(?<![\d点])(\d{1,2})(?=到\d{1,2}点)")


# "送完孙子以后，到下午接他之前", "五点以后 一直到十点": one stretch said across a comma
_STRETCH_CUT = re.compile(r"(?<=以后|之后)(?:都行|都可以)?[，,。\s]+(?:一直|一直干)?(?=到)")


# "9-12", "8到11": two bare numbers of the clock with 到 between, said alone
_BARE_RANGE = re.compile(r"^(\d{1,2})到(\d{1,2})$")
# "after 6pm", "morning 8 to 11": the clock typed in English, in words
_ENGLISH = {"am": "早上", "pm": "下午", "morning": "早上", "afternoon": "下午", "evening": "晚上", "night": "晚上",
            "after": "以后", "before": "以前", "to": "到", "from": "", "weekend": "周末", "weekday": "工作日",
            "any ?time": "随时", "only": ""}


def _from_english(text: str) -> str:
    """"after 6pm" → "下午6点以后", "morning 8 to 11" → "早上8点到11点"."""
    said = re.sub(r"(?<![a-z])(after|before)\s+(.+)$", r"\2 \1", text)  # said after the hour in Chinese
    said = re.sub(r"(\d{1,2})\s*(am|pm)(?![a-z])", lambda m: f"{_ENGLISH[m.group(2)]}{m.group(1)}点", said)
    said = re.sub(r"(?<![a-z\d])(\d{1,2})(?![\d点a-z])", r"\1点", said)  # a bare number beside English is an hour
    for word, chinese in _ENGLISH.items():
        said = re.sub(f"(?<![a-z]){word}s?(?![a-z])", chinese, said)
    return said.replace(" ", "")


def _clock_written(text: str) -> str:
    said = _CLOCK_SPACED.sub("", _STRETCH_CUT.sub("", normalize(text)))
    said = _DASH.sub("到", _COLON_TIME.sub(r"\1点\2分", said))
    said = _BARE_RANGE.sub(r"\1点到\2点", said)
    return _BARE_START.sub(r"\1点", _from_english(said) if re.search("[a-z]", said) else said)


# "吃了夜饭 八点到十一点", "选9 七点到十点": hours said bare in an answer that speaks of the evening
# are the evening's (without it, "七点到十点" is the morning)
_EVENING_CUE = re.compile(r"(?:晚上|夜里|夜饭|晚饭|天黑|夜班)(?![^，,。\s]{0,3}(?:不|没|要))"
                          r"|^(?:选|就)?9(?!\d|点)")
_BARE_EVENING = re.compile(r"(?<![上午早晨晚里\d一二三四五六七八九十])((?:[6-9]|1[01]|[六七八九十]|十一)点半?(?:到|至)"
                           r"(?:[7-9]|1[0-2]|[七八九十]|十[一二])点)")


def _evening_hours(text: str) -> str:
    return _BARE_EVENING.sub(r"晚上\1", text) if _EVENING_CUE.search(text) else text


# "接孙女放学前 一点到三点半": an edge of the day's routine said only as the frame of the hours after it
_FRAME = re.compile(r"(?:^|(?<=[，,\s]))(?:接|送|等)?(?:孙子|孙女|外孙|孩子|小孩|娃)?(?:放学|上学|下班|吃饭)"
                    r"(?:以前|之前|前|以后|之后|后)(?=[，,\s])")
_HOURS_SAID = re.compile(r"[\d一二三四五六七八九十两]点(?:半|\d+分?)?(?:到|至|-|~)[^，,\s]{0,3}"
                         r"[\d一二三四五六七八九十]点")


def _framed_hours(text: str) -> str:
    return _left_out(_FRAME, text) if _HOURS_SAID.search(text) else text


# "七点送孙子去学堂下午三点半去接，中间都有空": free between the first and the last hour said
_BETWEEN = re.compile(r"(?:中间|当中|这中间|那中间)[^，,。;；\s]{0,4}?(?:都|也)?(?:有空|空着|没事|闲着|可以|行)")
# "九点以后到下午都有空": up to a part of the day is up to its end
_UNTIL_PART = (("下午|下昼|下半天", "下午6点"), ("晚上|夜里", "晚上10点"), ("上午|上昼|上半天", "中午12点"))


def _between(text: str) -> str:
    """A day's routine told with the free stretch in between, as the stretch on the clock."""
    found = _BETWEEN.search(text)
    hours = sorted(_hours(_on_the_clock(text[:found.start()]))) if found else []
    if not found or len(hours) < 2:
        return text
    return f"{text[:found.start()]}，{hours[0]}点到{hours[-1]}点有空{text[found.end():]}"


# "下午要烧夜饭": a meal cooked is a chore that fills the time, not the evening named by 夜
_COOKING_A_MEAL = re.compile(r"[烧做煮弄](?:夜饭|晚饭|中饭|午饭|早饭|饭)")


def _until_part(text: str) -> str:
    for words, clock in _UNTIL_PART:
        text = re.sub(f"(?<=到)(?:{words})(?![\\d一二两三四五六七八九十])", clock, text)
    return text


# "奶奶要人照顾晚上我爸妈下班回来我就有空", "要陪她礼拜天我哥回来换我": a part of the day or of the
# week said in one breath after a clause that is done (a "no", what one does, a 了 or 吧) starts a
# clause of its own ("一般下午有空" stays one)
_JOINED = re.compile(r"[有在是就都也还到从每和或跟及的只等]$|除了$|除开$")
_DONE = re.compile(r"[了吧呢啊]$")


def _run_on(text: str) -> str:
    options = taxonomy.availability()
    said, start = [], 0
    for found in re.finditer(_WHEN, text):
        before = text[start:found.start()]
        head = re.split(r"[，,。;；\s]", text[:found.start()])[-1]
        done = _DONE.search(head) or options.says_no(head) or _filled_by(head)
        if len(head) >= 2 and done and not _JOINED.search(head) and not re.search(f"{_WHEN}$", head):
            said.append(before + "，")
            start = found.start()
    return "".join(said) + text[start:]


# "中午不行其他都可以", "除了中午其他时间都行", "上午除外", "中午以外都可以": the parts of the day
# but the one ruled out
_OTHERS_FINE = r"(?:其他|其它|其余|别的|别个)?(?:时间|时候|日子)?[都也]?(?:可以|行|有空|能|没事)"
_ALL_BUT = re.compile(r"^(?:我|俺)?(?:(?:除了|除开|除去)([^，,。;；\s]+?)(?:以外|之外)?(?:[，,。;；\s]*" + _OTHERS_FINE
                      + r")?|([^，,。;；\s除]+?)(?:除外|以外|之外)[，,。;；\s]*(?:" + _OTHERS_FINE
                      + r")?|([^，,。;；\s]+?)(?:不行|没空|不得空|没时间|不可以|不方便)?(?:要[^，,。]{1,6})?"
                      r"[，,。;；\s]*"
                      r"(?:其他|其它|其余|别的|别个)(?:时间|时候|日子)?[都也]?(?:可以|行|有空|能|没事))[的了吧啊]?$")
_PARTS_OF_DAY = ("morning", "afternoon", "evening")


def _all_but(text: str) -> list[str]:
    found = _ALL_BUT.search(normalize(text))
    ruled = taxonomy.availability().read(next(g for g in found.groups() if g)).codes if found else []
    ruled = ["morning", "afternoon"] if ruled == ["daytime"] else ruled
    if ruled in (["weekdays"], ["weekends"]):  # "礼拜天除外": the other days
        return ["weekends" if ruled == ["weekdays"] else "weekdays"]
    if not ruled or not set(ruled) <= set(_PARTS_OF_DAY):
        return []
    left = [code for code in _PARTS_OF_DAY if code not in ruled]
    return ["daytime", *left[2:]] if left[:2] == ["morning", "afternoon"] else left


# "平常都在家", "平时都在": at home, not at work, is any time (平时都有空 may be weekdays: asked)
_AT_HOME = re.compile(r"^(?:我|反正|俺)?(?:平时|平常|一般|天天|每天)?[都就]?在(?:家|家里|屋里)?[的呢啊]?$")


def _clock_over_no(text: str) -> str:
    """"早上要喂猪，九点以后到中午有空" → "九点以后到中午有空": hours said free tell the time more
    exactly than what a part of the day said busy leaves, so that clause is left out (not one of days
    said busy: "早上九点到下午五点 周末不干" is still on weekdays)."""
    options = taxonomy.availability()
    clauses = _clauses(text)
    if not any(_HOUR_SAID.search(c) and not options.says_no(c) for c in clauses):
        return text
    kept = [c for c in clauses if _HOUR_SAID.search(c) or not (options.says_no(c) and _PART_OF_DAY_SAID.search(c))]
    return "，".join(kept) or text


# "天没亮就可以，四五点": before dawn names the part of the day its bare hours are in
_DAWN = re.compile(r"天(?:没|不|还没)亮")
# "打牌那个不要紧": what gets in no one's way is no "no" (要 of 不要紧 is no "must")
_NO_TROUBLE = re.compile(r"不要紧|不碍事")
# "没有不行的时候": never busy is any time
# "上夜班的，白天睡醒了下午有空", "上的早班 下午都空": the shift one works is a part of the day at work
# (not "能上夜班", "出来上夜班", "不做夜班了": a shift one would or would not take)
_SHIFT_WORKED = re.compile(r"(?<![能以也意想会肯愿不来去])(?:上|做|是)的?(早|夜|晚|白|中)班的?")
_SHIFT_PART = {"早": "早上", "夜": "晚上", "晚": "晚上", "白": "白天", "中": "下午"}
_CLAUSE_START, _CLAUSE_END = r"(?:^|(?<=[\s,，。;；]))", r"(?=$|[\s,，。;；])"  # a whole clause, between these
_IN_CLAUSE = r"[^\s,，。;；]"
# "白天晚上都行，夜班要加钱": a time taken for more pay is a time one is free, a condition besides
_FOR_MORE_PAY = re.compile(f"(?:要|得|另外|就)?(?:加钱|多给钱?|给加钱)(?:就行|也行|才行|的话)?{_CLAUSE_END}")
# "一年到头都有空 冬天更闲": a time said freer still is no limit on the rest
_MORE_FREE = re.compile(f"{_CLAUSE_START}{_IN_CLAUSE}{{0,4}}更(?:闲|空|有空|有时间|方便)"
                        f"{_IN_CLAUSE}{{0,2}}{_CLAUSE_END}")
# "随时 就是清明要回老家几天": a few days away is no time one is busy
_A_FEW_DAYS_AWAY = re.compile(f"{_CLAUSE_START}(?:就是|只是|不过|但是)?{_IN_CLAUSE}{{0,6}}?[要得](?:回|去|走)"
                              f"{_IN_CLAUSE}{{0,6}}?(?:几天|两天|三天|一两天|两三天|几日){_CLAUSE_END}")
_NEVER_BUSY = re.compile(r"没有?(?:不行|不可以|不方便|没空|不得空)的(?:时候|日子|时间|天)")
# "七点以后到第二天早上": on through the night, which ends the evening, not a morning besides
_OVERNIGHT = re.compile(r"(?:到|至)(?:第二天|次日|明天|隔天)(?:早上|早晨|上午|天亮|清早)?")
# "天黑前要回来", "晚饭前回家", "晚上得回去": back home by the evening is work by day, not in the
# evening; back by the midday meal ("中饭前要回家", "中午就回家") is work in the morning
_HOME_BY = (r"(?:(?:(?:以|之)?前[要得就]?|了?就)(?:回来|回家|到家|回去)"
            r"|(?:[要得]|必须)(?:回来|回家|到家|回去)(?=$|[\s,，。;；]))")  # not "…要回家做饭": busy then
# "晚上可以，十点前要睡觉": when the evening is said, the hour one goes home or to bed only ends it
_HOME_BY_HOUR = re.compile(r"[\d一二两三四五六七八九十]{1,3}点(?:钟|半)?(?:以|之)?前[要得就]?"
                           r"(?:睡觉|睡|回家|回来|到家|休息)[的了]?")
_LATE = re.compile(r"晚上|夜里|夜班|晚班")
_BEFORE_DARK = re.compile(f"(?:天黑|太阳落山|傍晚|晚饭|夜饭|晚上){_HOME_BY}")
_BEFORE_NOON = re.compile(f"(?:中饭|午饭|中午|晌午){_HOME_BY}")
_DAY_SAID = re.compile(r"白天|全天|下午")
_AROUND_NOON = re.compile(r"(?:中饭|午饭|中午|晌午)前后")  # "中饭前后都行": the day on both sides of lunch
_LUNCH_BREAK = re.compile(r"(?:但是?|就是|不过)?(?:中午|中饭|午饭)[^，,。;；\s]{0,6}?"
                          r"(?:没空|不行|不得空|回家|回去|休息|歇|做饭|烧饭)[的了]?")
# "早班车走晚班车回": out on the first bus and back on the last is the daytime; a bus is no shift
_BUS_DAY = re.compile(r"[早头]班车[^，,。]{0,5}?[晚末]班车[^，,。\s]{0,3}")
_BUS = re.compile(r"[早晚末头]班车")
# "厂里换白班了，只有晚上有空", "…所以只有上午": the one time said to be the only one is the answer
_ONLY = re.compile(f"(?<!不)只(?:有|剩下?|能|在|要)?(?:{_WHEN[1:-1]}|农闲|春茶|茶季|冬天)")
# "过了中午就行", "中饭吃好到四点钟": past an edge of the day is after it
_PAST = re.compile(r"(?<!吃)过了(中午|晌午|日昼|中饭|午饭|晚饭|夜饭|天黑)"
                   r"|(中饭|午饭|晚饭|夜饭)吃[好完过]了?(?!以后|之后)")
# "过了春茶就空了", "采茶过了": after the tea season is the slack season, as "春茶过了" says (not
# "过了春茶就不干了", the end of the time said)
_AFTER_TEA = re.compile(r"(?:过了(?:春茶|茶季|采茶季?|摘茶季?)|(?:采|摘)茶季?过了)"
                        r"(?![就也]?(?:不[干做去出采摘弄搞]|歇))")


def _only(text: str) -> str:
    """The one clause that says a time is the only one, when another clause says more."""
    clauses = _clauses(text)
    only = [c for c in clauses if _ONLY.search(c)]
    return only[0] if len(only) == 1 and len(clauses) > 1 else text


# A day told at length, then the one part said free: "天不亮就去摆摊 卖到十一点收摊 回家吃了中饭 下午就
# 一直空着了", "…所以下午和晚上我都能出去做", "…就上午吧"
_SAID_FREE = re.compile(f"{_FREE}|[都就]空|^[那就]*{_WHEN}+[的那段个]*吧$")
STORY_CLAUSES = 3


# a clause that points back ("之前都行", "中间这段有空") means nothing read alone
_POINTS_BACK = re.compile(r"^(?:中间|之前|之后|以前|以后|其余|其他|其它|别的|剩下|这段|那段|这时|那时|这会|那会)")
_DAYS_AND_SEASONS = {"weekdays", "weekends", "slack_season", "spring_tea"}


def _conclusion(text: str) -> str:
    """The one clause of a long answer that says a part of the day is free, when there is one and
    nothing else in the answer names days or seasons; else the answer."""
    clauses = _clauses(text)
    if len(clauses) < STORY_CLAUSES:
        return text
    options = taxonomy.availability()
    read = {c: options.read(c).codes for c in clauses}
    free = [c for c in clauses if _SAID_FREE.search(compact(c)) and not _POINTS_BACK.match(compact(c))
            and not options.says_no(c) and read[c]]
    if len(free) != 1 or read[free[0]] == ["anytime"]:  # "啥时候都可以 就是晚上不出门": the no counts too
        return text
    if any(_ONLY.search(c) for c in clauses if c != free[0]):  # "平时都有空 …回不来 只能白天": the only time wins
        return text
    if any(read[c] == ["anytime"] for c in clauses if c != free[0]):  # "随时，电话打过来就去，晚上也行"
        return text
    # "冬天农闲，早上太冷，下午可以": days or seasons said apart from a free part of the day count too
    others = {code for c in clauses if c != free[0] for code in read[c]}
    if others & _DAYS_AND_SEASONS and not _DAYS_AND_SEASONS & set(read[free[0]]):
        return text
    before = clauses[clauses.index(free[0]) - 1] if clauses.index(free[0]) else ""
    # "晚上，七点以后都行": the part of the day said alone just before the hour is the hour's
    return f"{before}，{free[0]}" if _BARE_PART.fullmatch(before) else free[0]


_BARE_PART = re.compile(f"(?:我|俺)?{_WHEN}+[吧啊呀的]*")


# "我起得早 五点就起来了": when the day starts says nothing of when one is free (5点 is no afternoon);
# nor does a life's story ("老伴走得早": died young)
_WAKING = re.compile(r"[^，,。;；\s]*(?:起床|起来了|起得早|就起来|[走去死][得的]早)[^，,。;；\s]*")


def _left_out(pattern: re.Pattern[str], text: str) -> str:
    """The text without what the pattern finds in it, unless nothing would be left."""
    rest = pattern.sub("", text)
    return rest if rest != text and _SPLIT.sub("", rest) else text


# words of time a voice slip is heard in ("里拜六"); not 上午/下午, whose sounds are also "上五天班"
_TIME_WORDS = ("礼拜", "星期", "周末", "双休", "晚上", "白天", "中午", "农闲", "夜班", "夜里", "休息", "工作", "春茶")


_WEEKDAY_PART = re.compile(r"(?:平时|平常|平日)的?(?:晚上|夜里|下午|上午|早上|白天|下班)")
_DAYS_NAMED = re.compile(r"工作日|周[一二三四五]|礼拜[一二三四五]|星期[一二三四五]")
_WEATHER = re.compile(r"夏天|夏季|冬天|冬季|天热|太热|太晒|太冷|天冷")
# "周六一天 周日要去教堂": one weekend day busy beside the other said free is the weekend, not the weekdays
_WEEKEND_DAY_BUSY = re.compile(r"(?:周|星期|礼拜)[六日天][^，,。\s]{0,2}(?:要|去|不行|没空|忙|不干)")
_OTHER_DAYS = re.compile(r"平时|平常|平日|工作日|其他|其它|其余|别的|另外")
_BUSY_SEASON = re.compile(r"农忙|双抢|秋收|收稻|插秧|茶季|春茶|采茶|摘茶")
_FESTIVAL_BUSY = re.compile(r"(?:逢年过节|过年过节|过年|过节|春节)[^，,。;；\s]{0,4}(?:不行|没空|不得空|不方便|忙)")


def free_time(text: str) -> Reading:
    """Codes of the free-time answer: picks from the list, any time, farm work done or months said,
    else the clock and days of the week clause by clause, else the options' words; and its two
    meanings when it has two. A day's routine said in one breath is cut where each part of the day
    is named."""
    if (picked := _picked_times(text)) is not None:
        return picked
    said = _LOCAL_TIME.sub(lambda m: _LOCAL_TIMES[m.group(0)], corrected(respelled(text, _TIME_WORDS)))
    said = taxonomy.own_words(said)
    said = _done_at().sub(r"\2\1", _SHIFT_WORKED.sub(lambda m: f"{_SHIFT_PART[m.group(1)]}上班", said))
    said = _NO_TROUBLE.sub("没事", _NEVER_BUSY.sub("随时都行", _numbered_days(said)))
    said = _left_out(_MORE_FREE, _FOR_MORE_PAY.sub("也行", _left_out(_A_FEW_DAYS_AWAY, said)))
    said = _BOTH_NO.sub(r"\1\3，\2\3", _parts_left(said))
    said = _framed_hours(_evening_hours(_clock_written(_conclusion(_left_out(_WAKING, said)))))
    said = _BUS.sub("班车", _BUS_DAY.sub("白天", said))
    said = _AROUND_NOON.sub("白天", _COOKING_A_MEAL.sub("做饭", said))
    # "白天 但中午要回家烧饭": home at noon is a break in a day said free, not its end
    said = _left_out(_LUNCH_BREAK, said) if _DAY_SAID.search(said) else _BEFORE_NOON.sub("上午", said)
    said = _BEFORE_DARK.sub("只做白天", said)
    said = _PAST.sub(lambda m: f"{m.group(1) or m.group(2)}以后", _DAWN.sub("凌晨", _OVERNIGHT.sub("到半夜", said)))
    said = _AFTER_TEA.sub("春茶过了", said)
    said = _HOME_BY_HOUR.sub("", said) if _LATE.search(said) else said
    text = _part_carried(_contrasted(_only(_run_on(_clock_over_no(_until_part(_between(_that_time(said))))))))
    text = _within_the_day(text)
    whole = _all_but(text) or (["anytime"] if _AT_HOME.match(compact(text)) else _whole_answer(text))
    reading = Reading(whole, []) if whole else taxonomy.availability().read(text, first=_clock_and_days)
    for code in (c for c in reading.by_no if c in _NAMED_BY):
        # (a season ruled in beside a part of the day is another side of the answer: "只要不是摘茶叶的时候，日里都可以")
        beside = [c for c in reading.codes if c != code and (code != "slack_season" or c in _DAYS_AND_SEASONS)]
        if beside and not _NAMED_BY[code].search(text):
            # "过年前后有空，平时要带孙子": 平时 busy is "usually busy" beside a time said free, not "free at
            # weekends"; "时间改成晚上 下午要去地里": beside 晚上, a busy afternoon is no free morning;
            # "春茶一过就要回厂里了，就春茶那阵有空", "春茶的时候不行…其他时候周末可以": no slack season
            reading = _without(reading, code)
    if "slack_season" in reading.by_no and len(reading.codes) > 1 and _WEATHER.search(text):
        # "夏天太热白天干不动，晚上凉快可以": the weather is why, not the farming year
        reading = _without(reading, "slack_season")
    if {"weekdays", "weekends"} <= set(reading.codes) and _WEEKDAY_PART.search(text) and not _DAYS_NAMED.search(text):
        # "平时晚上，周末全天": the part of the day on weekdays, and the weekends; not every weekday
        reading = _without(reading, "weekdays")
    if {"weekdays", "weekends"} <= set(reading.codes) and _WEEKEND_DAY_BUSY.search(text) \
            and not _OTHER_DAYS.search(text) and not _DAYS_NAMED.search(text):
        reading = _without(reading, "weekdays")
    if ("weekdays" in reading.codes and _BUSY_SEASON.search(text) and not _DAYS_NAMED.search(text)
            and not _WEEKEND.search(text)):
        # "农忙没空 平时白天都行": beside a busy season, 平时 is the rest of the year, not the weekdays
        codes = [c for c in reading.codes if c != "weekdays"]
        reading = replace(reading, codes=list(dict.fromkeys([*codes, "slack_season"])))
    if ("weekdays" in reading.codes and len(reading.codes) > 1 and _FESTIVAL_BUSY.search(text)
            and not _DAYS_NAMED.search(text) and not _WEEKEND.search(text)):
        # "逢年过节不行，平常白天": beside the festivals, 平常 is the rest of the year, not the weekdays
        reading = replace(reading, codes=[c for c in reading.codes if c != "weekdays"])
    if "daytime" in reading.codes and not reading.picked:
        reading = _two_windows(text, reading)
    either = _two_meanings(text)
    return replace(reading, either=either) if either else reading


_SPELL = re.compile(r"[\d一二两三四五六七八九十]{1,3}[点:：][^，,。;；\s]{0,3}(?:到|至|-|~|～)[^，,。;；\s]{0,3}"
                    r"[\d一二两三四五六七八九十]{1,3}[点:：]")  # "九点到十一点": a spell of hours


def _two_windows(text: str, reading: Reading) -> Reading:
    """"上午九点到十一点，下午两点到四点，接送孩子的时间不行": two spells of hours, one in the morning and one
    in the afternoon, with a gap between, are those two parts of the day, not the whole day."""
    hours = [c for c in _clauses(text) if _HOUR_SAID.search(c)]
    parts = [_clock_and_days(c) for c in hours]
    if sorted(tuple(p) for p in parts) != [("afternoon",), ("morning",)] or not all(_SPELL.search(c) for c in hours):
        return reading
    codes = [c for c in reading.codes if c != "daytime"]
    return replace(reading, codes=[*codes, "morning", "afternoon"])


def _picked_times(text: str) -> Reading | None:
    """"7-8", "第七个跟最后一个", "1、3，晚上也行": picks from the list (a stretch of numbers is no clock
    time here), and the words after them; "8、9不要，其它都行" is what those times ruled out leave."""
    options = taxonomy.availability()
    chosen = pick(text, len(options.numbered))
    if chosen is not None and chosen.but:
        return free_time("、".join(options.numbered[n - 1].label.split("/")[0].removeprefix("只做")
                                   for n in chosen.but) + "不行")
    return options.picked(text, words=free_time) if chosen is not None else None


# "那两天", "那时候": a time named in the clause before, pointed back at
_THAT_TIME = re.compile(r"[那这](?:两天|几天|时候|个时候|会儿|段时间)")


def _that_time(text: str) -> str:
    """"礼拜六礼拜天游客多 那两天出来": a clause saying one is free at a time it points back to, the time
    said in its place; the clause before is only why ("游客多" is no busy weekend)."""
    clauses = _clauses(text)
    for i in range(1, len(clauses)):
        named = re.findall(_WHEN, clauses[i - 1])
        if named and _THAT_TIME.search(clauses[i]) and re.search(_FREE, clauses[i]):
            clauses[i - 1] = re.sub(_WHEN, "", clauses[i - 1])
            clauses[i] = _THAT_TIME.sub("".join(named), clauses[i], count=1)
    return "，".join(clauses) if len(clauses) > 1 else text


# Kaihua's own words for times ("夜到空，日里在茶厂"), said as the rules read them
_LOCAL_TIMES = {"日里": "白天", "日里头": "白天", "夜到": "晚上", "夜里头": "晚上", "上昼": "上午", "下昼": "下午",
                "晏昼": "中午", "辰光": "时候"}
_LOCAL_TIME = re.compile("(?<![平往])(?:" + "|".join(sorted(_LOCAL_TIMES, key=len, reverse=True)) + ")")  # not 平日里


def _without(reading: Reading, code: str) -> Reading:
    return replace(reading, codes=[c for c in reading.codes if c != code])


# --- travel range -----------------------------------------------------------------------------
# "两三公里", "三五分钟": the larger of two numbers said together
_ROUGHLY = re.compile(r"[一二两三四五六七八九]([二两三四五六七八九])(?=(?:个|多)?(?:公里|里|分钟|分|小时|钟头))")
_MINUTES = re.compile(r"(\d+|半)(?:个)?(?:多|来|几)?(?:个)?(分钟|分|小时|钟头|刻钟)")
_KM = re.compile(r"(\d+|几10)(?:多|几)?(公里|里路|里地|km|千米|里)")
ROUGHLY_TENS = 30  # "几十公里" (几10 once digits are written): a few tens


_BOTH_WAYS = re.compile(r"来回|往返|一来一回|一去一回")  # "来回一个小时": half of it each way


def _minutes(text: str) -> int | None:
    found = _MINUTES.search(text)
    if not found:
        return None
    amount = 0.5 if found.group(1) == "半" else float(found.group(1))
    unit = found.group(2)
    minutes = amount * (60 if unit in ("小时", "钟头") else 15 if unit == "刻钟" else 1)
    return int(minutes / 2 if _BOTH_WAYS.search(text) else minutes)


def _by_measure(limits: dict[str, int], value: float) -> str:
    return next((code for code in ("village", "town") if value <= limits[code]), "county")


@lru_cache(maxsize=1)
def _travel_words() -> dict[str, Any]:
    words: dict[str, Any] = taxonomy.answer_words()["travel_ranges"]
    return words


def _how_far(clause: str) -> tuple[str | None, str | None]:
    """The range from how long it takes ("骑电瓶车半小时" → 本乡镇), and from the means alone
    ("坐班车" → 全县), which counts only when nothing else in the clause says how far."""
    words = _travel_words()
    mode = next((m for m in words["modes"].values() if any(re.search(w, clause) for w in m["words"])),
                words["modes"]["unsaid"])
    minutes = _minutes(clause)
    if minutes is not None:
        return _by_measure(mode["minutes"], minutes), None
    km = _KM.search(clause)
    if km:
        amount = ROUGHLY_TENS if km.group(1) == "几10" else int(km.group(1))
        return _by_measure(words["km"], amount / (2 if km.group(2) in ("里路", "里地", "里") else 1)), None
    return None, mode["alone"]


def _places(clause: str, places: Gazetteer, town: str | None, village: str | None) -> str | None:
    """The range from places named: another town is the county, one's own town the town."""
    named = places.towns_heard_in(clause)
    if any(t != town for t in named):
        return "county"
    if named:
        return "town"
    other = places.village_in(clause, town)
    if village and (village_key(other) == village_key(village) if other else heard_in(village, clause)):
        return "village"
    if other:
        return "town" if other in places.villages_of(town) else "county"
    return None


_AT_MOST = re.compile(r"不要超过|不能超过|不超过|别超过|最多")  # a limit, not a "no": "不超过半小时"
_ALL_FINE = re.compile(r"(?:都|随便)(?:行|可以|成|中|好|没问题|要得|能?去得?了?|能?跑得?)[的啊呀嘞]?$")
_ANY = re.compile(r"哪|啥|什么|任何|无论|不管|随便")
# "能去镇上 再远老伴一个人在家不放心": farther than what was said is ruled out, whatever the reason
_FARTHER = re.compile(r"再(?:远|往外|往远)[^，,。;；\s]*")
# "出了村就不去": beyond the place is ruled out, the place itself is meant (as "不出村")
_LEAVING = re.compile(r"出了?(村|镇|乡|县|[\u4e00-\u9fff]{2,3}?)[^，,。]{0,2}?"
                      r"(?:不去|不行|不干|不跑|去不了|不方便|不想去|没法去|没车)"
                      r"|(?:不要|不想|不能|不愿|别)出"
                      # "不能离村", "不想离开镇上": not leaving the place is staying in it
                      r"|(?:不要|不想|不能|不愿|别|走不)离开?(村|镇|乡)"
                      # "苏庄以外不去", "除了苏庄其他都不去": so is all but the place
                      r"|(?:除了)?([\u4e00-\u9fff]{2,3}?)(?:以外|之外|其他|其它|别的)(?:的?地方)?[都哪也]*(?:不去|不行|不跑)"
                      # "村外头不去": outside the place is ruled out
                      r"|(村|镇|乡)外(?:头|面|边)?就?(?:不去|不行|不干|不跑|去不了)")
# "不远", "出不了远门": near, said beside the place that says how near
# "不出开化城": the county town, one's own; "只要不出华埠镇": the town named
_BOUND = re.compile(r"不出(?:这个|我们|本|开化|[\u4e00-\u9fff]{2}(?=[镇乡]))?(村|镇|乡|城|社区)")
_BOUNDS = {"村": "village", "社区": "village", "镇": "town", "乡": "town", "城": "town"}
_NEAR = re.compile(r"不远|不要太远|别太远|近点|近一点|近些|出不了远门|不出远门|走不远|跑不远|不让[我他她]?出去"
                   r"|不[让许准能敢想要][我他她]?(?:走|跑|去)远")  # "子女不让走远"


# "远了老太婆不放心", "不跑远了": why not far, beside a clause that says how far
_FAR_REASON = re.compile(r"远了|太远|路(?:有点|挺|比较)?远|远的话|跑远|走远|[乡镇县城][里上]?(?:有点|挺|比较)?远$")
_FAR_FINE = re.compile(r"也行|都行|也可以|都可以|没关系|也去|都去|不怕|也能|无所谓")
# "城里工地干过，工钱被拖，城里不去了，乡里的活可以": where one worked or went before is the story
_BEEN_BEFORE = re.compile(r"[^，,。;；\s]*(?:以前|(?<![都也])(?:去|干|做|待|呆)过)[^，,。;；\s]*")
_BEEN = re.compile(r"[都也]去过")  # "附近几个村都去过": having been there, not "anywhere"
# "就本村", "只在镇上", "村里就好": a clause that names the only place
_JUST = re.compile(r"(?:^|(?<=[，,。;；\s]))(?:(?:平常|平时|一般|通常|我|俺)?(?:就|只)[^，,。;；\s]+"
                   r"|[^，,。;；\s]+就(?:好|行|可以|够了))"
                   r"(?=$|[，,。;；\s])|^[^，,。;；\s]+吧(?=[，,。;；\s])")  # "镇上吧 镇上哪里有活？": settled first
# "县城也行", "哪里都可以": another place said to be fine too ("晚上都回不来" is no such word)
_ALSO_FINE = re.compile(r"[也都](?:行|可以|能|中|成|去|要|接受|没问题|无所谓)")
# "镇上 比县城近 比村里活多": a comparison is why, beside the place said
_COMPARED = re.compile(r"(?:^|(?<=[，,。;；\s]))(?:比|[^，,。;；\s]*还?不如)[^，,。;；\s]*")
# "比去县城近的都行": anywhere nearer than the place named
_NEARER = re.compile(r"比(?:去|到)?(县城|城里|镇上|乡里)近(?:的|点的|些的)?")
_NEARER_THAN = {"县城": "本乡镇", "城里": "本乡镇", "镇上": "本村", "乡里": "本村"}
# "镇上 村里 都可以": an "all fine" said alone is of the places listed before it (said without a distance)
_ALL_OF_THESE = re.compile(r"^((?:[^，,。;；\s\d]{1,6}[\s,，、]+)*?[^，,。;；\s\d]{1,6})[\s,，、]+"
                           r"((?:也|都|也都)(?:行|可以|成|中|好)[的啊呀吧]?)$")
# "随便几点都行": any hour is no place
_ANY_TIME = re.compile(r"(?:随便|不管|无论)?(?:几点|啥时候|什么时候|时间)[都也]?(?:行|可以|成|中)")


# "村口远了不行", "隔壁村也能去再远了脚骨不来三", "就是村口那么远": a place, then that beyond it is
# too far; said in one breath, the place is the reach and the rest a reason of its own ("县城远了"
# is the county too far: a place that far is ruled out, as before)
_BEYOND = re.compile(r"(?<=[^\s，,。;；不要别太很点得])(?=再远|远了|远的话)")
_AS_FAR = re.compile(r"(?<=[\u4e00-\u9fff])(?:那么|这么|那样|这样|那|这)远")


def _as_far_as(text: str) -> str:
    said = _AS_FAR.sub("", normalize(text))
    beyond = _BEYOND.search(said)
    if beyond is None or taxonomy.travel_ranges().read(said[:beyond.start()]).codes == ["county"]:
        return said
    return _BEYOND.sub("，", said)


def _why_not_far(text: str) -> str:
    """The answer without its clauses that only give a reason for not going far, when another
    clause says how far: "就村里，远了老太婆不放心" → 就村里."""
    clauses = [c for c in _SPLIT.split(normalize(text)) if c.strip(" ，,。;；")]
    kept = [c for c in clauses if not (_FAR_REASON.search(c) and not _FAR_FINE.search(c))]
    return "，".join(kept) if kept and len(kept) < len(clauses) else normalize(text)


# "本村最好，不行的话也就镇上，再远不去": "if not" brings in the fallback, and "no farther" only caps
# what was said before it
_NO_FARTHER = re.compile(r"(?<=[\s,，。;；])(?:再|更)远(?:一点|一些|点|的话|了|的地方)?[就也的]?"
                         f"(?:不去|算了|不行|不要|不干|去不了|不考虑|就不去)了?(?:吧|啊)?{_CLAUSE_END}")
_IF_NOT = re.compile(r"(?:要是|如果)?(?:不行|没有|没活|找不到)的话")


# "我长虹乡桃源村的 村里干干": where one lives, said first, is no place one goes to
_HOME_FIRST = re.compile(r"^(?:我|俺)(?:是|家是?|住|家住)?(?P<place>[^，,。;；\s去到跑]{2,10}?)(?:的人?|人)"
                         r"(?=[，,。;；\s])")
_HOME_SAID = re.compile(r"^(?P<place>[^，,。;；\s]{2,6}?)的(?=[，,。;；\s])")


def _home_left_out(text: str, places: Gazetteer, town: str | None, village: str | None) -> str:
    home = _HOME_FIRST.match(text.strip())
    if home and (places.towns_in(home["place"]) or places.village_in(home["place"], town)):
        return _left_out(_HOME_FIRST, text.strip())
    own = places.get(town or "")
    # "长虹的 山里出来不方便 村里吧": one's own town or village said first, as who one is, when the rest
    # says how far in words ("华埠的 可以" names where; "桐村的 电瓶车十分钟以内" is as far as the town)
    if (said := _HOME_SAID.match(text.strip())) and (
            own and said["place"] in (own.name, own.short)
            or village and village_key(said["place"]) == village_key(village)):
        rest = _left_out(_HOME_SAID, text.strip())
        if _minutes(arabize(rest)) is None and _reach(rest, places, town, village) is not None:
            return rest
    # "何田 走路能到的": one's own town said first, then how near on foot
    first, _, rest = text.strip().partition(" ")
    if own and first in (own.name, own.short) and _ON_FOOT.match(rest):
        return rest
    return text


_ON_FOOT = re.compile(r"(?:就|只)?(?:走路|步行|走着|走得到|走过去)")
_LABEL_ONLY = re.compile(r"\d(?:只在)?(?:本村|本乡镇|全县都行|全县)")


def travel(text: str, places: Gazetteer, town: str | None, village: str | None) -> str | None:
    """The travel range an answer means, the widest named; None when nothing is understood. An answer
    put right by number ("1不要了 村里活太少 那就3"), or one that reads as nothing whole, is what its
    clauses settle on once what they put right is applied (words alone lean on the clauses around
    them: "华埠 哦不对 只在金星村 镇上太远" is read whole)."""
    text = respelled(normalize(in_characters(text)), _PLACE_WORDS)  # "本春就行": 本村; "cun li": 村里
    text = _THERE.sub("那边", text)
    reach = _reach(text, places, town, village)
    if reach is not None and not re.search(r"\d", normalize(text)):
        return reach

    def of_clause(clause: str) -> Reading:
        reach = _reach(clause, places, town, village)
        return Reading([reach] if reach else [], [])

    return _widest(settled) if (settled := settle(text, of_clause)) else reach


_PLACE_WORDS = ("本村", "村里", "镇上", "县城")  # words of how far a voice slip is heard in
# "马金街上骑车十分钟 那里可以": there, the place just said, not 哪里 (anywhere) as it sounds; "那里都行"
# is anywhere mistyped
_THERE = re.compile(r"那[里儿](?![都也])")


def _widest(codes: list[str]) -> str:
    """The widest of the travel ranges named."""
    order = [o.code for o in taxonomy.travel_ranges().options]
    return max(codes, key=order.index)


# "…二十分钟，行", "…也能去": the place whose distance was just told is fine; unless it is too far
_FINE_BY_ME = re.compile(r"(?:行|可以|能去|也去|愿意去?|没问题|中|成)[的啊呀吧哈]?[。!！]?$")
_TOO_FAR = re.compile(r"太远|远了|不去|不行|晕车|吃不消|不敢|不想")


def _reach(text: str, places: Gazetteer, town: str | None, village: str | None) -> str | None:
    """The travel range an answer means, the widest named. How one goes alone ("坐女婿的车") counts
    only when no part of the answer names a place or a distance."""
    options = taxonomy.travel_ranges()
    if (picked := options.picked(text)) is not None and picked.codes:  # "1 不对 是2", "除了1都行"
        worded = [c for c in picked.codes if c not in picked.picked]
        if len(picked.picked) == 1 and len(worded) == 1 and _LABEL_ONLY.fullmatch(compact(text)):
            return worded[0]  # "3 本乡镇": the label read, the number next to it mistyped
        return _widest(picked.codes)
    text = _left_out(_NO_FARTHER, _left_out(_IF_NOT, _home_left_out(text, places, town, village)))
    text = _ALL_OF_THESE.sub(r"\1\2", _NEARER.sub(lambda m: _NEARER_THAN[m.group(1)], corrected(text)))
    # how far one goes now, after a story of the past; a place named, over words that only say "near";
    # a place said as the only one, over the minutes or means said beside it with no "also"
    just = _JUST.search(text)
    only = just.group(0) if just and not _ALSO_FINE.search(text[:just.start()] + text[just.end():]) else None
    for told in (now.group(1) if (now := THEN_NOW.search(text)) else None, _BEEN_BEFORE.sub("", text),
                 _NEAR.sub("", text), only, _COMPARED.sub("", text)):
        if told and told != text and (reach := _reach(told, places, town, village)):
            return reach
    means: list[str] = []
    order = [o.code for o in options.options]
    accepted = _FINE_BY_ME.search(text) and not _TOO_FAR.search(text)

    def how_far_or_where(clause: str) -> list[str]:
        named = _ALL_FINE.sub("", compact(clause))
        # "镇上都行", "乡里都能去": the place, not 都行's "anywhere" (but "哪个乡镇都去" is anywhere, and
        # "乡里哪个村都行" anywhere in the place said first)
        if named and named != compact(clause) and (within := _ANY.split(named, maxsplit=1)[0]):
            if reach := options.read(within, first=how_far_or_where).said:
                return reach
        said = _AT_MOST.sub("", arabize(_ROUGHLY.sub(r"\1", normalize(clause))))
        if options.says_no(said):
            return []
        measured, by_means = _how_far(said)
        # "马金街上骑车十分钟": a place said to be close by is where one goes; a place far off by one's
        # own measure ("到县城要一个半钟头") is not, unless one says that is fine ("到县城开车二十分钟，行")
        place = _places(said, places, town, village)
        fine = place and accepted and order.index(place) > order.index(measured or "village")
        found = (fine and place) or (measured != "village" and measured) or place or measured
        if found or by_means is None:
            return [found] if found else []
        if not options.read(clause).codes:
            means.append(by_means)
        return []

    said = _LEAVING.sub(lambda m: f"不出{m.group(1) or m.group(3) or m.group(2) or m.group(4) or ''}",
                        _BEEN.sub("去过", _why_not_far(_as_far_as(_ANY_TIME.sub("", _FARTHER.sub("远了不去", text))))))
    codes = options.read(said, first=how_far_or_where).said or means
    widest = max(codes, key=order.index) if codes else None
    # "隔壁家那种都行 不出村子": a bound said is the most, whatever else is said to be fine
    bounds = [_BOUNDS[b] for b in _BOUND.findall(said)]
    bound = max(bounds, key=order.index) if bounds else None
    if bound and (widest is None or order.index(widest) > order.index(bound)):
        return bound  # ("不出社区": the bound alone is the answer)
    return widest

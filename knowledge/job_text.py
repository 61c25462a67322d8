"""What a job's free text says, the way staff write it: its kinds of work ("高山茶基地摘茶" →
采茶), heavy or light work ("要扛化肥"), an age limit ("要求40岁以内", "年龄18到48周岁"), night
work ("22点到早上6点", "通宵"), the days ("只要工作日"), the season ("秋茶") and material
brought to the house ("来料加工，送料上门")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge import taxonomy
from knowledge.text import arabize, normalize

WEEKDAYS, WEEKENDS = "weekdays", "weekends"
DAYS_LABELS = {WEEKDAYS: "只要工作日", WEEKENDS: "只要周末"}
HEAVY, MEDIUM, LIGHT = "重", "中", "轻"

_NEGATION = ("不", "无", "没有", "不用", "不需要", "无需", "不要求")
_HEAVY_WORDS = ("扛", "搬重物", "重物", "体力要好", "体力好", "体力活", "重体力", "力气大", "力气活", "搬水泥",
                "挑担", "背化肥", "抬", "有力气", "要力气", "负重", "身强力壮", "身体强壮", "搬砖", "体力充沛")
_LIGHT_WORDS = ("活轻", "轻活", "轻松", "活不重", "不重", "不累", "轻体力", "坐着", "适合老年", "适合中老年",
                "老人也可", "老年人也可", "老人也能", "老年人也能")
_NIGHT_WORDS = ("夜班", "通宵", "两班倒", "三班倒", "倒班", "夜间", "晚班", "值夜", "守夜", "上夜", "夜里", "凌晨",
                "晚上值班", "晚上上班", "半夜")
_WEEKEND = (r"(?:周末|周六日|周六周日|周六和周日|双休日|星期六星期天|星期六和星期天|星期六|星期天"
            r"|礼拜六|礼拜天|周六|周日)")
_WEEKDAYS = re.compile(rf"工作日|周一(?:到|至|-)周五|星期一(?:到|至|-)星期五|双休(?!日)"
                       rf"|{_WEEKEND}(?:休息|放假|不上班|不用上班|休)")
_WEEKENDS = re.compile(rf"(?:只|仅|限)[要在招做是]?{_WEEKEND}"
                       rf"|{_WEEKEND}(?:兼职|两天|上班|干活|做|帮工|帮忙|临时工|用工)")
_DOOR = re.compile(r"(?:送|发)料(?:上门|到家|到村)|上门(?:送料|发料|收货|收)|送货到家|材料送到家|(?:带|拿)回家(?:做|干)"
                   r"|在家(?:里|中)?(?:就|也)?(?:能|可以|可)?(?:做|干|加工)|居家|不用出门")
_NOT_A_LIMIT = re.compile(r"^\s*(?:也|均|都|优先|亦)")
_AGE_RANGE = re.compile(r"(?:年龄|岁数)?(\d{2})\s*周?岁?\s*(?:到|至|-|~|—)\s*(\d{2})\s*周?岁")
_AGE_RANGE_PLAIN = re.compile(r"(?:年龄|岁数)[^\d,]{0,3}(\d{2})\s*(?:到|至|-|~|—)\s*(\d{2})")
_AGE_MAX = re.compile(r"(?:(\d{2})\s*周?岁\s*(?:以下|以内|之内|及以下|内)"
                      r"|(?:不超过|不大于|小于|低于|不满)(\d{2})\s*周?岁)")
_AGE_MIN = re.compile(r"(\d{2})\s*周?岁\s*(?:以上|及以上|起)|年满(\d{2})")
_PERIOD = "早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|凌晨|早|晚|次日|第二天"
_HOURS = re.compile(rf"({_PERIOD})?(\d{{1,2}})(?:[点:时](\d{{2}}|半)?)\s*(?:到|至|-|~|—)\s*(?:次日|第二天)?"
                    rf"({_PERIOD})?(\d{{1,2}})(?:[点:时](\d{{2}}|半)?)?")
_MONTHS = re.compile(r"(\d{1,2})月(?:份)?(?:到|至|-|~)(\d{1,2})月|(\d{1,2})月份")
_MONTH_SEASON = {3: "春茶季", 4: "春茶季", 5: "夏季", 6: "夏季", 7: "夏季", 8: "夏季", 9: "秋季", 10: "秋季",
                 11: "秋季", 12: "冬季", 1: "冬季", 2: "冬季"}


@dataclass(frozen=True)
class Reading:
    """What the text says; None (or False, or empty) where it says nothing."""

    skills: tuple[str, ...] = ()
    physical: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    night_shift: bool = False
    days: str | None = None
    season: str | None = None
    at_door: bool = False


def _said(text: str, words: tuple[str, ...]) -> bool:
    """A word appears and is not negated just before it ("不上夜班", "不用扛")."""
    for word in words:
        start = text.find(word)
        while start >= 0:
            before = re.split(r"[\s,.;:!?，。；：！？、]", text[max(0, start - 4):start])[-1]
            if not any(n in before for n in _NEGATION):
                return True
            start = text.find(word, start + 1)
    return False


def kinds(title: str, description: str = "", named: str = "") -> tuple[str, ...]:
    """The kinds of work: the ones staff named, else those in the title, else in the description.
    "啥都行/不限" is no kind: such a job stays unclassified until staff pick one."""
    options = taxonomy.skills()
    tries = [options.parse(named) or [] if named else [], options.named_in(title), options.named_in(description)]
    return next((tuple(found) for found in ([k for k in t if k != taxonomy.ANYTHING] for t in tries) if found), ())


def physical(text: str) -> str | None:
    if _said(text, _HEAVY_WORDS):
        return HEAVY
    if any(word in text for word in _LIGHT_WORDS):
        return LIGHT
    return None


def ages(text: str) -> tuple[int | None, int | None]:
    digits = arabize(text)
    if m := _AGE_RANGE.search(digits) or _AGE_RANGE_PLAIN.search(digits):
        low, high = sorted((int(m.group(1)), int(m.group(2))))
        return low, high
    high_m = next((m for m in _AGE_MAX.finditer(digits) if not _NOT_A_LIMIT.match(digits[m.end():])), None)
    low_m = next((m for m in _AGE_MIN.finditer(digits) if not _NOT_A_LIMIT.match(digits[m.end():])), None)
    at_most = int(high_m.group(1) or high_m.group(2)) if high_m else None
    at_least = int(low_m.group(1) or low_m.group(2)) if low_m else None
    return at_least, at_most


def _hour(period: str | None, hour: int) -> int:
    if period in ("下午", "傍晚", "晚上", "夜里", "夜间", "晚") and hour < 12:
        return hour + 12
    return hour


def night(text: str) -> bool:
    """Work between 22:00 and 05:00: said in words, or an hour span reaching into it."""
    if _said(text, _NIGHT_WORDS):
        return True
    for m in _HOURS.finditer(arabize(text)):
        start = _hour(m.group(1), int(m.group(2)))
        end = _hour(m.group(4) or m.group(1), int(m.group(5)))  # "晚上6点到10点": both in the evening
        if start > 24 or end > 24:
            continue
        if start >= 21 or start < 5 or end > 22 or end < start:
            return True
    return False


def days(text: str, *, title: bool = False) -> str | None:
    """Only weekdays ("只要工作日", "周末休息") or only weekends ("只要周六周日"; a title "周末帮厨")."""
    if _WEEKDAYS.search(text):
        return WEEKDAYS
    if _WEEKENDS.search(text) or (title and re.search(_WEEKEND, text)):
        return WEEKENDS
    return None


def season(text: str, named: str = "") -> str | None:
    """The one season the job is in, or None when none or several are named."""
    seasons = taxonomy.seasons()
    found = seasons.parse(named) if named else None
    found = found or seasons.named_in(text)
    if not found:
        months = _MONTHS.search(arabize(text))
        if months:
            first = int(months.group(1) or months.group(3))
            found = [season_of_month(first)] if 1 <= first <= 12 else []
    return found[0] if found and len(set(found)) == 1 else None


def season_of_month(month: int) -> str:
    return _MONTH_SEASON[month]


def read(title: str, description: str = "", *, hours: str = "", season_text: str = "",
         named_kinds: str = "") -> Reading:
    text = normalize(" ".join((title, description, hours)))
    found = kinds(title, description, named_kinds)
    said_days = days(normalize(title), title=True) or days(normalize(f"{description} {hours}"))
    age_min, age_max = ages(text)
    return Reading(skills=found, physical=physical(text), age_min=age_min, age_max=age_max,
                   night_shift=night(text), days=said_days,
                   season=season(text, season_text), at_door=bool(_DOOR.search(text.replace(" ", ""))))

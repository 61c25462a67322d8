"""How a fair is put in words for people: its day, its hours and its place, and the block a
reminder, a notice or a list shows ("招聘会提醒：…时间：…地点：…")."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from storage.fairs import end_of
from storage.models import Fair

WEEKDAYS = "一二三四五六日"


def clock_text(t: time) -> str:
    """09:00 → 上午9点, 19:30 → 晚上7点半, 12:00 → 中午12点."""
    h, m = t.hour, t.minute
    period = "凌晨" if h < 6 else "上午" if h < 12 else "中午" if h == 12 else "下午" if h < 18 else "晚上"
    hour = h - 12 if h > 12 else h
    minutes = "" if m == 0 else "半" if m == 30 else f"{m}分"
    return f"{period}{hour}点{minutes}"


def date_text(day: date, *, this_year: int | None = None) -> str:
    year = f"{day.year}年" if this_year is not None and day.year != this_year else ""
    return f"{year}{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def day_text(fair: Fair, tz: ZoneInfo, *, this_year: int | None = None) -> str:
    """3月18日上午: the day and the part of it, for one line of a list."""
    start = fair.starts_at.astimezone(tz)
    year = f"{start.year}年" if this_year is not None and start.year != this_year else ""
    return f"{year}{start.month}月{start.day}日{clock_text(start.time())[:2]}"


def when_text(fair: Fair, tz: ZoneInfo, *, this_year: int | None = None) -> str:
    """3月18日（星期三）上午9点到中午12点."""
    start = fair.starts_at.astimezone(tz)
    end = end_of(fair).astimezone(tz)
    begins = clock_text(start.time())
    text = f"{date_text(start.date(), this_year=this_year)}{begins}"
    if end.date() == start.date():
        ends = clock_text(end.time())
        text += "到" + (ends[2:] if ends[:2] == begins[:2] else ends)  # 上午9点到11点半
    return text


def where_text(fair: Fair) -> str:
    if fair.stream_url and not fair.venue:
        return f"网上直播，用手机打开：{fair.stream_url}"
    place = fair.venue or fair.town or "待定"
    return f"{place}；也可以看直播：{fair.stream_url}" if fair.stream_url else place


def fair_fields(fair: Fair, tz: ZoneInfo, *, change: str | None = None) -> dict[str, str]:
    """The fair's facts for a channel with fixed templates (SMS, calls): "3月18日", "上午9点", the
    place, and what changed ("改时间了", "取消了") for a change notice."""
    start = fair.starts_at.astimezone(tz)
    place = fair.venue or fair.town or ("网上直播" if fair.stream_url else "地点待定")
    fields = {"title": fair.title, "date": f"{start.month}月{start.day}日", "time": clock_text(start.time()),
              "place": place}
    return {**fields, "change": change} if change else fields


def fair_block(fair: Fair, tz: ZoneInfo, *, heading: str, this_year: int | None = None) -> str:
    return "\n".join([heading, fair.title, f"时间：{when_text(fair, tz, this_year=this_year)}",
                      f"地点：{where_text(fair)}"])

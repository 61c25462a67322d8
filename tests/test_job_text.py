"""Reading a job's free text: kinds, heavy work, ages, night work, days, season, at the door."""

from __future__ import annotations

import pytest

from knowledge.job_text import read


@pytest.mark.parametrize("title,description,kinds", [
    ("高山茶基地摘茶", "", ("tea",)),
    ("秋茶采摘工", "", ("tea",)),
    ("室内刷漆师傅", "", ("construction",)),
    ("水电安装工", "", ("electrician",)),
    ("挖掘机司机", "", ("machinery",)),  # not also a lorry driver's job
    ("叉车司机", "", ("machinery",)),
    ("出纳", "", ("office",)),
    ("电焊工", "", ("welder",)),
    ("快递分拣员", "", ("porter",)),
    ("临时工", "帮忙采茶叶，按天算", ("tea",)),  # the description when the title names no kind
    ("直播带货主播", "卖茶叶", ("ecommerce",)),  # the title wins over what the description mentions
    ("储备干部", "大专以上", ()),
])
def test_kinds_from_title_then_description(title: str, description: str, kinds: tuple[str, ...]) -> None:
    assert read(title, description).skills == kinds


@pytest.mark.parametrize("text,low,high", [
    ("要求40岁以内", None, 40), ("年龄18到48周岁", 18, 48), ("年龄：18至50周岁", 18, 50), ("五十岁以下", None, 50),
    ("60岁以上也可以", None, None), ("50岁以上优先", None, None), ("年满18周岁", 18, None), ("身体健康", None, None),
])
def test_age_limits(text: str, low: int | None, high: int | None) -> None:
    found = read("保洁", text)
    assert (found.age_min, found.age_max) == (low, high)


@pytest.mark.parametrize("text,heavy", [
    ("要扛化肥上山", "重"), ("体力要好", "重"), ("不用扛，活不重", "轻"), ("适合中老年", "轻"), ("包午饭", None),
])
def test_heavy_or_light(text: str, heavy: str | None) -> None:
    assert read("农活", text).physical == heavy


@pytest.mark.parametrize("text,night", [
    ("22点到早上6点", True), ("通宵", True), ("晚上10点到凌晨5点", True), ("晚8点到早8点", True), ("两班倒", True),
    ("8:00-16:30", False), ("上午8点到11点", False), ("晚上6点到10点", False), ("不上夜班", False),
])
def test_night_work(text: str, night: bool) -> None:
    assert read("保安", text).night_shift is night


@pytest.mark.parametrize("title,text,days", [
    ("文员", "只要工作日", "weekdays"), ("帮厨", "周六周日休息", "weekdays"), ("保洁", "周末双休", "weekdays"),
    ("帮厨", "只要周六周日", "weekends"), ("农家乐周末帮厨", "", "weekends"), ("帮厨", "周末也要上班", None),
])
def test_days(title: str, text: str, days: str | None) -> None:
    assert read(title, text).days == days


@pytest.mark.parametrize("title,text,season", [
    ("秋茶采摘工", "", "秋季"), ("采茶", "明前茶", "春茶季"), ("冬笋挖掘", "", "冬季"),
    ("猕猴桃采摘", "9月到10月", "秋季"),
    ("采茶", "春茶秋茶都要", None), ("保洁", "长期", None),
])
def test_season(title: str, text: str, season: str | None) -> None:
    assert read(title, text).season == season


@pytest.mark.parametrize("text,door", [
    ("来料加工，送料上门", True), ("在家就能做", True), ("可带回家做", True), ("到厂里做", False), ("送货上门", False),
])
def test_material_brought_to_the_door(text: str, door: bool) -> None:
    assert read("串珠", text).at_door is door

"""The Chinese text helpers, the town gazetteer and the skills taxonomy."""

from __future__ import annotations

import pytest

from knowledge import taxonomy
from knowledge.places import gazetteer
from knowledge.text import choice_numbers, compact, integers, normalize


def test_normalize_makes_simplified_half_width_text() -> None:
    assert normalize("我六十多歲了　還能找活幹嗎？ＡＢ１２") == "我六十多岁了 还能找活干吗?ab12"
    assert compact(" 登 記！") == "登记"


@pytest.mark.parametrize("text,numbers", [("六十二", [62]), ("62岁", [62]), ("６２", [62]), ("一九六一年", [1961]),
                                          ("二〇二五年", [2025]), ("两个", [2]), ("没有数", [])])
def test_integers_reads_every_way_of_writing_numbers(text: str, numbers: list[int]) -> None:
    assert integers(text) == numbers


@pytest.mark.parametrize("text,count,picked", [("1 3 5", 10, [1, 3, 5]), ("1、3", 10, [1, 3]), ("135", 10, [1, 3, 5]),
                                               ("10", 10, [10]), ("一，三", 10, [1, 3]), ("99", 10, None),
                                               ("0", 3, None), ("好的", 3, None), ("3 3", 3, [3]),
                                               ("我要第三个", 5, [3]), ("选1和3吧", 5, [1, 3]), ("报名 2", 5, [2]),
                                               ("下一场招聘会在哪", 5, None), ("一户一干部是啥", 5, None)])
def test_choice_numbers(text: str, count: int, picked: list[int] | None) -> None:
    assert choice_numbers(text, count) == picked


def test_gazetteer_has_the_fifteen_towns_with_neighbours_that_exist() -> None:
    places = gazetteer()
    assert len(places.names) == 15
    for town in places.towns:
        assert all(n in places.names for n in town.neighbours), town.name
        assert all(town.name in places.neighbours(n) for n in town.neighbours), town.name


@pytest.mark.parametrize("typed,town", [("华埠", "华埠镇"), ("化埠", "华埠镇"), ("马今", "马金镇"), ("齐西", "齐溪镇"),
                                        ("芹阳", "芹阳办事处"), ("县城", "芹阳办事处"), ("大西边", "大溪边乡"),
                                        ("高田坑村", "长虹乡"), ("蘇莊", "苏庄镇"), ("住在县城", "芹阳办事处"),
                                        # the county town said as where one would go; home misheard before it
                                        ("我妈五十六 钟村乡的 会做家政 县城也可以去", "中村乡")])
def test_towns_resolve_from_short_names_typos_homophones_and_villages(typed: str, town: str) -> None:
    assert gazetteer().resolve(typed).town == town


@pytest.mark.parametrize("typed,town,village", [
    ("我们那是桐花小镇，桐村", "桐村镇", None),  # the town said last: no village made of the sentence
    ("我住在化埠镇下溪村", "华埠镇", "下溪村"),  # a town misheard before a village not on the list
    ("华埠镇镇头村", "华埠镇", "镇头村"),  # the 镇 of the village's own name
])
def test_a_village_named_with_the_town_is_only_the_village(typed: str, town: str, village: str | None) -> None:
    guess = gazetteer().resolve(typed)
    assert (guess.town, guess.village) == (town, village)


def test_unclear_place_gives_candidates_not_a_guess() -> None:
    guess = gazetteer().resolve("花")
    assert guess.town is None and "华埠镇" in guess.candidates


def test_nearest_town_to_a_point() -> None:
    town, km = gazetteer().nearest(29.06, 118.40)
    assert town.name == "华埠镇" and km < 5


@pytest.mark.parametrize("typed,codes", [("摘茶叶", ["tea"]), ("做饭", ["cook"]), ("带孩子", ["housekeeping"]),
                                         ("泥水匠", ["construction"]), ("开货车", ["driver"]), ("直播带货",
                                                                                                ["ecommerce"])])
def test_skill_synonyms(typed: str, codes: list[str]) -> None:
    assert taxonomy.skills().parse(typed) == codes


def test_every_option_label_parses_to_itself() -> None:
    for options in (taxonomy.skills(), taxonomy.availability(), taxonomy.travel_ranges()):
        for option in options.options:
            assert options.parse(option.label) == [option.code]

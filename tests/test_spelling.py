"""Pinyin typed without a Chinese input method is written back as the words it spells; other Latin
text is left as typed."""

from __future__ import annotations

import pytest

from knowledge.spelling import in_characters


@pytest.mark.parametrize(("typed", "written"), [
    ("wo hui kai che", "我 会 开车"),
    ("baitian dou xing", "白天都行"),
    ("Cun Li", "村里"),
    ("jin chang dagong", "进厂 打工"),  # the small words first: 打工, not 大工
    ("caicha 和 zhongdi 都会", "采茶 和 种地 都会"),
])
def test_pinyin_is_written_as_the_words_it_spells(typed: str, written: str) -> None:
    assert in_characters(typed) == written


@pytest.mark.parametrize("typed", ["ok", "yes", "KFC 欠我工资", "B照", "mj he hb"])
def test_letters_that_spell_no_known_words_are_left_as_typed(typed: str) -> None:
    assert in_characters(typed) == typed

"""Pinyin typed without a Chinese input method ("wo hui kai che", "baitian dou xing", "cun li"),
written back as the words it spells, so that the registration's readers read it as they read
Chinese. A run of letters is written back only when all of it spells words the readers know (the
options' words, the towns, and the small words that join them); anything else ("ok", "KFC") is
left as typed."""

from __future__ import annotations

import re
from functools import cache

from knowledge import taxonomy
from knowledge.places import gazetteer
from knowledge.text import pinyin_key

# the small words answers are put together with, beside the options' own words
_JOINING = ("我", "俺", "是", "会", "都", "行", "和", "跟", "也", "不", "没", "在", "就", "的", "时候", "可以", "啥",
            "什么", "随便", "还", "要", "能", "里", "上", "出", "去", "到", "家", "有空", "以后", "只", "做", "干",
            "开", "进", "带", "镇上", "村里", "县里", "不出", "本村", "打工", "上班", "小孩", "孩子", "孙子", "饭",
            "菜")
_LETTERS = re.compile(r"[a-z]+(?:\s+[a-z]+)*", re.IGNORECASE)
_LONGEST = 24  # letters of the longest word spelt


@cache
def _spelt() -> dict[str, str]:
    """Each known word by its pinyin written without spaces ("kaiche" → 开车); the first word of a
    spelling is kept, the joining words first ("dagong" is 打工, not 大工)."""
    words = list(_JOINING) + [w for options in (taxonomy.skills(), taxonomy.availability(), taxonomy.travel_ranges())
                              for o in options.options for w in (*o.label.split("/"), *o.synonyms)]
    words += [name for t in gazetteer().towns for name in (t.name, t.short)]
    spelt: dict[str, str] = {}
    for word in words:
        if re.fullmatch(r"[\u4e00-\u9fff]+", word):
            spelt.setdefault(pinyin_key(word).replace(" ", ""), word)
    return spelt


def _words(letters: str) -> list[str] | None:
    """The fewest known words the letters spell, in order; None when they spell none."""
    spelt = _spelt()
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - _LONGEST), end):
            before, word = best[start], spelt.get(letters[start:end])
            if before is not None and word and (best[end] is None or len(before) + 1 < len(best[end] or [])):
                best[end] = [*before, word]
    return best[-1]


def in_characters(text: str) -> str:
    """The text with each run of pinyin written as the words it spells."""

    def written(run: re.Match[str]) -> str:
        words = _words(re.sub(r"\s+", "", run.group(0).lower()))
        return " ".join(words) if words else run.group(0)

    return _LETTERS.sub(written, text) if re.search(r"[a-zA-Z]{2}", text) else text

"""Skills, availability and travel range: the option lists people choose from, and what they
mean when people answer in their own words ("摘茶叶" → 采茶/茶叶加工)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.text import FuzzyIndex, aliases_from, arabize, choice_numbers, compact

ANYTHING = "other"  # the skill answer 啥都行: no kind of work of its own
_ONLY_NUMBERS = re.compile(r"^[\d\s,.;:、，。；和跟及还有与]+$")


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    synonyms: tuple[str, ...]
    skilled: bool = False  # a trade one must have learnt: not offered to people who said 啥都行
    availability: str | None = None  # a season: the free-time answer that means it
    heavy: bool = False  # heavy work unless the job says otherwise


class OptionSet:
    """A numbered list of options that understands numbers, synonyms and near-misses."""

    def __init__(self, options: list[Option]):
        self.options = options
        self._by_code = {o.code: o for o in options}
        self._index = FuzzyIndex(aliases_from((o.code, (o.label, *o.synonyms)) for o in options))
        self._words = sorted(((compact(w), o.code) for o in options for w in (o.label, *o.synonyms)
                              if len(compact(w)) >= 2), key=lambda pair: -len(pair[0]))

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]

    def label(self, code: str) -> str:
        option = self._by_code.get(code)
        return option.label if option else code

    def labels_of(self, codes: list[str]) -> str:
        return "、".join(self.label(c) for c in codes) or "未填"

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Option | None:
        return self._by_code.get(code)

    def named_in(self, text: str) -> list[str]:
        """Codes whose words appear in a longer text (a job's title), longest words first and
        each stretch of text used once, so "叉车司机" is 挖机/叉车 and not also 驾驶."""
        rest = compact(text)
        found: list[str] = []
        for word, code in self._words:
            if word in rest:
                rest = rest.replace(word, "|")
                if code not in found:
                    found.append(code)
        return found

    def parse(self, text: str) -> list[str] | None:
        """Codes the answer names, in the order named; None when it names nothing we know."""
        if _ONLY_NUMBERS.match(arabize(text)):
            numbers = choice_numbers(text, len(self.options))
            return [self.options[n - 1].code for n in numbers] if numbers else None
        found = self._index.contained(text)
        if found:
            return found
        hits = self._index.lookup(compact(text), limit=1, cutoff=80)
        return [hits[0].key] if hits else None


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("knowledge").joinpath("data/taxonomy.json").read_text("utf-8"))


def _options(section: str) -> OptionSet:
    return OptionSet([Option(e["code"], e["label"], tuple(e["synonyms"]), e.get("skilled", False),
                             e.get("availability"), e.get("heavy", False)) for e in _data()[section]])


@lru_cache(maxsize=1)
def skills() -> OptionSet:
    return _options("skills")


@lru_cache(maxsize=1)
def availability() -> OptionSet:
    return _options("availability")


@lru_cache(maxsize=1)
def travel_ranges() -> OptionSet:
    return _options("travel_ranges")


@lru_cache(maxsize=1)
def seasons() -> OptionSet:
    return _options("seasons")

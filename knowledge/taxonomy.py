"""Skills, availability and travel range: the option lists people choose from, and what they
mean when people answer in their own words ("摘茶叶" → 采茶/茶叶加工)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.text import FuzzyIndex, aliases_from, arabize, choice_numbers, compact

_ONLY_NUMBERS = re.compile(r"^[\d\s,.;:、，。；和跟及还有与]+$")


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    synonyms: tuple[str, ...]


class OptionSet:
    """A numbered list of options that understands numbers, synonyms and near-misses."""

    def __init__(self, options: list[Option]):
        self.options = options
        self._by_code = {o.code: o for o in options}
        self._index = FuzzyIndex(aliases_from((o.code, (o.label, *o.synonyms)) for o in options))

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
    return OptionSet([Option(e["code"], e["label"], tuple(e["synonyms"])) for e in _data()[section]])


@lru_cache(maxsize=1)
def skills() -> OptionSet:
    return _options("skills")


@lru_cache(maxsize=1)
def availability() -> OptionSet:
    return _options("availability")


@lru_cache(maxsize=1)
def travel_ranges() -> OptionSet:
    return _options("travel_ranges")

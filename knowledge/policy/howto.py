"""Questions about using jobbot itself (查进度, 退订, 报名, 修改, the next fair…), answered from a
how-to table kept as data before the plan is searched; and the next steps a policy answer offers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from knowledge.text import compact

HOWTO_REF = "使用说明"
_SUFFIXES = frozenset("子里上头儿")


@dataclass(frozen=True)
class HowTo:
    id: str
    title: str
    answer: str
    live: str = ""  # what the chat looks up besides: "fairs", "courses", "cases"
    all_of: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()

    def fits(self, text: str, words: frozenset[str]) -> bool:
        """Whether the text has a word of each list and none of the none list; a single character
        counts only as a word of its own ("改" in "改一下村", not in "改造茶园")."""

        def said(word: str) -> bool:
            return word in words if len(word) == 1 else word in text

        return all(any(map(said, group)) for group in self.all_of) and not any(map(said, self.none_of))


class HowToTable:
    """The shipped how-to table: first topic whose words a question has, and next steps by measure."""

    def __init__(self, topics: list[HowTo], next_steps: dict[str, tuple[str, ...]]):
        self.topics = topics
        self._next_steps = next_steps

    @classmethod
    def shipped(cls) -> HowToTable:
        data = json.loads(resources.files("knowledge").joinpath("data", "policy_howto.json").read_text("utf-8"))
        topics = [
            HowTo(
                t["id"], t["title"], t["answer"], t.get("live", ""),
                tuple(tuple(compact(w) for w in words) for words in t["all"]),
                tuple(compact(w) for w in t.get("none", ())),
            )
            for t in data["topics"]
        ]
        return cls(topics, {m: tuple(labels) for m, labels in data["next_steps"].items()})

    @property
    def words(self) -> set[str]:
        """The topics' words of two or more characters."""
        return {w for t in self.topics for group in (*t.all_of, t.none_of) for w in group if len(w) > 1}

    def find(self, question: str, cut: Callable[[str], list[str]]) -> HowTo | None:
        """The first topic the question fits; cut splits it into words."""
        text = compact(question)
        cut_words = cut(text)
        # "村子", "镇上": a word with a suffix of place or thing still says its first character.
        words = frozenset([*cut_words, *(w[0] for w in cut_words if len(w) == 2 and w[1] in _SUFFIXES)])
        return next((t for t in self.topics if t.fits(text, words)), None)

    def next_steps(self, measures: list[int]) -> tuple[str, ...]:
        """The menu items to offer after an answer citing these measures, without repeats."""
        labels = (label for m in measures for label in self._next_steps.get(str(m), ()))
        return tuple(dict.fromkeys(labels))

"""Questions about using jobbot itself (查进度, 退订, 报名, 修改, the next fair…), answered from a
how-to table kept as data before the plan is searched; and the next steps a policy answer offers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from knowledge.text import compact

HOWTO_REF = "使用说明"


@dataclass(frozen=True)
class HowTo:
    id: str
    title: str
    answer: str
    live: str = ""  # what the chat looks up besides: "fairs", "courses", "cases"
    all_of: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()

    def fits(self, text: str) -> bool:
        return all(any(w in text for w in words) for words in self.all_of) and not any(
            w in text for w in self.none_of
        )


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

    def find(self, question: str) -> HowTo | None:
        text = compact(question)
        return next((t for t in self.topics if t.fits(text)), None)

    def next_steps(self, measures: list[int]) -> tuple[str, ...]:
        """The menu items to offer after an answer citing these measures, without repeats."""
        labels = (label for m in measures for label in self._next_steps.get(str(m), ()))
        return tuple(dict.fromkeys(labels))

"""Questions about using jobbot itself (查进度, 退订, 报名, 修改, the next fair…), answered from a
how-to table kept as data before the plan is searched; and the next steps a policy answer offers.

A topic is what the person wants to do, written as slots of words ("培训" and "要钱"); a question
asks for it when it holds a word of every slot and none of the topic's exclusions. Words are
matched in plain Mandarin (咋 → 怎么, Traditional → Simplified) and also as heard: a word of two or
more characters typed with a homophone slip (退定, 退丁 for 退订) still counts, as long as at least
half of its characters are the right ones, so that unrelated words that merely sound alike do not.
A question the slots miss can still be placed by a learned guess (`examples` are what it learns from:
how people ask for each topic, and questions that are not about the bot).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from pypinyin import Style, lazy_pinyin

from knowledge.policy.learned import NONE
from knowledge.text import compact

HOWTO_REF = "使用说明"
LABEL = "howto"  # a labelled question's label for the bot's how-to; "howto:退订's id" names the topic
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUNS = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]")  # a run of Chinese, or one other character
CONCEPT = "@"  # a slot word starting with it names a concept: all of that concept's words
WORDED = 5  # Chinese characters a question needs before the learned guess reads it


@dataclass(frozen=True)
class Reading:
    """A question as the table reads it: plain words, and the table's words heard in it."""

    text: str
    heard: frozenset[str]

    def has(self, word: str) -> bool:
        return word in self.heard or word in self.text


@dataclass(frozen=True)
class HowTo:
    id: str
    title: str
    answer: str
    live: str = ""  # what the chat looks up besides: "fairs", "course_fees", "cases"
    all_of: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()

    def fits(self, question: Reading) -> bool:
        return all(any(question.has(w) for w in words) for words in self.all_of) and not self.ruled_out(question)

    def ruled_out(self, question: Reading) -> bool:
        """Whether the question holds one of the topic's exclusions ("失业了怎么登记" is the plan's)."""
        return any(w in question.text for w in self.none_of)


class HowToTable:
    """The shipped how-to table: first topic a question asks for, and next steps by measure."""

    def __init__(self, topics: list[HowTo], next_steps: dict[str, tuple[str, ...]], spoken: dict[str, str]):
        self.topics = topics
        self._next_steps = next_steps
        self._spoken = spoken
        self._spoken_words = re.compile("|".join(map(re.escape, sorted(spoken, key=len, reverse=True))) or "(?!)")
        self._by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in {w for t in topics for words in t.all_of for w in words}:
            if len(word) >= 2:
                self._by_sound[_syllables(word)].add(word)
        self._longest = max((len(s) for s in self._by_sound), default=0)

    @classmethod
    def shipped(cls) -> HowToTable:
        data = json.loads(resources.files("knowledge").joinpath("data", "policy_howto.json").read_text("utf-8"))
        concepts: dict[str, list[str]] = data["concepts"]

        def words(slot: list[str]) -> tuple[str, ...]:
            spelled = (w for item in slot for w in (concepts[item[1:]] if item.startswith(CONCEPT) else [item]))
            return tuple(dict.fromkeys(compact(w) for w in spelled))

        topics = [
            HowTo(t["id"], t["title"], t["answer"], t.get("live", ""),
                  tuple(words(slot) for slot in t["all"]), words(t.get("none", [])))
            for t in data["topics"]
        ]
        spoken = {compact(k): compact(v) for k, v in data["spoken"].items()}
        return cls(topics, {m: tuple(labels) for m, labels in data["next_steps"].items()}, spoken)

    @property
    def words(self) -> set[str]:
        """The topics' words of two or more characters (the speller may repair a slip into one)."""
        return {w for t in self.topics for group in (*t.all_of, t.none_of) for w in group if len(w) > 1}

    def read(self, question: str) -> Reading:
        text = self._spoken_words.sub(lambda m: self._spoken[m.group(0)], compact(question))
        sounds = _syllables(text)
        heard: set[str] = set()
        if len(sounds) == len(text):  # one syllable per character, so positions line up
            for size in range(2, self._longest + 1):
                for start in range(len(text) - size + 1):
                    typed = text[start:start + size]
                    heard.update(w for w in self._by_sound.get(sounds[start:start + size], ())
                                 if 2 * sum(a == b for a, b in zip(w, typed, strict=True)) >= size)
        return Reading(text, frozenset(heard))

    def find(self, question: str) -> HowTo | None:
        read = self.read(question)
        return next((t for t in self.topics if t.fits(read)), None)

    def guessed(self, id: str, question: str) -> HowTo | None:
        """The topic a learned guess named, unless the question holds one of its exclusions."""
        topic = next((t for t in self.topics if t.id == id), None)
        return None if topic is None or topic.ruled_out(self.read(question)) else topic

    def examples(self, questions: Iterable[tuple[str, Sequence[str]]]) -> list[tuple[str, str]]:
        """What the learned guess learns from: each topic's title, the shipped phrasings, and labelled
        questions, as (text, topic id), with NONE for a question about anything but the bot. A question
        labelled only "howto", with no topic, is left out."""
        shipped = resources.files("knowledge").joinpath("data", "howto_phrasings.jsonl").read_text("utf-8")
        phrasings = [json.loads(line) for line in shipped.splitlines() if line.strip()]
        examples = [(t.title, t.id) for t in self.topics]
        examples += [(row["q"], row["topic"]) for row in phrasings]
        for q, labels in questions:
            topics = [label.removeprefix(f"{LABEL}:") for label in labels if label.startswith(f"{LABEL}:")]
            if topics:
                examples += [(q, topic) for topic in topics]
            elif LABEL not in labels:
                examples.append((q, NONE))
        return examples

    def next_steps(self, measures: list[int]) -> tuple[str, ...]:
        """The menu items to offer after an answer citing these measures, without repeats."""
        labels = (label for m in measures for label in self._next_steps.get(str(m), ()))
        return tuple(dict.fromkeys(labels))


def worded(question: str) -> bool:
    """Whether the text is long enough to be a question of its own for the learned guess: "报名 2"
    is the command, not a question about it."""
    return len(_HAN.findall(question)) >= WORDED


def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin, one item per character (a character that is not Chinese stands for itself)."""
    return tuple(s for run in _HAN_RUNS.findall(text)
                 for s in (lazy_pinyin(run, style=Style.NORMAL) if _HAN.match(run) else [run]))

"""A learned guess at the kind of work an answer describes by what the person did ("养猪场打扫猪栏",
"拍照上架发货"), for answers in which the rule reader (knowledge/taxonomy.py) reads nothing at all,
and a learned doubt of a skill the rules read beside others.

One linear classifier per skill (that skill against the rest) over character 1–3-grams and jieba's
words, trained at first use on the options' own words (taxonomy.json, answer_words.json) and on
labelled answers of the dev sets (skill_examples.jsonl, written by benchmarks/skill_guess.py, where
answers to the other registration questions stand for answers that name no work). It guesses only
the skills whose margin is at least SURE; benchmarks/skill_guess.py measures it set by set, each
left out of the training.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources

import jieba
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from knowledge import taxonomy
from knowledge.linear import LinearMargins, blocks_of
from knowledge.taxonomy import UNLISTED, Reading
from knowledge.text import corrected, normalize

SURE = 0.2  # the margin a skill needs to be guessed (benchmarks/skill_guess.py: at 0.0, 10 guesses, none right)
STRENGTH = 0.5  # inverse regularisation of each classifier
MOST = 2  # more skills than this over the margin is no guess: the answer says too little to tell
# Of several skills the rules read, one the classifier is this sure against is dropped when it is
# SURE_OF_ONE sure of another ("搞电商，拼多多开店": 电商, not also 营业员); left one set out, -0.6 and
# 0.5 fixed 4 answers of 1914 and broke none (-0.4 broke one)
DOUBTED, SURE_OF_ONE = -0.6, 0.5
Example = tuple[str, tuple[str, ...]]  # an answer and the skills it names (none: it names no work)


def taxonomy_examples() -> list[Example]:
    """The options' own words, the sayings and the concept words (a verb with each of its objects),
    each as a short answer naming its skill; a trade with no option names none."""
    options = taxonomy.skills()
    data = taxonomy.options_data()
    words = taxonomy.answer_words()["skills"]

    def codes(code: str) -> tuple[str, ...]:
        return (code,) if code in options and code != UNLISTED else ()

    examples: list[Example] = []
    for entry in data["skills"]:
        examples += [(said, (entry["code"],)) for said in (entry["label"], *entry["label"].split("/"),
                                                           *entry["synonyms"])]
    examples += [(said, tuple(named)) for said, named in data["skills_phrases"]["phrases"].items()]
    examples += [(word, codes(code)) for code, said in words["words"].items() for word in said]
    examples += [(verb + thing, codes(pair["code"])) for pair in words["pairs"]
                 for verb in pair["verbs"] for thing in pair["objects"]]
    return examples


@cache
def shipped_examples() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """The labelled answers shipped with the package: (answer, skills, the dev set it comes from)."""
    text = resources.files("knowledge").joinpath("data", "skill_examples.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple((row["text"], tuple(row["skills"]), row["set"]) for row in rows)


def _said(text: str) -> str:
    return normalize(corrected(text))


def _words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


class SkillGuesser:
    """Each skill's margin for an answer: above 0 the classifier takes the answer to name it."""

    def __init__(self, examples: Sequence[Example]):
        said = [_said(text) for text, _ in examples]
        vectorizers = [TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                       TfidfVectorizer(analyzer=_words, sublinear_tf=True)]
        features = hstack([v.fit_transform(said) for v in vectorizers]).tocsr()
        self.codes = [o.code for o in taxonomy.skills().options]
        classifiers = [LinearSVC(C=STRENGTH, class_weight="balanced").fit(features, [c in named for _, named
                                                                                   in examples])
                       for c in self.codes]
        # Every skill's weights in one matrix: a reading is one product, not one call per skill.
        self._linear = LinearMargins([v.build_analyzer() for v in vectorizers],
                                     blocks_of(vectorizers, np.vstack([c.coef_[0] for c in classifiers])),
                                     np.array([c.intercept_[0] for c in classifiers]))

    def margins(self, text: str) -> dict[str, float]:
        return dict(zip(self.codes, self._linear.margins(_said(text)).tolist(), strict=True))

    def guess(self, text: str, sure: float = SURE) -> list[str]:
        """The skills whose margin is at least `sure`, the surest first; none when more than MOST are."""
        margins = self.margins(text)
        guessed = sorted((c for c, m in margins.items() if m >= sure), key=lambda c: -margins[c])
        return guessed if len(guessed) <= MOST else []


@cache
def guesser() -> SkillGuesser:
    """The guesser trained on everything shipped (a second or two, once per process)."""
    return SkillGuesser([*taxonomy_examples(), *((text, named) for text, named, _ in shipped_examples())])


def read(text: str, learned: SkillGuesser | None = None) -> Reading:
    """The rule reader's reading of a skills answer, less a skill among several that the classifier
    doubts; when the rules read nothing (not even a trade with no option), the learned guess,
    marked as guessed so that the flow asks before keeping it. `learned`: another guesser than the
    one trained on everything shipped (benchmarks/skill_guess.py, training without one set)."""
    learned = learned or guesser()
    reading = taxonomy.skills().read(text)
    if len(reading.codes) > 1:
        margins = learned.margins(text)
        if max(margins[c] for c in reading.codes) >= SURE_OF_ONE:
            kept = [c for c in reading.codes if margins[c] > DOUBTED]
            return replace(reading, codes=kept, by_no=[c for c in reading.by_no if c in kept])
    if reading.codes or reading.unlisted:
        return reading
    guessed = learned.guess(text)
    return replace(reading, codes=guessed, guessed=True) if guessed else reading

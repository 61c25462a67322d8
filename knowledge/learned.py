"""A learned reading of a free answer to one registration question: one linear classifier per option
(that option against the rest) over character 1–3-grams and jieba's words, each option's margin
saying how sure it is that the answer names that option; and its doubt of what the rules read."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jieba
import numpy as np

from knowledge import linear
from knowledge.linear import Block, LinearMargins, blocks_of
from knowledge.model_cache import cache_folder, kept
from knowledge.taxonomy import OptionSet, Reading, options_data
from knowledge.text import corrected, normalize

STRENGTH = 0.5  # inverse regularisation of each classifier
MOST = 2  # more options than this over the margin is no guess: the answer says too little to tell
Example = tuple[str, tuple[str, ...]]  # an answer and the options it names (none: it names no option)
Labelled = tuple[str, tuple[str, ...], str]  # an answer, the options it names and the dev set it comes from


def shipped(file: str, key: str) -> tuple[Labelled, ...]:
    """The labelled answers of knowledge/data/`file` (written by benchmarks/skill_guess.py), their
    options under `key`."""
    text = resources.files("knowledge").joinpath("data", file).read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple((row["text"], tuple(row[key]), row["set"]) for row in rows)


def option_examples(section: str) -> list[Example]:
    """The options' own words and the sayings of a section of taxonomy.json ("skills", "availability"),
    each as a short answer naming its option."""
    data = options_data()
    examples: list[Example] = [(said, (entry["code"],)) for entry in data[section]
                               for said in (entry["label"], *entry["label"].split("/"), *entry["synonyms"])]
    return examples + [(said, tuple(named)) for said, named in data[f"{section}_phrases"]["phrases"].items()]


def train(options: OptionSet, examples: Sequence[Example]) -> Guesser:
    """One linear SVM per option (that option against the rest) over the answers' TF-IDF features."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    said = [_said(text) for text, _ in examples]
    vectorizers = [TfidfVectorizer(analyzer=a, sublinear_tf=True) for a in ANALYZERS]
    features = hstack([v.fit_transform(said) for v in vectorizers]).tocsr()
    codes = [o.code for o in options.options]
    # random_state: the solver shuffles the examples; fixed, the same data always trains the same weights
    classifiers = [LinearSVC(C=STRENGTH, class_weight="balanced", random_state=0)
                   .fit(features, [c in named for _, named in examples]) for c in codes]
    # Every option's weights in one matrix: a reading is one product, not one call per option.
    return Guesser(codes, np.array([c.intercept_[0] for c in classifiers]),
                   blocks_of(vectorizers, np.vstack([c.coef_[0] for c in classifiers])))


def trained(name: str, options: OptionSet, examples: Sequence[Example]) -> Guesser:
    """The guesser for these examples, kept between runs as `name` (knowledge/model_cache.py)."""
    return kept(name, [STRENGTH, examples], cache_folder(), lambda: train(options, examples), Guesser.save,
                Guesser.load)


def shipped_guesser(name: str, options: OptionSet, own_words: Sequence[Example], file: str, key: str) -> Guesser:
    """The guesser trained on the options' own words and every labelled answer shipped in `file`
    (see `shipped`), kept between runs as `name`."""
    labelled = shipped(file, key)
    return trained(name, options, [*own_words, *((text, named) for text, named, _ in labelled)])


def _said(text: str) -> str:
    return normalize(corrected(text))


def _grams(text: str) -> list[str]:
    """Character 1- to 3-grams."""
    return [text[i : i + n] for n in range(1, 4) for i in range(len(text) - n + 1)]


def _words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


ANALYZERS = (_grams, _words)  # the kinds of feature, each weighed by TF-IDF and normalised apart


class Guesser:
    """Each option's margin for an answer: above 0 the classifier takes the answer to name it. Built
    by `train` or `trained` (which keeps it between runs)."""

    def __init__(self, codes: Sequence[str], intercept: np.ndarray, blocks: Sequence[Block]):
        self.codes = list(codes)
        self._linear = LinearMargins(ANALYZERS, blocks, intercept)

    def save(self, path: Path) -> None:
        linear.save(path, self.codes, self._linear)

    @classmethod
    def load(cls, path: Path) -> Guesser:
        return cls(*linear.load(path))

    def margins(self, text: str) -> dict[str, float]:
        return dict(zip(self.codes, self._linear.margins(_said(text)).tolist(), strict=True))

    def guess(self, text: str, sure: float) -> list[str]:
        """The options whose margin is at least `sure`, the surest first; none when more than MOST are."""
        return _surest(self.margins(text), sure)

    def doubt(self, text: str, reading: Reading, doubted: float, sure: float, never: Collection[str] = ()) -> Reading:
        """The rules' reading less the options the classifier is `doubted` sure against while it is
        `sure` of some option (not one of `never`); when none is left, the options it is sure of, with
        the rules' reading beside them as the answer's other meaning, to be asked about by number."""
        if not reading.codes or reading.either:
            return reading
        margins = self.margins(text)
        surest = [c for c in _surest(margins, sure) if c not in never]
        kept = [c for c in reading.codes if c in reading.picked or margins[c] > doubted]  # a number picked stands
        if not surest or kept == reading.codes:
            return reading
        if not kept:
            return replace(reading, codes=surest, by_no=[], either=(tuple(surest), tuple(reading.codes)))
        return replace(reading, codes=kept, by_no=[c for c in reading.by_no if c in kept])


    def or_guess(self, text: str, reading: Reading, sure: float) -> Reading:
        """The reading when it names anything (a kind of work with no option too); else the options
        the classifier is `sure` of, marked as guessed so that the flow asks before keeping them."""
        if reading.codes or reading.unlisted:
            return reading
        guessed = self.guess(text, sure)
        return replace(reading, codes=guessed, guessed=True) if guessed else reading


def _surest(margins: dict[str, float], sure: float) -> list[str]:
    guessed = sorted((c for c, m in margins.items() if m >= sure), key=lambda c: -margins[c])
    return guessed if len(guessed) <= MOST else []

"""A learned guess of which measure of the shipped plan a question is about.

A linear classifier over character 1-4-grams, words and pinyin syllables, trained when the knowledge base is first
built (then kept in a cache folder as plain arrays) on the plan's own sentences, each measure said
in everyday words (policy_plain.json), and labelled questions (policy_questions.jsonl, from the dev
sets only). It knows two more labels: OTHER (a goal, safeguard or table row of the plan) and NONE
(a question the plan does not answer), so that its confidence in a measure is not bought by forcing
every question onto one. It reads questions however they are worded, where the lexical retrieval
needs the plan's words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from knowledge import linear
from knowledge.linear import Block, LinearMargins, blocks_of
from knowledge.model_cache import kept
from knowledge.policy.answer import plain_words
from knowledge.policy.document import PolicyDocument
from knowledge.text import accent_key, arabize_counts, compact, pinyin_key

OTHER = "other"
NONE = "none"
STRENGTH = 1.0  # inverse regularisation
SYLLABLES = 2  # longest run of syllables (3 or 4 did worse by set)
MARGINS_KEPT = 1024  # questions whose margins are kept (villagers ask the same few things)


@cache
def shipped_questions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The labelled questions shipped with the package: (question, labels)."""
    text = resources.files("knowledge").joinpath("data", "policy_questions.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple((row["q"], tuple(row["labels"])) for row in rows)


def plan_examples(document: PolicyDocument) -> list[tuple[str, str]]:
    """The plan's own words as examples: each measure's title, sentences and everyday gist."""
    plain = plain_words()
    examples = []
    for passage in document.passages:
        if not passage.ref:
            continue  # the preamble answers nothing a person asks
        label = str(passage.measure) if passage.measure is not None else OTHER
        title = arabize_counts(passage.title)
        examples += [(title, label), *((s, label) for s in passage.sentences)]
        if gist := plain.get(title):
            examples.append((gist, label))
    for table in document.tables:
        examples += [(indicator.name, OTHER) for indicator in table.indicators]
    return examples


def question_examples(rows: Iterable[tuple[str, Sequence[str]]]) -> list[tuple[str, str]]:
    """Labelled questions as examples: one per label (NONE for a question the plan does not answer);
    a label that is no measure number (table, safeguard, how-to) is OTHER."""
    examples = []
    for q, labels in rows:
        examples += [(q, label if label.isdigit() else OTHER) for label in labels] if labels else [(q, NONE)]
    return examples


class MeasureGuesser:
    """Which label a question most likely has, and how sure that is.

    Built by `train` (which needs scikit-learn) or read back from what `save` wrote (which needs
    only numpy): each kind of feature is kept as its terms, their idf and each label's weight for
    them, so that a guess is a few look-ups and one small product.
    """

    def __init__(
        self, labels: list[str], intercept: np.ndarray, blocks: list[Block], words: Callable[[str], list[str]]
    ):
        self._labels = labels
        self._none = labels.index(NONE)
        self._linear = LinearMargins(_analyzers(words), blocks, intercept)
        # a question is read for its how-to, its answer and its doubt: its margins are worked out once
        self._kept = lru_cache(maxsize=MARGINS_KEPT)(self._margins)

    def guess(self, question: str) -> tuple[str, float]:
        """The likeliest label and how far its margin is above that of NONE (0 when it is NONE):
        how much more the question looks like it than like one the plan does not answer."""
        margins = self.margins(question)
        best = int(np.argmax(margins))
        return self._labels[best], float(margins[best] - margins[self._none])

    def doubt(self, question: str) -> float:
        """How far the margin of NONE stands above that of every other label (negative when some
        label beats it): how much more the question looks like one the plan does not answer."""
        margins = self.margins(question)
        return float(margins[self._none] - np.max(np.delete(margins, self._none)))

    def named_margins(self, question: str) -> dict[str, float]:
        """Each label's margin, by label."""
        return dict(zip(self._labels, self.margins(question).tolist(), strict=True))

    def margins(self, question: str) -> np.ndarray:
        """Each label's margin, as the SVM's decision function gives it (TF-IDF with sublinear tf,
        each kind of feature normalised to length 1); read-only, as it is kept for the next ask."""
        return self._kept(question)

    def _margins(self, question: str) -> np.ndarray:
        margins = self._linear.margins(_form(question))
        margins.setflags(write=False)
        return margins

    def save(self, path: Path) -> None:
        linear.save(path, self._labels, self._linear)

    @classmethod
    def load(cls, path: Path, words: Callable[[str], list[str]]) -> MeasureGuesser:
        """What `save` wrote; words must cut text as the tokenizer it was trained with did."""
        return cls(*linear.load(path), words)


def train(examples: Sequence[tuple[str, str]], words: Callable[[str], list[str]]) -> MeasureGuesser:
    """A linear SVM over character 1-4-grams, words and syllables, each weighted by TF-IDF (a fifth of a second
    where a logistic regression takes seconds)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts = [_form(t) for t, _ in examples]
    analyzers = _analyzers(words)
    vectorizers = [TfidfVectorizer(analyzer=a, sublinear_tf=True) for a in analyzers]
    features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    model = LinearSVC(C=STRENGTH, random_state=0).fit(features, [label for _, label in examples])
    return MeasureGuesser(
        [str(c) for c in model.classes_], np.asarray(model.intercept_, dtype=np.float64),
        blocks_of(vectorizers, model.coef_), words
    )


def trained(
    examples: Sequence[tuple[str, str]],
    words: Callable[[str], list[str]],
    folder: Path | None,
    cut: str = "",
    name: str = "policy-guess",
    form: Callable[[str], str] = str,
) -> MeasureGuesser:
    """The guesser for these examples, each text read in `form` first, kept in the folder as `name`
    (knowledge/model_cache.py): its key covers the examples as given and `cut`, what decides how
    words cuts text, so a change of data or word list trains anew."""
    return kept(name, [STRENGTH, cut, examples], folder,
                lambda: train([(form(t), label) for t, label in examples], words),
                MeasureGuesser.save, lambda path: MeasureGuesser.load(path, words))


def _analyzers(words: Callable[[str], list[str]]) -> tuple[Callable[[str], list[str]], ...]:
    """The kinds of feature: character n-grams, words as the knowledge base's tokenizer cuts them, and
    how the text sounds."""
    return _grams, lambda t: [w for w in words(t) if w.strip()], _sounds


def _sounds(text: str) -> list[str]:
    """Syllables and syllable pairs of the toneless pinyin, the sounds a southern accent merges made
    one: a voice slip or a homophone ("智想用工") sounds like the word meant."""
    syllables = accent_key(pinyin_key(text)).split()
    return [" ".join(syllables[i : i + n]) for n in range(1, SYLLABLES + 1) for i in range(len(syllables) - n + 1)]


def _grams(text: str) -> list[str]:
    """Character 1- to 4-grams: robust to how words are cut and to a mistyped character."""
    return [text[i : i + n] for n in range(1, 5) for i in range(len(text) - n + 1)]


def _form(text: str) -> str:
    """Simplified, digits for counts, no punctuation or blanks: the form questions are compared in."""
    return compact(arabize_counts(text))

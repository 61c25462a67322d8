"""Cutting text into words with jieba (taught the documents' own terms) and ranking entries with BM25."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
import jieba
import jieba.posseg
import numpy as np

from knowledge.policy.document import Indicator, IndicatorTable, Passage, PolicyDocument
from knowledge.text import arabize_counts
from knowledge.tokenizer import Tokenizer

jieba.setLogLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index it builds

FREQUENCY_MEMORY = 20_000  # words remembered with their frequency; forgotten all at once beyond it
_HAN_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")
# Parts of speech of words that name a thing (jieba's tags; user words are added as "n").
THING_FLAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "ng", "j", "l", "i", "eng", "vn", "an"})


def char_pairs(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters: "零工驿站" → 零工, 工驿, 驿站."""
    return [text[i : i + 2] for i in range(len(text) - 1) if _HAN_PAIR.match(text, i)]


def _weighted(bm25: bm25s.BM25, tokens: dict[str, float]) -> np.ndarray:
    """Sum of the tokens' BM25 scores, each times its weight (one lookup per distinct weight)."""
    total = np.zeros(bm25.scores["num_docs"], dtype=np.float32)
    by_weight: dict[float, list[str]] = {}
    for token, weight in tokens.items():
        if token in bm25.vocab_dict:
            by_weight.setdefault(weight, []).append(token)
    for weight, same in by_weight.items():
        total += weight * bm25.get_scores(same)
    return total


@dataclass(frozen=True)
class Entry:
    """One searchable thing: a passage, or one row of an indicator table."""

    document: PolicyDocument
    passage: Passage | None = None
    table: IndicatorTable | None = None
    indicator: Indicator | None = None

    @property
    def _row(self) -> tuple[IndicatorTable, Indicator]:
        """The table and row of an entry that is not a passage."""
        if self.table is None or self.indicator is None:
            raise ValueError("an entry is either a passage or a table row")
        return self.table, self.indicator

    @property
    def ref(self) -> str:
        return self.passage.ref if self.passage else self._row[0].ref

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(arabize_counts(d) for d in self.passage.departments) if self.passage else ()

    @property
    def title(self) -> str:
        if self.passage:
            return self.passage.title
        table, indicator = self._row
        return f"{table.section_title}·{indicator.name}"

    def search_text(self) -> str:
        """The text the entry is found by, in search form; the title counts twice."""
        if self.passage:
            p = self.passage
            # The section names what its passages are: "三、保障措施".
            parts = [p.title, p.title, p.section.partition("、")[2], p.group, *p.sentences]
        else:
            _, ind = self._row
            labels = {f.label for f in ind.figures}
            parts = [ind.name, ind.name, ind.unit, *labels]
        return arabize_counts(" ".join(parts))


class PolicyIndex:
    """BM25 over all entries, plus each entry's word set and text for checking what a question hit."""

    def __init__(self, entries: list[Entry], tokenizer: Tokenizer, stopwords: frozenset[str]):
        self.entries = entries
        self.texts = [e.search_text() for e in entries]
        # Departments count as whole names only: "县人力社保局" must not make every measure say "社保".
        corpus = [
            [t for t in tokenizer.search_tokens(text) if t not in stopwords] + list(e.departments)
            for e, text in zip(entries, self.texts, strict=False)
        ]
        self.token_sets = [frozenset(tokens) for tokens in corpus]
        self.vocabulary = frozenset[str]().union(*self.token_sets)
        self._frequencies: dict[tuple[str, ...], int] = {}
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        # Character pairs find an entry however the words were cut or a character mistyped.
        self._pairs = bm25s.BM25()
        self._pairs.index([char_pairs(text) for text in self.texts], show_progress=False)

    def scores(self, tokens: dict[str, float]) -> np.ndarray:
        """BM25 score of every entry for the weighted query tokens."""
        return _weighted(self._bm25, tokens)

    def pair_scores(self, pairs: dict[str, float]) -> np.ndarray:
        """BM25 score of every entry over character pairs."""
        return _weighted(self._pairs, pairs)

    def contains(self, i: int, alternatives: Iterable[str]) -> bool:
        """Whether entry i says any of the alternatives (whole word, or a phrase of two or more characters)."""
        return any(a in self.token_sets[i] or (len(a) >= 2 and a in self.texts[i]) for a in alternatives)

    def frequency(self, alternatives: tuple[str, ...]) -> int:
        """How many entries say any of the alternatives (remembered: the same words come back)."""
        if (known := self._frequencies.get(alternatives)) is None:
            if len(self._frequencies) > FREQUENCY_MEMORY:
                self._frequencies.clear()
            known = self._frequencies[alternatives] = sum(self.contains(i, alternatives)
                                                          for i in range(len(self.entries)))
        return known

    def rarity(self, frequency: int) -> float:
        """How telling a word is: rare in the entries weighs more; a word no entry has weighs most."""
        return math.log((len(self.entries) + 1) / (frequency + 0.5))

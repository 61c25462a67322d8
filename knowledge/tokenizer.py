"""A private jieba tokenizer: jieba's dictionary with words of our own added, cutting text with the
HMM off, so that no part of the app changes how another cuts text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache

import jieba
import jieba.posseg

SKIP = set(" ,.;:!?()[]“”‘’\"'、《》〔〕<>/-~+%·…")


class Tokenizer:
    """A private jieba tokenizer (the global one is left alone for other parts of the app)."""

    def __init__(self) -> None:
        self._jieba = jieba.Tokenizer()
        # jieba's dictionary, copied: initialize() would read it from disk again for each tokenizer
        words, total = _main_dictionary()
        self._jieba.FREQ, self._jieba.total, self._jieba.initialized = dict(words), total, True
        self._pos = _PosTagger(self._jieba)
        self._added: set[str] = set()

    def add_words(self, words: Iterable[str], tag: str = "n") -> None:
        for word in words:
            if len(word) >= 2 and word not in self._added:
                self._jieba.add_word(word, tag=tag)
                self._added.add(word)
        self._pos.makesure_userdict_loaded()  # now, not on the first question (which may run in a thread)

    def signature(self) -> str:
        """What decides how text is cut: jieba's version and the words added to its dictionary."""
        return hashlib.sha256("\n".join([jieba.__version__, *sorted(self._added)]).encode()).hexdigest()

    def knows(self, word: str) -> bool:
        return bool(self._jieba.FREQ.get(word))

    def frequency(self, word: str) -> int:
        """How often the word is seen in jieba's dictionary's text (0 for words it does not know)."""
        return int(self._jieba.FREQ.get(word) or 0)

    # HMM is off throughout: it glues unknown characters into made-up words ("年办", "建了").
    def search_tokens(self, text: str) -> list[str]:
        """Search-mode words: long words plus the known shorter words inside them."""
        return [w for w in self._jieba.lcut_for_search(text, HMM=False) if w.strip() and w not in SKIP]

    def words(self, text: str) -> list[str]:
        """Precise-mode words, text kept whole (punctuation and blanks included)."""
        words: list[str] = self._jieba.lcut(text, HMM=False)
        return words

    def cuts(self, text: str) -> set[int]:
        """Where the words begin and end in the text, as offsets."""
        offsets, at = {0}, 0
        for word in self.words(text):
            at += len(word)
            offsets.add(at)
        return offsets

    def tagged(self, text: str, keep_all: bool = False) -> list[tuple[str, str]]:
        """Precise-mode words with their part of speech; punctuation and blanks only when keep_all."""
        pieces = [(p.word, p.flag) for p in self._pos.cut(text, HMM=False)]
        return pieces if keep_all else [(w, f) for w, f in pieces if w.strip() and w not in SKIP]


@cache
def _main_dictionary() -> tuple[dict[str, int], int]:
    """jieba's main dictionary (word: frequency) and its total, read once per process (most of a second)
    through jieba's global tokenizer, to which no part of the app adds words."""
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, jieba.dt.total


class _PosTagger(jieba.posseg.POSTokenizer):
    """jieba's part-of-speech tagger over our tokenizer, reusing the tag table jieba read at import
    (building a POSTokenizer reads the 350,000-word dictionary again: 0.4 s)."""

    def __init__(self, tokenizer: jieba.Tokenizer):  # not calling super(): it would re-read the dictionary
        self.tokenizer = tokenizer
        self.word_tag_tab = dict(jieba.posseg.dt.word_tag_tab)


@cache
def answers_tokenizer() -> Tokenizer:
    """One jieba dictionary for every reader of people's answers (the questions' words, the places'
    names): each tokenizer holds the whole dictionary in memory."""
    return Tokenizer()

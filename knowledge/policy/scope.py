"""Whether the thing a question asks about is foreign to the documents.

A noun the documents never use, that the lexicon does not know as a paraphrase of theirs, and that
is no person, time or place of the asker's story, names a topic they do not speak of ("医保能报几成",
"见习基地包不包住宿", "零工驿站的电话多少"): the plan words around it must not carry the answer.
"""

from __future__ import annotations

import re
from collections.abc import Container

from knowledge.policy.expand import word_classes

_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
# Thesaurus classes of the asker's circumstances, never the topic: people (A…), time (Ca), space (Cb).
_CIRCUMSTANCE = re.compile(r"A.|C[ab]")
# A kind of person the thesaurus lacks ("养殖户", "快递员").
_PERSON = re.compile(r"[户者员工人匠师生农娃]$")
# A particle, pronoun or modal inside a "word" shows two words cut as one ("开了个", "帮帮我", "能带");
# a count or a pointing word in front, a phrase that names nothing new ("两件事", "这号事").
_CUT_PHRASE = re.compile(
    r"[了个我你他她们没吗呢吧的着过]|^[能会可该要想这那每]"
    r"|^[一二两三四五六七八九十几半]+[件位条次天年月种样些点回趟家]"
)


class Scope:
    """Tells whether a noun is foreign to the documents.

    corpus_text is all the documents' text in search form; known holds the words the lexicon
    already places (domain words, synonyms, stop and generic words).
    """

    def __init__(self, corpus_text: str, known: Container[str]):
        self._corpus = corpus_text
        self._known = known
        self._classes = word_classes()

    def foreign(self, word: str, parts: tuple[str, ...] = ()) -> bool:
        """Whether word (a noun; parts are the shorter words inside it) names a thing the
        documents never speak of and the asker's story does not explain."""
        if not _HAN.fullmatch(word) or word in self._corpus or word in self._known:
            return False
        if any(p in self._corpus for p in parts):  # "发工资", "月工资": a plan word said with more
            return False
        if _CUT_PHRASE.search(word) or _PERSON.search(word):
            return False
        # A compound is also of the classes of the words in it ("带徒弟", "具体地址").
        kinds = "".join(self._classes.get(w, "") for w in (word, *parts))
        return not _CIRCUMSTANCE.search(kinds)

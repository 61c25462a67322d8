"""The policy search's vocabulary: domain words, spoken synonyms, stop and generic words, spelling repair."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import Hamming

from knowledge.policy.document import PolicyDocument
from knowledge.policy.index import THING_FLAGS
from knowledge.text import arabize_counts, pinyin_key

_QUOTED = re.compile(r"[“\"《]([^”\"《》]{2,24})[”\"》]")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_LATIN_OR_DIGIT = re.compile(r"[\dA-Za-z]")
_PINYIN_RUN = re.compile(r"[a-z]{2,}")
_PINYIN_WORDS = re.compile(r"[a-z]{2,}(?:\s+[a-z]{2,})+")
_RETROFLEX = re.compile(r"^([zcs])h")
_BACK_NASAL = re.compile(r"([iea])ng$")


@dataclass(frozen=True)
class Concept:
    """A spoken phrase found in a question and the document words it stands for."""

    spoken: str
    terms: tuple[str, ...]


def _data(name: str) -> str:
    return resources.files("knowledge").joinpath("data", name).read_text("utf-8")


def _word_list(name: str) -> list[str]:
    return [arabize_counts(w) for line in _data(name).splitlines() if (w := line.strip()) and not w.startswith("#")]


class Lexicon:
    """Shipped word lists and synonyms, all in the search form (`arabize_counts`)."""

    def __init__(
        self,
        words: Iterable[str],
        stopwords: Iterable[str],
        generic: Iterable[str],
        groups: Iterable[tuple[Iterable[str], Iterable[str]]],
        patterns: Iterable[tuple[str, Iterable[str]]] = (),
        outside: Iterable[str] = (),
        places: Iterable[str] = (),
    ):
        self.outside = frozenset(arabize_counts(w) for w in outside)
        self.places = frozenset(places)  # places outside the county people name
        self.words = set(words) | self.outside
        self.stopwords = frozenset(stopwords)
        self.generic = frozenset(generic)
        spoken: dict[str, list[str]] = {}  # phrase → the document terms it stands for
        for terms, phrases in groups:
            terms = [arabize_counts(t) for t in terms]
            for phrase in [*terms, *(arabize_counts(p) for p in phrases)]:
                known = spoken.setdefault(phrase, [])
                known += [t for t in terms if t not in known]
        self._spoken = dict(sorted(spoken.items(), key=lambda kv: -len(kv[0])))
        self._patterns = [(re.compile(rx), tuple(arabize_counts(t) for t in terms)) for rx, terms in patterns]

    @classmethod
    def shipped(cls) -> Lexicon:
        synonyms = json.loads(_data("policy_synonyms.json"))
        return cls(
            # The story told before a question ("俺家那口子前年…") says nothing of what is asked; its
            # phrases are cut as words ("没什么文化") so that they can be set aside whole.
            words=_word_list("policy_words.txt") + _word_list("policy_story.txt"),
            stopwords=_word_list("policy_stopwords.txt") + _word_list("policy_story.txt"),
            generic=_word_list("policy_generic.txt"),
            groups=[(g["terms"], g["spoken"]) for g in synonyms["groups"]],
            patterns=[(p["regex"], p["terms"]) for p in synonyms["patterns"]],
            outside=_word_list("policy_outside.txt"),
            places=_word_list("policy_places.txt"),
        )

    @property
    def spoken_phrases(self) -> set[str]:
        """The everyday phrases of the synonym data that are not themselves document terms."""
        terms = {t for ts in self._spoken.values() for t in ts}
        return set(self._spoken) - terms

    @property
    def synonym_words(self) -> set[str]:
        """Every spoken phrase and document term the synonym data names."""
        return set(self._spoken) | {t for terms in self._spoken.values() for t in terms}

    def patterned(self, text: str) -> str:
        """The text with each phrase a pattern reads put as the document term it stands for
        ("当了几年兵退下来了" → "退役军人")."""
        for rx, terms in self._patterns:
            text = rx.sub(terms[0], text)
        return text

    def concepts(self, text: str, bounds: set[int]) -> list[tuple[int, int, Concept]]:
        """Spoken phrases in the (search-form) text as (start, end, concept), longest first, not overlapping.

        A phrase counts only where it starts and ends on word bounds: "残疾" is not read inside "残疾证".
        """
        taken = [False] * len(text)
        found: list[tuple[int, int, Concept]] = []

        def claim(start: int, end: int, concept: Concept) -> None:
            if start in bounds and end in bounds and not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append((start, end, concept))

        for rx, terms in self._patterns:
            for m in rx.finditer(text):
                claim(m.start(), m.end(), Concept(m.group(0), terms))
        chars = set(text)
        inserted = bool(chars & _INSERTED)
        for phrase, phrase_terms in self._spoken.items():
            if phrase in text or (inserted and len(phrase) > 1 and phrase[0] in chars and phrase[-1] in chars):
                for m in _with_particle(phrase).finditer(text):
                    claim(m.start(), m.end(), Concept(phrase, tuple(phrase_terms)))
        return sorted(found, key=lambda f: f[0])


# What people put between a verb and its object: "贷到款", "找个工作", "学点技术", "交了社保".
_AFTER_VERB = "(?:了|到|着|过|上|个|份|门|点|些|一个|一份|一门|一点)?"
_INSERTED = frozenset("了到着过上个份门点些")


@cache
def _with_particle(phrase: str) -> re.Pattern[str]:
    """ "欠了工资" says "欠工资": an aspect particle may sit between the characters of a phrase, and
    a complement or a measure word after its first character (the verb of a spoken phrase)."""
    head, *rest = map(re.escape, phrase)
    return re.compile(head + (_AFTER_VERB + "了?".join(rest) if rest else ""))


def document_terms(document: PolicyDocument) -> set[str]:
    """Terms a document itself defines: quoted “…” and 《…》 names, indicators, departments."""
    terms: set[str] = set()
    for passage in document.passages:
        for text in (passage.title, *passage.sentences):
            for m in _QUOTED.finditer(text):
                terms.update(p for p in re.split(r"[,、;]", m.group(1)) if len(p) >= 2)
        terms.update(passage.departments)
    for table in document.tables:
        terms.update(i.name for i in table.indicators)
    return {arabize_counts(t) for t in terms}


def title_nouns(
    document: PolicyDocument, tagged: Callable[[str], Iterable[tuple[str, str]]], known: set[str]
) -> set[str]:
    """Key noun phrases of the titles ("打造生态品牌化促进就业" → "生态品牌化"): runs of two or more
    nouns, each of two or more characters, that hold no term already known (it would be swallowed)."""
    phrases: set[str] = set()
    for passage in document.passages:
        runs: list[list[str]] = [[]]
        for word, flag in tagged(arabize_counts(passage.title)):
            if flag in THING_FLAGS and len(word) > 1 and not _LATIN_OR_DIGIT.search(word):
                runs[-1].append(word)
            elif runs[-1]:
                runs.append([])
        phrases.update("".join(run) for run in runs if len(run) > 1 and not known.intersection(run))
    return phrases


class Speller:
    """Repairs typed words the vocabulary does not know: a term with the same pinyin, or one character off.

    "零功" → 零工 and "开花大厨" → 开化大厨 by pinyin; "招骋会" → 招聘会 by one substituted character
    (only for written terms of three or more characters: everyday phrases such as "开个厂" are too
    close to other everyday phrases, "开个小…"). A window that is itself a known word is left alone.
    """

    def __init__(
        self,
        terms: Iterable[str],
        is_word: Callable[[str], bool],
        cut: Callable[[str], Iterable[str]],
        written: Iterable[str] | None = None,
    ):
        self._terms = {t for t in terms if len(t) >= 2 and _HAN.match(t)}
        spelled = self._terms if written is None else self._terms & set(written)
        self._is_word = is_word
        self._cut = cut
        self._by_sound: dict[tuple[str, ...], str] = {}
        self._by_length: dict[int, list[str]] = {}
        for term in sorted(self._terms, key=lambda t: (-len(t), t)):
            self._by_sound.setdefault(_syllables(term), term)
            if term in spelled:
                self._by_length.setdefault(len(term), []).append(term)
        self._lengths = sorted({len(t) for t in self._terms}, reverse=True)
        self._pinyin = PinyinRepair(self._terms)

    def correct(self, text: str) -> str:
        text = self._pinyin.correct(text)
        # Only whole runs of cut words are candidates, so a fix never splits a real word ("社保|转移").
        words = self._cut(text)
        bounds = word_bounds(words)
        # A character off only counts inside a run of single characters ("招|骋|会", not "个|岗位").
        singles = {b for w, b in zip(words, sorted(bounds), strict=False) if len(w) == 1}
        exact = [
            (i, i + length)
            for length in self._lengths
            for i in range(len(text) - length + 1)
            if text[i : i + length] in self._terms
        ]
        out, i = [], 0
        while i < len(text):
            fixed = self._fix_at(text, i, bounds, singles, exact) if i in bounds else None
            if fixed:
                out.append(fixed)
                i += len(fixed)
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def _fix_at(
        self, text: str, i: int, bounds: set[int], singles: set[int], exact: list[tuple[int, int]]
    ) -> str | None:
        for length in self._lengths:
            window = text[i : i + length]
            if len(window) < length or i + length not in bounds or not _HAN.match(window):
                continue
            if self._is_word(window) or any(s <= i and i + length <= e for s, e in exact):
                continue
            term = self._by_sound.get(_syllables(window))
            if term and (length > 2 or set(term) & set(window)):
                return term
            if length >= 3 and all(j in singles for j in range(i, i + length) if j in bounds):
                hit = process.extractOne(window, self._by_length.get(length, []), scorer=Hamming.distance,
                                         score_cutoff=1)
                if hit:
                    return hit[0]
        return None


def word_bounds(words: Iterable[str]) -> set[int]:
    """Offsets where the cut words start and end."""
    bounds, at = {0}, 0
    for word in words:
        at += len(word)
        bounds.add(at)
    return bounds


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(_loose(ch) for ch in text)


@lru_cache(maxsize=8192)
def _loose(char: str) -> str:
    """A character's syllable with the sounds speech recognisers and southern speakers mix up made one:
    zh/z, ch/c, sh/s, l/n, and front and back nasals (ing/in, eng/en, ang/an)."""
    syllable = pinyin_key(char)
    syllable = _BACK_NASAL.sub(r"\1n", _RETROFLEX.sub(r"\1", syllable))
    return "n" + syllable[1:] if syllable.startswith("l") else syllable


class PinyinRepair:
    """Turns a word typed in pinyin back into the term it spells: "zhaopinhui几号" → 招聘会几号,
    "gen治欠薪" → 根治欠薪, "gongyi岗位" → 公益性岗位 (a pinyin run may stand for the first
    characters of a term whose rest follows, one character of it left out at most)."""

    def __init__(self, terms: Iterable[str]):
        self._whole: dict[str, str] = {}
        self._heads: dict[str, list[tuple[str, str]]] = {}
        for term in sorted({t for t in terms if _HAN.match(t)}, key=lambda t: (-len(t), t)):
            spelled = [pinyin_key(ch) for ch in term]
            self._whole.setdefault("".join(spelled), term)
            for k in range(1, len(term)):
                self._heads.setdefault("".join(spelled[:k]), []).append((term, term[k:]))

    def correct(self, text: str) -> str:
        # "zhibo daigang": a term typed in pinyin word by word.
        text = _PINYIN_WORDS.sub(lambda m: self._words(m.group(0).split()), text)
        return _PINYIN_RUN.sub(lambda m: self._term(m.group(0), text[m.end() :]), text)

    def _words(self, words: list[str]) -> str:
        """Pinyin words, each longest run of them that spells a term put as the term."""
        out, i = [], 0
        while i < len(words):
            j = next((j for j in range(len(words), i + 1, -1) if "".join(words[i:j]) in self._whole), i + 1)
            out.append(self._whole["".join(words[i:j])] if j > i + 1 else words[i])
            i = j
        return " ".join(out)

    def _term(self, run: str, after: str) -> str:
        for term, rest in self._heads.get(run, ()):
            for skip in (0, 1):
                tail = rest[skip:]
                if len(tail) > skip and after.startswith(tail):
                    return term[: len(term) - len(rest)] + rest[:skip]
        return self._whole.get(run, run)

"""Concepts named in a free answer, word by word: the text cut into words by jieba, a verb with
its object read as one concept ("烧…菜" → 厨师, "种…菜" → 农活), any other word looked up among
the concept words, a near-sounding slip included ("彩茶" → 茶), else through the thesaurus
(同义词词林: "炊事员" → 厨师, "后晌" → 下午), else by the word's last character ("砖厂" → 工厂)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from knowledge.policy.expand import Expander
from knowledge.text import FuzzyIndex, compact
from knowledge.tokenizer import answers_tokenizer

PAIR_GAP = 3  # words allowed between a verb and its object: "种了几亩地", "烧得一手好菜"
SLIP_SCORE = 90  # a word this close (by characters or pinyin) to a concept word is that word
COMMON = 300  # a word this frequent in jieba's dictionary is meant as typed ("手艺" is no slip for 兽医)
_COUNTING = set("点些几块亩片棵头只")  # "种点菜": a count between verb and object, cut as 点菜
GRAMMAR = 30000  # a one-character word this frequent is grammar more than content: 到, 去, 有, 做
_CONTENT = {"n", "v", "vn", "ng", "vg"}  # jieba's parts of speech of nouns and verbs
_NUMERALS = set("一二两三四五六七八九十百千几")  # "炒十来年茶": a word and a number are no slip for 超市


@dataclass(frozen=True)
class Pair:
    code: str
    verbs: frozenset[str]
    objects: frozenset[str]


class Lexicon:
    """Concept words and verb–object pairs of one question's answers."""

    def __init__(self, words: Mapping[str, Sequence[str]], pairs: Sequence[Mapping[str, Sequence[str] | str]] = (),
                 endings: Mapping[str, str] | None = None, trades: Sequence[str] = ()):
        self._words = FuzzyIndex({w: code for code, ws in words.items() for w in ws})
        self._endings = endings or {}  # a kind of place named by its last character: "砖厂", "鞋厂" → 工厂
        self._trades = set(trades)  # concepts that stay themselves before an ending: "理发店", "修车铺"
        self._pairs = [Pair(str(p["code"]), frozenset(p["verbs"]), frozenset(p["objects"])) for p in pairs]
        self._tokenizer = answers_tokenizer()
        self._tokenizer.add_words([*self._words.aliases, *(w for p in self._pairs for w in p.verbs | p.objects)])
        # a thesaurus synonym of a concept word; common words ("保护" beside 保安) are meant as themselves
        self._thesaurus = Expander(self._words.aliases, self.common)
        self._tokenizer.add_words(self._thesaurus.words)

    def words(self, text: str) -> list[str]:
        """jieba's words; two one-character words that together sound like a concept word are
        that word misheard ("菜"+"茶" → 采茶), not two concepts; a factory named by its goods is one word."""
        words: list[str] = []
        for word in (compact(w) for w in self._tokenizer.words(text)):
            if not word:
                continue
            if word == "机" and words and not self._words.exact(words[-1] + word):
                words[-1] += word  # "割草机": the machine, not 割草 (the work) and a 机
            elif word == "厂" and word in self._endings and words and len(words[-1]) > 1:
                # "袜子"+"厂": a factory jieba cut in two (not a shop: "足浴"+"店" is a trade's)
                words[-1] += word
            elif (len(word) == 1 and words and len(words[-1]) == 1 and not {word, words[-1]} & _NUMERALS
                    and self._words.sounds_like(words[-1] + word)):
                words[-1] += word
            elif (len(word) == 1 and words and len(words[-1]) > 1 and not self._words.exact(words[-1])
                  and self._words.sounds_like(words[-1][-1] + word)):
                words[-1:] = [words[-1][:-1], words[-1][-1] + word]  # "开挖"+"鸡": 开, 挖鸡 (挖机 misheard)
            else:
                words.append(word)
        return words

    def cuts(self, text: str) -> set[int]:
        """Where jieba's words begin and end in the text, as offsets."""
        return self._tokenizer.cuts(text)

    def codes(self, text: str) -> list[str]:
        """The concepts the text names, in the order named; each word counts once."""
        words = self.words(text)
        # a word that sounds just like a concept word is that word misheard ("挖鸡" → 挖机), not a pair
        heard = [self._misheard(word) for word in words]
        found = [code for code in heard if code]
        used = {i for i, code in enumerate(heard) if code}
        for i, word in enumerate(words):
            for pair in self._pairs:
                if i in used or not _starts_with_verb(word, pair.verbs):
                    continue
                target = next((j for j in range(i, min(i + PAIR_GAP + 2, len(words)))
                               if j not in used and _ends_with_object(words[j], pair.objects, word if j == i else "")),
                              None)
                if target is not None:
                    used.update(range(i, target + 1))
                    found.append(pair.code)
        # "茶采不动了", "饭烧不来": the object said first, the verb right after it
        for i, (word, after) in enumerate(zip(words, words[1:], strict=False)):
            said_first = next((p for p in self._pairs if word in p.objects and _starts_with_verb(after, p.verbs)), None)
            if said_first and not used & {i, i + 1}:
                used.update((i, i + 1))
                found.append(said_first.code)
        for i, word in enumerate(words):
            if i not in used and not self._glued(words, i):
                found.extend(self._word(word))
        return list(dict.fromkeys(found))

    def _glued(self, words: list[str], i: int) -> bool:
        """A one-character word followed by a lone character of content that jieba could not join to
        anything ("扫"+"码" in 扫码上架): the start of a word jieba does not know, not a concept of its own."""
        after = words[i + 1] if i + 1 < len(words) else ""
        if len(words[i]) != 1 or len(after) != 1 or after == words[i] or self._words.exact(after):
            return False
        tags = self._tokenizer.tagged(after)
        return bool(tags) and tags[0][1] in _CONTENT and self._tokenizer.frequency(after) < GRAMMAR

    def _misheard(self, word: str) -> str | None:
        if len(word) < 2 or self._words.exact(word) or self.common(word) or self._thesaurus.synonyms(word):
            return None
        return self._words.sounds_like(word, sharing=True)  # a slip keeps a character of the word meant

    def common(self, word: str) -> bool:
        """A word people use often: meant as typed, never a slip for another."""
        return self._tokenizer.frequency(word) >= COMMON

    def known(self, word: str) -> bool:
        """A word in jieba's dictionary, however rare ("装袋"): meant as typed, never a slip for another."""
        return self._tokenizer.frequency(word) > 0

    def _word(self, word: str) -> list[str]:
        exact = self._words.exact(word)
        if exact:
            return [exact]
        if len(word) < 2 or self.common(word):
            return []
        hits = self._words.lookup(word, limit=1, cutoff=SLIP_SCORE)
        if hits and len(hits[0].alias) == len(word) and set(hits[0].alias) & set(word):
            return [hits[0].key]
        meant = {code for w in self._thesaurus.synonyms(word) if (code := self._words.exact(w))}
        if len(meant) == 1:
            return [meant.pop()]
        # "写毛笔字", "大货车": a word ends in what it names (the head of a Chinese compound is last)
        tail = next((code for n in range(len(word) - 1, 1, -1) if (code := self._words.exact(word[-n:]))), None)
        if tail:
            return [tail]
        ends = [code for end, code in self._endings.items() if word.endswith(end)][:1]
        head = self._words.exact(word[:-1]) if ends else None
        return [head] if head in self._trades else ends  # "理发店": the trade, not the shop


def _starts_with_verb(word: str, verbs: frozenset[str]) -> bool:
    return any(word.startswith(v) for v in verbs)


def _ends_with_object(word: str, objects: frozenset[str], verb_word: str) -> bool:
    """The word is (or ends with) one of the objects; within the verb's own word ("种菜", "烧饭")
    the object must follow the verb."""
    if verb_word:
        return any(word.endswith(o) and len(word) > len(o) for o in objects)
    if len(word) == 2 and word[0] in _COUNTING:
        return word[1] in objects
    return word in objects or any(word.endswith(o) for o in objects if len(o) >= 2)

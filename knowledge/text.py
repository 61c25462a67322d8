"""Chinese text helpers shared by every part that reads what people type.

One place for: Traditional → Simplified (OpenCC), full-width → half-width (NFKC),
Chinese numerals → numbers (cn2an), pinyin keys for homophones (pypinyin) and
fuzzy lookup of a typed phrase among known names (rapidfuzz).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import cn2an
import opencc
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

_T2S = opencc.OpenCC("t2s")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s,.;:!?'\"`~()\[\]{}<>/\\|@#$%^&*_+=\-、，。；：！？“”‘’（）【】《》…·～]+")
_DIGITS = re.compile(r"\d+")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
# Words that go with a pick ("我要第三个", "选1和3", "报名 2吧"); what is left beside numerals is a sentence.
_CHOICE_WORDS = re.compile(r"报名|看看|还有|回复|第|个|号|选|要|我|看|和|跟|都|的|条|项|这|那|吧|啊|呀|好|就|是")
_NOT_A_PICK = re.compile(r"[^\u4e00-\u9fff]|[零〇一二两三四五六七八九十]")
# A message's text is normalized by the router, each handler and the readers it passes through,
# several times over; the texts are few and short, so each is worked out once.
TEXTS_KEPT = 8192


# Wu dialect (开化 speaks it) says no with its own characters: "勿晓得", "远了覅去", "呒没空"; and 冇
# ("冇错", "冇空"), as Gan and Hakka speakers near the county write 没
_WU_NO = re.compile(r"呒没|嘸没|覅|勿|弗|冇得|冇")
_WU_PLAIN = {"呒没": "没有", "嘸没": "没有", "覅": "不要", "勿": "不", "弗": "不", "冇得": "没有", "冇": "没"}


# "随 时 都 可 以": characters typed one by one with a blank between (not "七 八", numbers picked)
_SPELLED_OUT = re.compile(r"(?<!\S)[\u4e00-\u9fff](?: [\u4e00-\u9fff])+(?!\S)")
_NUMERALS = set(_CN_DIGIT) | {"十"}


def _joined_up(run: re.Match[str]) -> str:
    letters = run.group(0).replace(" ", "")
    return run.group(0) if set(letters) <= _NUMERALS else letters


# "周末✅ 晚上❌": ticks and crosses typed after what they mark
_MARKS = str.maketrans({"✅": "可以 ", "✔": "可以 ", "☑": "可以 ", "❌": "不行 ", "✖": "不行 ", "❎": "不行 ",
                        **dict.fromkeys("👍👌🆗🙆", "好 "), **dict.fromkeys("👎🙅", "不要 ")})
# other emoji ("周六周日✌️平时上班", "直播😊"): a break between words, as a comma is
_PICTURES = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+")


@lru_cache(maxsize=TEXTS_KEPT)
def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text with runs of blanks made one space, characters typed
    one by one with blanks between written together, Wu negations as 不/没有, ticks, crosses and thumbs as
    words, other emoji as blanks."""
    text = _PICTURES.sub(" ", unicodedata.normalize("NFKC", text or "").translate(_MARKS))
    text = _WU_NO.sub(lambda m: _WU_PLAIN[m.group(0)], _T2S.convert(text))
    return _SPELLED_OUT.sub(_joined_up, _SPACES.sub(" ", text).strip()).lower()


@lru_cache(maxsize=TEXTS_KEPT)
def compact(text: str) -> str:
    """`normalize` without any punctuation or blanks: the form commands are compared in."""
    return _PUNCT.sub("", normalize(text))


def _cn_to_int(token: str) -> int | None:
    if all(ch in _CN_DIGIT for ch in token) and len(token) > 1:
        # "一九六一", "二〇二五": read digit by digit, the way years are spoken.
        return int("".join(str(_CN_DIGIT[ch]) for ch in token))
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


# "五十7", "6十3": digits typed inside a numeral said with 十 or 百 are its digits
_MIXED_DIGIT = re.compile(r"(?<=[十百])\d|\d(?=[十百])")


def arabize(text: str) -> str:
    """Normalize and write every Chinese numeral as digits ("六十二岁" → "62岁", "五十7" → "57")."""
    text = _MIXED_DIGIT.sub(lambda m: "零一二三四五六七八九"[int(m.group(0))], normalize(text))

    def repl(m: re.Match[str]) -> str:
        value = _cn_to_int(m.group(0))
        return m.group(0) if value is None else str(value)

    return _CN_NUMBER.sub(repl, text)


_COUNTED = re.compile(
    r"(?<![\d.零〇一二两三四五六七八九十百千万亿])([零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*)"
    r"(?=(?:多|余|来)?[年月日号岁个人名位家场次条项元块亩吨天周万亿倍批所座张份种户台辆期届成%])"
)


def arabize_counts(text: str) -> str:
    """Normalize and write as digits only the Chinese numerals that count something or are years.

    "二〇二五年" → "2025年", "六十多岁" → "60多岁", "十万亩" → "10万亩", while words that merely
    hold a numeral character ("零工", "一乡一品", "两领", "统一") stay as they are.
    """

    def repl(m: re.Match[str]) -> str:
        value = _cn_to_int(m.group(1))
        return m.group(1) if value is None else str(value)

    return _COUNTED.sub(repl, normalize(text))


def integers(text: str) -> list[int]:
    """Every whole number in the text, Chinese numerals and full-width digits included."""
    return [int(d) for d in _DIGITS.findall(arabize(text))]


def says_more_than_numbers(text: str) -> bool:
    """Whether a reply is a sentence that holds a numeral ("下一场招聘会在哪"), not a pick ("我要第三个")."""
    return len(_NOT_A_PICK.sub("", _CHOICE_WORDS.sub("", normalize(text)))) >= 2


def choice_numbers(text: str, count: int) -> list[int] | None:
    """The numbered choices (1..count) a reply names, or None when it names none or a wrong one.

    Accepts "1 3 5", "1、3", "１，３", "一 三", and digits run together ("135") when each
    digit is a different valid choice but the whole number is not ("99" names nothing); a
    sentence with a numeral in it ("下一场招聘会在哪") names none.
    """
    if says_more_than_numbers(text):
        return None
    tokens = [t for t in re.split(r"[^\d]+", arabize(text)) if t]
    if not tokens:
        return None
    picked: list[int] = []
    for token in tokens:
        value = int(token)
        if 1 <= value <= count:
            candidates = [value]
        elif len(token) > 1 and len(set(token)) == len(token) and all(1 <= int(d) <= count for d in token):
            candidates = [int(d) for d in token]
        else:
            return None
        picked.extend(c for c in candidates if c not in picked)
    return picked


# "19 不对 18", "苏庄 哦不 住古田村", "种田，说错了，是采茶", "晚上吧 不不不 白天", "全县吧，算了就镇上":
# what follows a correction replaces what came before
_CORRECTION = re.compile(r"哦不对|不对不对|不对(?![口外劲称付头])|说错了|说错|搞错了|打错了|写错了|弄错了|填错了"
                         r"|[说打写]反了|不是不是|哦不是|那还是|那就还是"
                         r"|我是说|我的意思是|(?:哦|不)不(?=[\s,，。、!！]|$)|(?<!打)算了(?![账帐])")
# "还是本乡算了": settling for what is named, neither ruling it out nor taking it back
_SETTLED = re.compile(r"还是([^，,。;；\s]{1,8}?)算了")
_HOLLOW = re.compile(r"^[\s,.;:!?、，。；：！？嗯呃啊哦呀是的我]*$")  # nothing said after the correction
# "来料加工（外孙女打的字）": a remark in brackets is no part of the answer
_ASIDE = re.compile(r"[（(][^（）()]{1,20}[）)]")
# "你是说最远去哪里是吧，最远就华埠": the question said back first is no part of the answer
_ECHO = re.compile(r"^(?:你是说|你是问|你问)[^，,。;；\s]*(?:是吧|对吧|是不是|啊|哈)[\s,，。?？]*")
# "礼拜六…礼拜六也不行": words said again after a pause start the thought over
_RESTART = re.compile(r"([\u4e00-\u9fff]{1,4})(?:\.{2,}|——+|-{2,})\1")


def corrected(text: str) -> str:
    """The answer as corrected in the same message: the part after the last 不对/说错了/哦不 when
    something is said after it, else the whole text ("岁数说错了" stays as it is); words said again
    after a pause are said once."""
    said = _SETTLED.sub(r"\1", _RESTART.sub(r"\1", _ECHO.sub("", _ASIDE.sub(" ", normalize(text)))))
    parts = _CORRECTION.split(said)
    # "周一到周五 不对 我是说周六周日 说反了": the last part said after a correction, a correction after it
    # that says nothing more standing by it
    told = next((p for p in reversed(parts[1:]) if not _HOLLOW.match(p)), None)
    return told.strip(" ,，。、") if told is not None else said


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> str:
    """Toneless pinyin of the text, syllables joined by spaces: homophones share a key."""
    return " ".join(lazy_pinyin(normalize(text), style=Style.NORMAL, errors="ignore"))


# What a southern accent or voice input does not tell apart: 马京 for 马金 (in/ing), 桐村 for 铜村,
# 中村 for 忠村, 林杉 for 林山 (sh/s)
_ACCENT = re.compile(r"(?<=[aeiu])ng\b|(?<=\b[zcs])h")


def accent_key(pinyin: str) -> str:
    """A pinyin key with the sounds a southern accent merges made one: "ma jing" → "ma jin"."""
    return _ACCENT.sub(lambda m: "n" if m.group(0) == "ng" else "", pinyin)


@lru_cache(maxsize=8192)
def _syllable(char: str) -> str | None:
    """The sound of a character as a southern accent or voice input hears it ("本春" for 本村)."""
    return accent_key(lazy_pinyin(char, style=Style.NORMAL)[0]) if "\u4e00" <= char <= "\u9fff" else None


@lru_cache(maxsize=16)
def _sounds(words: tuple[str, ...]) -> dict[tuple[str | None, str | None], str]:
    return {(_syllable(w[0]), _syllable(w[1])): w for w in words}


# A life told as then and now ("以前在杭州打工，现在回来带孙子，村里近的"): group 1 is the now
# ("身体好的时候全县都跑，现在只在镇上", "前些年在宁波…后来…现在只能在家")
THEN_NOW = re.compile(r"(?:以前|年轻的?时候?|过去|原来|早年|早些年|前些年|前几年|前年|去年|上回|上次"
                      r"|[^，,。;；\s]{1,8}的时候)"
                      r".*?(?:现在|如今|这几年|眼下|目前)(.+)$")


def respelled(text: str, words: tuple[str, ...]) -> str:
    """The text with a voice-input slip of one of these two-character words written as the word:
    the same sounds, one character the same ("里拜六" → 礼拜六, "星其天" → 星期天)."""
    sounds = _sounds(words)
    kept = {i for w in words for found in re.finditer(w, text) for i in (found.start(), found.start() + 1)}
    chars, i = list(text), 0
    while i < len(chars) - 1:
        word = sounds.get((_syllable(chars[i]), _syllable(chars[i + 1])))
        if word and not kept & {i, i + 1} and set(word) & set(chars[i:i + 2]):
            chars[i:i + 2] = word
            kept |= {i, i + 1}
            i += 2
        else:
            i += 1
    return "".join(chars)


_SPELLING = re.compile(r"[a-z]{4,}")  # pinyin letters, long enough not to be "ok" or "yes"


@dataclass(frozen=True)
class Match:
    """A fuzzy lookup hit: the key the alias stands for, the alias, and a 0–100 score."""

    key: str
    alias: str
    score: float


class FuzzyIndex:
    """Looks a typed phrase up among known aliases by characters and by pinyin.

    Built once from a mapping alias → key. Exact (normalized) hits score 100; otherwise the
    best of a character-level and a pinyin-level similarity, so "化埠" finds 华埠 and
    "马今" finds 马金.
    """

    def __init__(self, aliases: Mapping[str, str], *, accent: bool = False):
        # names heard through an accent ("马京" for 马金): places only, where a near sound is still
        # a name; for words of work it would hear 司机 in 十几
        self._heard = accent_key if accent else str
        self._by_alias = {compact(a): k for a, k in aliases.items() if compact(a)}
        self._aliases = list(self._by_alias)
        self._pinyins = [pinyin_key(a) for a in self._aliases]
        # each alias with how it is heard, longest first (what sounds_contained tries in turn)
        self._heard_longest_first = [(alias, self._heard(py)) for alias, py in
                                     sorted(zip(self._aliases, self._pinyins, strict=False), key=lambda p: -len(p[1]))]
        self._by_pinyin: dict[str, set[str]] = {}
        for alias, py in zip(self._aliases, self._pinyins, strict=False):
            self._by_pinyin.setdefault(py, set()).add(self._by_alias[alias])
        # "changhong", "chang hong": a name typed in pinyin on a phone without Chinese input
        self._by_spelling = {py.replace(" ", ""): keys for py, keys in self._by_pinyin.items() if len(keys) == 1}

    def exact(self, text: str) -> str | None:
        key = compact(text)
        spelt = self._by_spelling.get(key) if _SPELLING.fullmatch(key) else None
        return self._by_alias.get(key) or (next(iter(spelt)) if spelt else None)

    def sounds_like(self, text: str, sharing: bool = False) -> str | None:
        """The one key an alias of exactly the text's sound stands for ("菜茶" → 采茶's key), if one;
        `sharing`: only an alias with a character of the text ("挖鸡" is 挖机, "猪栏" no slip for 竹篮)."""
        if ASKING.intersection(text):
            return None
        sound = pinyin_key(text) or "-"
        keys = self._by_pinyin.get(sound, set())
        if sharing:
            keys = {self._by_alias[a] for a, py in zip(self._aliases, self._pinyins, strict=False)
                    if py == sound and set(a) & set(text)}
        return next(iter(keys)) if len(keys) == 1 else None

    @property
    def aliases(self) -> list[str]:
        return list(self._aliases)

    def lookup(self, text: str, *, limit: int = 5, cutoff: float = 60) -> list[Match]:
        """Best distinct keys for the text, best first, scores at least `cutoff`."""
        query = compact(text)
        if not query:
            return []
        if query in self._by_alias:
            return [Match(self._by_alias[query], query, 100.0)]
        best: dict[str, Match] = {}

        def offer(alias: str, score: float) -> None:
            key = self._by_alias[alias]
            if score >= cutoff and (key not in best or best[key].score < score):
                best[key] = Match(key, alias, float(score))

        for alias, score, _ in process.extract(query, self._aliases, scorer=fuzz.ratio, limit=limit * 3):
            offer(alias, score)
        query_py = pinyin_key(query)
        for _py, score, idx in process.extract(query_py, self._pinyins, scorer=fuzz.ratio, limit=limit * 3):
            # A pinyin hit is a homophone, not the same word: rank it a little below an exact one.
            # Text without Chinese ("b2", the code "tea") has no sound to compare.
            if query_py and self._pinyins[idx]:
                offer(self._aliases[idx], score * 0.97)
        return sorted(best.values(), key=lambda m: -m.score)[:limit]

    def contained(self, text: str) -> list[str]:
        """Keys whose alias appears inside the text ("我住华埠镇金星村" → 华埠镇), longest alias first;
        words inside an alias already found do not count again."""
        query = compact(text)
        found: list[str] = []
        for alias in sorted(self._aliases, key=len, reverse=True):
            if len(alias) >= 2 and alias in query:
                if self._by_alias[alias] not in found:
                    found.append(self._by_alias[alias])
                query = query.replace(alias, "|")  # "不上夜班" found: its "夜班" is no second answer
        return found


    def sounds_contained(self, text: str, sharing: bool = False) -> list[str]:
        """Keys whose alias is heard inside the text: its pinyin is a run of the text's syllables
        ("我住在化埠镇" → 华埠镇, "会彩茶叶" → 采茶). Aliases of one syllable are left out.
        `sharing`: only where the words heard keep a character of the alias ("侬要" is no 农药)."""
        key = compact(text)
        heard = f" {self._heard(pinyin_key(key))} "
        found: list[str] = []
        for alias, sound in self._heard_longest_first:
            if " " not in sound or f" {sound} " not in heard or self._by_alias[alias] in found:
                continue
            if sharing and not any(set(alias) & set(span) and not ASKING.intersection(span)
                                   for span in (key[i:i + len(alias)] for i in range(len(key)))
                                   if self._heard(pinyin_key(span)) == sound):
                continue
            found.append(self._by_alias[alias])
            heard = heard.replace(f" {sound} ", " | ")
        return found


# a question's words are never part of a misheard one ("出了事谁管" is no 水管)
ASKING = frozenset("谁哪啥咋吗呢")


def aliases_from(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Alias → key mapping from (key, aliases) pairs; each key is also its own alias."""
    mapping: dict[str, str] = {}
    for key, names in entries:
        mapping[key] = key
        for name in names:
            mapping[name] = key
    return mapping

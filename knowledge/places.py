"""Kaihua's towns and villages: typed names to towns and villages ("我是下淤村的" → 下淤村,
"仁宗坑" → 仁宗坑村), map points to the nearest town."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import jieba.posseg

from knowledge.text import FuzzyIndex, compact, normalize, pinyin_key
from knowledge.tokenizer import answers_tokenizer

_VILLAGE_SUFFIX = re.compile(r"(村|社区|居委会|自然村)$")
# what is said before the name: fillers, whose village it is (a relative typing for a parent: "她住岭下村"),
# and the verb ("然后村是那个东坑口村")
_SAYING = re.compile(r"^(?:嗯|呃|额|啊|哦|那个|这个|就是|然后|反正|我们家|我家|我们|我妈|我爸|我奶奶|我爷爷"
                     r"|我外婆|我外公|我|俺|他们|她们|他|她|老人家|家|村名|村子|名字|住在|住|就在|在|是|来自|老家|村叫"
                     r"|村是|叫做|叫)+")
_TRAILING = re.compile(r"(的人|的|人|这里|那里|这边|那边|那儿|这儿|啦|了|呢|呀|哦|啊)+$")
# "中村村": a village named after its town's 中村 is 中村村, not 中村; "上村头" is no 上村
_NAMED = re.compile(r"[\u4e00-\u9fff]{1,8}?(村|社区|居委会)(?!村(?:$|的|人)|头)")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_COUNTY_SEAT = re.compile(r"(?<=.)(?:县城|城里)")  # said after other words: where one goes, not where one lives
_NOT_A_NAME = re.compile(r"[镇乡县上里住边近]$|说了|说过")  # "镇上住", "山里": where; "我说了华埠啊": no name
# "陆联七组", "大溪边村二组的": the group of the village is no part of its name
_GROUP = re.compile(r"(?<=.)(?:第?[\d一二三四五六七八九十两]{1,3}|几)(?:组|队|小组|生产队)(?=$|的|人)")
# "我是塘坞自然村的 属于金村村": the village a hamlet belongs to is the one a clerk records
_BELONGS = re.compile(r"^.*(?:属于|归)(?=[\u4e00-\u9fff]{1,6}村(?:的|管的?|管辖的?)?$)")
SLIP_SCORE = 90  # a village name this close in sound to one of the town's villages is that village misheard


_CLAUSE = re.compile(r"[\s,.;:!?、，。；：！？]+")
_VILLAGE_KIND = re.compile(r"行政村|自然村|村委会|村委")  # "茅岗行政村", "茅岗村委": the village 茅岗村


# what jieba tags an everyday word that names nothing: an adverb, verb, adjective, pronoun, idiom…
_NAMES_NOTHING = frozenset({"d", "v", "vd", "a", "ad", "r", "l", "c", "u", "p", "y", "e", "m", "i"})


@lru_cache(maxsize=1024)
def _common_word(key: str) -> bool:
    """"快点", "赶紧", "随便": a word of everyday speech typed alone, no village's name ("桃源", "岭下",
    "下溪" are nouns and places, or not one word jieba knows; nor are "什城", "下街", which only its
    guess for words it has never seen takes for other parts of speech)."""
    words = list(jieba.posseg.cut(key))
    return len(words) == 1 and words[0].flag in _NAMES_NOTHING and jieba.dt.FREQ.get(key) is not None


# what may come right before a village's name: "我是", "住在", a town ("华埠镇金星村")
_BEFORE_A_NAME = re.compile(r"(?:是|住|在|家|的|叫|属|就|到|去|回|上|里|边|个|乡|镇|办事处|街道|老家)$")


EVERYDAY = 1000  # how often jieba has seen a word people use in everyday speech ("团结", "光明", "花园")


def _everyday_word(word: str) -> bool:
    jieba.dt.check_initialized()
    return (jieba.dt.FREQ.get(word) or 0) >= EVERYDAY


def _own_clause(text: str) -> str:
    """The part of the answer that names the village: "住在东坑口，靠河边那个" → 住在东坑口
    (the clause with 村 or 社区 in it, else the first), 村委 and the like written 村."""
    clauses = [c for c in _CLAUSE.split(_VILLAGE_KIND.sub("村", normalize(text))) if c]
    clauses = [c for c in clauses if len(compact(c)) >= 2] or clauses  # "嗯 东坑口": not the 嗯
    return compact(next((c for c in clauses if _NAMED.search(c)), clauses[0] if clauses else ""))


@dataclass(frozen=True)
class Town:
    name: str
    short: str
    lat: float
    lon: float
    neighbours: tuple[str, ...]
    villages: tuple[str, ...]


@dataclass(frozen=True)
class TownGuess:
    """What a typed place names: one town when sure, else candidates to offer as a list."""

    town: str | None
    candidates: tuple[str, ...] = ()
    village: str | None = None
    county_wide: bool = False  # "全县", "各乡镇", "开化县": the whole county, no one town
    unsure: bool = False  # the town only looks like what was typed ("长村乡" → 中村乡)


@dataclass
class Gazetteer:
    towns: list[Town]
    _by_name: dict[str, Town] = field(init=False, repr=False)
    _names: FuzzyIndex = field(init=False, repr=False)
    _villages: FuzzyIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {t.name: t for t in self.towns}
        aliases: dict[str, str] = {}
        for town in self.towns:
            raw = next(e for e in _raw_towns() if e["name"] == town.name)
            for alias in [town.name, town.short, *raw.get("aliases", [])]:
                aliases[alias] = town.name
        self._names = FuzzyIndex(aliases, accent=True)
        self._villages = FuzzyIndex({v: t.name for t in self.towns for v in t.villages}, accent=True)
        self._village_names = {compact(v): v for t in self.towns for v in t.villages}
        # a short form said when the town is known already: 城关 in 芹阳 is 城关社区, 马金 in 马金镇 马金村
        self._own_short: dict[tuple[str, str], str] = {}
        for t in self.towns:  # short forms: 仁宗坑 for 仁宗坑村, 东山 for 东山社区 (马金 stays the town)
            for v in t.villages:
                short = _VILLAGE_SUFFIX.sub("", compact(v))
                # an everyday word ("团结", "花园") names its village only as the whole answer, its town known
                if len(short) >= 2 and not self._names.exact(short) and not _everyday_word(short):
                    self._village_names.setdefault(short, v)
                if len(short) >= 2:
                    self._own_short[(t.name, short)] = v
        self._longest_first = sorted(self._village_names.items(), key=lambda kv: -len(kv[0]))
        # jieba with the places' names as words: "华民华锋" is two villages, "钱江源" holds no 江源
        self._tokenizer = answers_tokenizer()
        self._tokenizer.add_words([*self._names.aliases, *self._village_names])

    def get(self, name: str) -> Town | None:
        return self._by_name.get(name)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.towns]

    def numbered(self) -> str:
        """Every town by number on a few short lines: "1芹阳 2华埠 …" (a list of fifteen
        choices one a line would be too long to read in one message)."""
        return " ".join(f"{i}{t.short}" for i, t in enumerate(self.towns, 1))

    def neighbours(self, name: str) -> tuple[str, ...]:
        town = self._by_name.get(name)
        return town.neighbours if town else ()

    def resolve(self, text: str) -> TownGuess:
        """Read a town out of what someone typed: "华埠", "化埠", "我是华埠镇金星村的"."""
        key = compact(text)
        if not key:
            return TownGuess(None)
        if key in _county_words():
            return TownGuess(None, county_wide=True)
        exact = self._names.exact(key)
        if exact:
            return TownGuess(exact)
        inside = self._names.contained(key)
        plain = _COUNTY_SEAT.sub("", key)
        if inside and plain != key and not self._names.contained(plain):
            # "钟村乡的 … 县城也可以去": the county town said as where one would go, a town misheard as home
            inside = self._names.sounds_contained(plain, sharing=True) or inside
        if len(inside) == 1:
            named = self._named_after_town(key)
            return TownGuess(inside[0], village=self._village_in(key, inside[0])
                             or (self._slip_for(named, inside[0]) if named else self._misheard_after(key, inside[0])))
        village = self._village_in(key)  # "霞山", "我是下淤村的": a known village, short or whole, or heard
        village_town = (self._villages.exact(village) if village
                        else self._township(key) or next(iter(self._villages.sounds_contained(key)), None))
        if village_town and not inside:
            return TownGuess(village_town, village=village or next(
                (v for v in self.villages_of(village_town) if pinyin_key(v) in pinyin_key(key)), None))
        heard = self._names.sounds_contained(key)  # "我住在化埠镇": a misheard name inside a sentence
        if len(heard) == 1 and not inside:
            return TownGuess(heard[0], village=self._named_after_town(key))
        hits = self._names.lookup(key, limit=4, cutoff=55)
        if hits and hits[0].score >= 85 and (len(hits) == 1 or hits[1].score < hits[0].score - 10):
            return TownGuess(hits[0].key, unsure=True)
        candidates = tuple(dict.fromkeys([*inside, *(h.key for h in hits)]))
        return TownGuess(None, candidates[:4])

    def _township(self, key: str) -> str | None:
        """The town of an old township named after a village ("霞山乡" → 马金镇): townships merged into
        towns kept their seat village's name."""
        return next((self._villages.exact(v) for k, v in self._village_names.items()
                     if k in key and not k.endswith(("村", "社区")) and re.search(f"{k}[乡镇]", key)), None)

    def towns_in(self, text: str) -> list[str]:
        """Towns named inside a sentence ("华埠马金都行" → 华埠镇, 马金镇)."""
        return self._names.contained(compact(text))

    def towns_heard_in(self, text: str) -> list[str]:
        """Towns named inside a sentence, else misheard there, keeping a character of the name
        ("最远到化埠", "齐西" → 齐溪镇)."""
        return self.towns_in(text) or self._names.sounds_contained(text, sharing=True)

    def villages_of(self, town: str | None) -> tuple[str, ...]:
        known = self._by_name.get(town or "")
        return known.villages if known else ()

    def village_in(self, text: str, town: str | None = None) -> str | None:
        """A known village named inside a sentence, its own town's first."""
        return self._village_in(compact(text), town)

    def _village_in(self, key: str, town: str | None = None) -> str | None:
        """A known village named inside the text (its own town's first, when given)."""
        inside = [(k, v) for k, v in self._longest_first if k in key]
        cuts = self._tokenizer.cuts(key) if inside else set()
        found = [v for k, v in inside
                 if any(self._stands_alone(key, k, at.start(), cuts) for at in re.finditer(re.escape(k), key))]
        own = self._by_name[town].villages if town in self._by_name else ()
        return next((v for v in found if v in own), found[0] if found else None)

    def _stands_alone(self, key: str, name: str, at: int, cuts: set[int]) -> bool:
        """Whether a village's name found in the text at `at` is that village named, not part of
        another word or name: not "钱江源" for 江源, "镇上街上" for 上街, "石门坑村" for 石门, "西坑口村"
        for 坑口村; not "古田山" (the mountain) nor "霞山乡" (an old township, now part of a town)."""
        end = at + len(name)
        if name != compact(self._village_names[name]):  # a short form: 上村 for 上村村, 霞山 for 霞山村
            if re.match(r"[山乡镇]|[\u4e00-\u9fff]{1,3}村", key[end:]):
                return False
            # a name of two characters is a word of its own ("镇上村里" holds no 上村)
            if len(name) == 2 and (not {at, end} <= cuts or key[end:end + 1] in ("里", "上")):
                return False
        before = key[:at]
        return not re.search(r"[\u4e00-\u9fff]$", before) or bool(_BEFORE_A_NAME.search(before)) \
            or any(before.endswith(alias) for alias in self._names.aliases)

    def village(self, text: str, town: str | None = None) -> str | None:
        """The village a person named, known or not, without the words around it:
        "我是下淤村的" → 下淤村, "仁宗坑" → 仁宗坑村, "华埠镇金星村" → 金星村, "霞衫村" → 霞山村 (a
        slip for a village of the town), "下溪" → 下溪村; None if no name is there."""
        key = compact(text)
        if key.isascii() and key.isalpha():  # "xiayu", "xia yu cun": typed in pinyin, one of the town's villages
            spelled = key.lower().removesuffix("cun")
            return next((v for v in self.villages_of(town) if pinyin_key(village_key(v)).replace(" ", "") == spelled),
                        None)
        key = _GROUP.sub("", _BELONGS.sub("", key))
        said = _TRAILING.sub("", _SAYING.sub("", key))
        known = self._village_in(key, town) or self._own_short.get((town or "", said))
        if known:
            return known
        own = _GROUP.sub("", _own_clause(_BELONGS.sub("", text)))
        key = _TRAILING.sub("", self._without_town(_SAYING.sub("", own)))
        named = _NAMED.search(key)
        name = _whole_name(named.group(0)) if named else None
        if name is None and _HAN.match(key) and not _NOT_A_NAME.search(key) and not _common_word(key):
            name = key + "村"  # the answer to "哪个村": a clerk writes the 村
        return self._slip_for(name, town) if name else None

    def _slip_for(self, name: str, town: str | None) -> str:
        """A known village of the town that the name sounds like ("古天村" → 古田村), else the name."""
        own = self._by_name[town].villages if town in self._by_name else ()
        for match in self._villages.lookup(name, limit=3, cutoff=SLIP_SCORE):
            village = self._village_names.get(match.alias)
            if village in own and len(match.alias) == len(compact(name)):
                return village
        return name

    def _without_town(self, key: str) -> str:
        """The text with a town typed before the village taken off ("华埠镇下溪村", "杨林镇的东坑村",
        "桐村镇严村" → 下溪村, 东坑村, 严村)."""
        for alias in sorted(self._names.aliases, key=len, reverse=True):
            # a short name needs more after it: not 马金 in 马金桥村
            rest = 2 if alias.endswith(("镇", "乡", "办事处", "街道")) else 3
            if len(alias) >= 2 and key.startswith(alias) and len(key) - len(alias) >= rest:
                return key[len(alias):].removeprefix("的")
        return key

    def _misheard_after(self, key: str, town: str) -> str | None:
        """One of the town's villages misheard after its name, 村 or not: "长虹高天坑" → 高田坑村."""
        rest = _TRAILING.sub("", _SAYING.sub("", key))
        alias = next((a for a in sorted(self._names.aliases, key=len, reverse=True) if rest.startswith(a)), "")
        name = rest[len(alias):]
        if len(name) < 2 or self._names.exact(name):  # "古田山 苏庄": the town's name after its landmark
            return None
        slip = self._slip_for(name if _VILLAGE_SUFFIX.search(name) else name + "村", town)
        return slip if slip in self.villages_of(town) else None

    def _named_after_town(self, key: str) -> str | None:
        """A village not on our list, named with its 村 or 社区 after the town: "我住华埠镇下溪村"."""
        rest = _TRAILING.sub("", _SAYING.sub("", self._without_town(_SAYING.sub("", key))))
        if (town_part := _MISHEARD_TOWN.match(rest)) and len(rest) - town_part.end() >= 2:
            rest = rest[town_part.end():]  # "我住在化埠镇下溪村": a town misheard before the village
        named = _NAMED.fullmatch(rest)
        # "中村乡，嗯就是中村": the town said twice; "我们那是桐花小镇，桐村": the town said last
        town_again = self._names.exact(rest) or any(rest.endswith(a) for a in self._names.aliases if len(a) > 1)
        return _whole_name(named.group(0)) if named and rest != key and len(rest) >= 2 and not town_again else None

    def nearest(self, lat: float, lon: float) -> tuple[Town, float]:
        """The town whose centre is nearest the point, and the distance in km."""
        best = min(self.towns, key=lambda t: _km(lat, lon, t.lat, t.lon))
        return best, _km(lat, lon, best.lat, best.lon)


_VILLAGE_SUFFIX = re.compile(r"(行政村|村委会|村委|社区|村)$")
_SAID_AROUND = re.compile(r"^(我是|我在|我住在|我住|住在|家住|我家在|家在|在)|(的人|的|人|这边|那里|那边)$")
_TOWN_PART = re.compile(r"^.*?(镇|乡|街道|办事处)")
_MISHEARD_TOWN = re.compile(r"^.{2,}?(镇|乡|街道|办事处)")  # not the 镇 of a village's own name ("镇头村")
_VILLAGE_IN = re.compile(r"([\u4e00-\u9fff]{1,5}?(?:行政村|村|社区))")


def _whole_name(name: str) -> str:
    """A village's whole name: a place of one character and 村 ("严村", "余村") is the village 严村村,
    as villages named after such places are called."""
    return name + "村" if _ONE_CHARACTER_PLACE.fullmatch(name) else name


_ONE_CHARACTER_PLACE = re.compile(r"[\u4e00-\u9fff]村")


def village_key(name: str | None) -> str:
    """A village as people write it either way: "下溪", "下溪村", "华埠镇下溪村", "我是下溪村的"
    are one village."""
    key = _SAID_AROUND.sub("", compact(name or ""))
    key = _TOWN_PART.sub("", key) or key
    return _VILLAGE_SUFFIX.sub("", key) or key


def heard_in(village: str, text: str) -> bool:
    """The village is named in the text, or heard there through a voice slip ("只在下山村" for 霞山村)."""
    return bool(FuzzyIndex({village_key(village): village}, accent=True).sounds_contained(text))


def village_after_town(text: str) -> str | None:
    """The village written after the town in one cell: "华埠镇下溪村" → 下溪村."""
    rest = _TOWN_PART.sub("", compact(text))
    found = _VILLAGE_IN.search(rest) if rest != compact(text) else None
    return found.group(1) if found else None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@lru_cache(maxsize=1)
def _towns_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("knowledge").joinpath("data/towns.json").read_text("utf-8"))
    return data


def _raw_towns() -> list[dict[str, Any]]:
    towns: list[dict[str, Any]] = _towns_file()["towns"]
    return towns


@lru_cache(maxsize=1)
def _county_words() -> frozenset[str]:
    return frozenset(compact(w) for w in _towns_file()["county_wide"])


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer([
        Town(e["name"], e["short"], e["lat"], e["lon"], tuple(e["neighbours"]), tuple(e["villages"]))
        for e in _raw_towns()
    ])

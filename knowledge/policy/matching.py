"""Deciding which entries answer a question, or that the documents do not cover it.

Entries are ranked by word BM25 fused with character-pair BM25, plus how much of the question's
content they cover (each content word weighted by how rare it is in the documents; a word no
document has is mostly the story around the question and weighs little, unless it names a topic
known to lie outside the plan or is the thing asked about, foreign to the documents). The
re-ranker, which also weighs the learned guess of the measure (`prior`), then takes the best entry
that covers enough and has the kind of thing asked (a figure, a day, a place). The question is
"not covered" when the best entries cover too little of it, name an outside topic, a year or a
place the documents do not have, or ask for a figure or day the chosen text does not give. A
figure for one person is answered in part when the plan only has the county's total paid out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from knowledge.policy.document import Figure
from knowledge.policy.index import Entry, PolicyIndex
from knowledge.policy.query import THESAURUS_WEIGHT, Question, Unit
from knowledge.text import arabize, arabize_counts

MIN_COVERAGE = 0.45
CANDIDATES = 8
SECOND_MIN_SCORE = 0.3  # share of the best BM25 score a second entry needs to be added
SECOND_MIN_COVERAGE = 0.25  # share of the question a second entry must add
# Without a joining word ("移民家里困难能上公益性岗位吗") a second entry must add this much.
UNJOINED_SECOND_COVERAGE = 0.4
YEAR_ROW_BONUS = 0.3
VAGUE_WEIGHT = 0.5  # a verb ("控制在多少") or a single character ("学") is often just phrasing
DATE_BONUS = 0.3
_DAYS = re.compile(r"\d+[日号]|每月|每周|每天")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})年")
_CLAUSE = re.compile(r"[,;。:]")
_SENTENCE = re.compile(r"[;。]")
_PLACE = re.compile(r"市场|基地|驿站|中心|大厅|网点|产业园|服务站|学校|学院|工坊|门店|之家")
_PAID_OUT = re.compile(r"贷款|发放|加工费|资金|补贴|补助")
_HELP = re.compile(r"补贴|补助|资助|奖励|奖补|贴息|贷款|扶持资金|减免|免费")  # help in money, by its name
COUNTY_TOTAL = re.compile(r"\d[\d.]*[万亿]")  # a sum for the whole county ("2100万", "1.55亿")
_PER_PERSON = re.compile(r"每位|每人|人均|每个人|每户")
PAIR_WEIGHT = 0.5  # character pairs count half as much as whole words in ranking
STORY_WEIGHT = 0.2  # share of its weight kept by a word no document has (usually the story)
FUSE = 0.5  # weight of the learned guess in re-ranking (cross-validated by set: 0.2 to 1.0 all help)
MEASURE_BONUS = 0.1  # a numbered measure before a general goal or safeguard on a near tie
ASKED_SHARE = 0.3  # share of the question's weight the asking clause must carry to stand for it
ASKED_BONUS = 0.3  # an entry that answers the asking clause before one about the story
_WHICH = re.compile(r"哪[个几些里儿]|在哪|地址|位置")
# "是哪8家", "12个村是哪几个", "八大集群产业是哪八个": which ones of a number said
_WHICH_ONES = re.compile(r"哪(?P<n>[2-9]|\d{2,})(?:个|家|所)"
                         r"|(?P<m>[2-9]|\d{2,})(?:个|家|所|大)[^，,。？?\s]{0,8}?是?哪几(?:个|家|所)")
DATED = re.compile(r"\d{4}年|\d+[日号]|每月|每周|每年")
DONE = "完成"  # the table's column of what was done ("2022年完成情况")
_COUNTY = re.compile(r"^(\w{2,3}?[县市区])")


@dataclass
class Verdict:
    """The entries that answer (best first), or why none does."""

    entries: list[Entry] = field(default_factory=list)
    reason: str = ""  # why not covered; "" when answered
    missing_years: tuple[int, ...] = ()  # years asked that the documents have no figures for
    weights: dict[str, float] = field(default_factory=dict)  # content unit → weight
    # what the plan lacks of what was asked: "personal" (a figure for one person; it has only the
    # county's), "day" (a day; it names only a year, a month or how often)
    partial: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.entries)


class Matcher:
    """Ranks entries for a question and decides whether the documents cover it."""

    def __init__(self, index: PolicyIndex):
        self.index = index
        self._titles = [arabize_counts(e.document.title) for e in index.entries]
        self._all_text = "".join(index.texts) + "".join(set(self._titles))
        # The county of each entry's document; the first document (the shipped plan) is home.
        self._counties = [m.group(1) if (m := _COUNTY.match(t)) else "" for t in self._titles]
        self.known_years = _known_years(index)

    def judge(self, q: Question, prior: np.ndarray | None = None) -> Verdict:
        """prior: for each entry, how much less likely than the likeliest a learned guess finds it
        (0 for the likeliest, negative below); it weighs in the re-ranking."""
        # Places choose the documents (below); what is asked about them is the rest.
        content = [u for u in q.content if u.text not in q.places]
        if not content:
            return Verdict(reason="empty")
        if any(p not in self._all_text for p in q.places):
            return Verdict(reason="place")
        unknown_years = [y for y in q.years if y not in self.known_years]
        if unknown_years:
            return Verdict(reason="year", missing_years=tuple(unknown_years))
        scores = self._scores(q)
        candidates = [int(i) for i in np.argsort(-scores)[:CANDIDATES] if scores[i] > 0]
        if not candidates:
            return Verdict(reason="no match")
        weights = self._weights(content)
        content = [u for u in content if u.text in weights]
        if not content:
            return Verdict(reason="empty")
        total = sum(weights.values())
        top = float(scores[candidates[0]])

        def covered(units: list[Unit], entries: list[int]) -> float:
            return sum(weights[u.text] for u in units if any(self.index.contains(i, u.alternatives) for i in entries))

        # "茶叶加工厂要扩建，能贷款吗": the clause that asks names what is wanted; the story before it
        # names the asker's situation, which the answer need not cover.
        asked = [u for u in content if u.text in q.asked]
        asked_total = sum(weights[u.text] for u in asked)
        told = ASKED_SHARE * total <= asked_total < total

        def fits(entries: list[int]) -> bool:
            """Covers enough of the question, or all that its asking clause names."""
            whole = covered(content, entries) / total >= MIN_COVERAGE
            return whole or (told and covered(asked, entries) >= asked_total)

        def rank(i: int) -> float:
            # A question naming a year of the table asks for its figure: rows go first on a tie.
            row_bonus = YEAR_ROW_BONUS if q.years and self.index.entries[i].indicator else 0
            # "啥时候有招聘会" is best answered by the text that names the days.
            date_bonus = DATE_BONUS if q.wants_date and _DAYS.search(self.index.texts[i]) else 0
            # A numbered measure says what is done; a goal or safeguard only says so in general.
            passage = self.index.entries[i].passage
            measure_bonus = MEASURE_BONUS if passage and passage.measure else 0
            asked_bonus = ASKED_BONUS * covered(asked, [i]) / asked_total if told else 0
            guess = FUSE * float(prior[i]) if prior is not None else 0.0
            score: float = (scores[i] / top + covered(content, [i]) / total + row_bonus + date_bonus + measure_bonus
                            + asked_bonus + guess)
            return score

        # Re-rank: the best entry that covers the question and gives the kind of thing asked (a
        # figure, a day): "技工院校招多少人" is the table row, not the measure that only names it.
        ordered = sorted(candidates, key=rank, reverse=True)
        enough = [
            i for i in ordered if fits([i]) and scores[i] >= SECOND_MIN_SCORE * top
        ] or ordered
        if told:
            enough = [i for i in enough if covered(asked, [i]) >= asked_total] or enough
        giving = [i for i in enough if self._gives(q, content, i)] or enough
        # "在哪": the place is a wish, not a must (the plan often names none).
        best = next((i for i in giving if q.asks != "place" or self._names_place(content, i)), giving[0])
        chosen = [best]
        missing = [u for u in content if not self.index.contains(best, u.alternatives)]
        seconds = [i for i in candidates if i != best and scores[i] >= SECOND_MIN_SCORE * top]
        if missing and seconds:
            second = max(seconds, key=lambda i: covered(missing, [i]) + scores[i] / top / 10)
            needed = SECOND_MIN_COVERAGE if q.joined else UNJOINED_SECOND_COVERAGE
            if covered(missing, [second]) >= needed * total:
                chosen.append(second)
        if not fits(chosen):
            return Verdict(reason="low coverage")
        entries = [self.index.entries[i] for i in chosen]
        if any(not self._place_in(p, chosen) for p in q.places):
            return Verdict(reason="place")
        if self._only_counted(q, chosen):
            return Verdict(reason="no such detail")
        # a year the table leaves blank ("/", 2022's unemployment rate) has no figure either
        if q.years and entries[0].indicator and not any((f := entries[0].indicator.figure(y)) and f.text != "/"
                                                        for y in q.years):
            return Verdict(reason="year", missing_years=tuple(q.years))
        if q.achieved and not done_figures(q, entries[0]):
            return Verdict(reason="no count done")
        # "医保报销": the plan does not speak of it; a thing of the story before the question is the asker's
        if any(u.outside and not any(self.index.contains(i, u.alternatives) for i in chosen)
               for u in (asked if told else content)):
            return Verdict(reason="outside")
        if not self._gives(q, content, best):
            return Verdict(reason="no figure or date")
        if not self._states_details(q, chosen):
            return Verdict(reason="no such detail")
        partial = self._undated(q, best) or self._elsewhere(q, chosen)
        if q.personal_amount and entries[0].passage is not None and not self._per_person(q, content, best):
            # Only a county total ("2100万") can be told apart from a person's amount; a rate such as
            # "300元/年" is neither, and the plan does not answer the question.
            if not self._county_total(q, content, best):
                return Verdict(reason="no personal figure")
            partial = "personal"
        if len(entries) == 1 and (measure := self._measure_stating(q, content, entries[0])) is not None:
            entries.append(measure)
        return Verdict(entries=entries, weights=weights, partial=partial)

    def _measure_stating(self, q: Question, content: list[Unit], entry: Entry) -> Entry | None:
        """The measure that states the table's figure asked ("每年提供创业担保贷款2100万以上" beside the
        2023 target of 2100万元): where the plan says it and who is in charge go with the figure."""
        indicator = entry.indicator
        if indicator is None:
            return None
        unit = indicator.unit.removesuffix("元") if indicator.unit[:1] in "万亿" else indicator.unit
        said = [f.text for y in q.years if (f := indicator.figure(y)) and f.text[:1].isdigit()]
        stating = [re.compile(rf"(?<![\d.]){re.escape(figure)}{re.escape(unit)}") for figure in said]
        things = [u for u in content if u.kind == "thing"]
        for i, other in enumerate(self.index.entries):
            if other.passage is not None and other.document is entry.document and other.passage.measure \
                    and any(p.search(self.index.texts[i]) for p in stating) \
                    and any(self.index.contains(i, u.alternatives) for u in things):
                return other
        return None

    def _scores(self, q: Question) -> np.ndarray:
        """Each entry's BM25 score of words and character pairs, as shares of the best, 0 for the
        entries that cannot answer the question (a table row for no figure, another county's document…)."""
        scores = _share(self.index.scores(q.tokens)) + PAIR_WEIGHT * _share(self.index.pair_scores(q.pairs))
        # A table row only answers "how many"; never what one person gets.
        if not (q.wants_number or q.years) or (q.personal_amount and not q.years):
            scores[[i for i, e in enumerate(self.index.entries) if e.indicator]] = 0
        named = [p for p in q.places if any(p in title for title in self._titles)]
        if named:  # "常山县的…" is asked of the documents of that place only
            scores[[i for i, title in enumerate(self._titles) if not any(p in title for p in named)]] = 0
        elif self._counties:  # a question naming no place is about home, not another county's document
            home = self._counties[0]
            scores[[i for i, county in enumerate(self._counties) if county and county != home]] = 0
        if q.achieved:  # a measure only says what is planned
            scores[[i for i, e in enumerate(self.index.entries) if not e.indicator]] = 0
        # The notice's preamble ("为深入践行…特制定本实施方案") answers nothing a person asks.
        scores[[i for i, e in enumerate(self.index.entries) if e.passage and not e.passage.ref]] = 0
        return scores

    def guessed(self, q: Question, i: int) -> Verdict:
        """The verdict for entry i, chosen by the learned guess when retrieval found none that answers:
        still not covered when the question names an outside topic the entry does not say, asks for
        a figure or day the entry has none of, or asks what one person gets (a county total must not
        pass for it). The figure need not stand next to the question's words, as `_gives` wants:
        the guess is there for questions that do not use the plan's words."""
        if q.personal_amount:
            return Verdict(reason="no personal figure")
        if q.achieved:  # the guess names a measure, which only says what is planned
            return Verdict(reason="no count done")
        content = [u for u in q.content if u.text not in q.places]
        weights = self._weights(content)
        content = [u for u in content if u.text in weights]
        if any(u.outside and not self.index.contains(i, u.alternatives) for u in content):
            return Verdict(reason="outside")
        if not self._states_details(q, [i]) or self._only_counted(q, [i]):
            return Verdict(reason="no such detail")
        # "灵活就业的人交社保有补贴吗": a help asked about by name, which the entry does not speak of
        if q.asks == "yes" and _HELP.search(q.asked or q.text) and not _HELP.search(self.index.texts[i]):
            return Verdict(reason="no such help")
        # "最高档次交多少": the figure must be said to be the highest, in the same clause.
        figure = [q.figure, *([re.compile(q.extreme)] if q.extreme else [])]
        clauses = _CLAUSE.split(self.index.texts[i])
        if (q.wants_number and not any(all(m.search(c) for m in figure) for c in clauses)) or (
                q.wants_date and not DATED.search(self.index.texts[i])) or (
                q.wants_number and q.years and not self._of_years(q, [], i, *figure)):
            return Verdict(reason="no figure or date")
        return Verdict(entries=[self.index.entries[i]], weights=weights,
                       partial=self._undated(q, i) or self._elsewhere(q, [i]))

    def _undated(self, q: Question, i: int) -> str:
        """ "day" when a day is asked ("下一场几号办"), and no figure besides, and entry i is a passage
        that names none."""
        entry = self.index.entries[i]
        asked = q.wants_day and not q.wants_number
        return "day" if asked and entry.passage and not _DAYS.search(self.index.texts[i]) else ""

    def _elsewhere(self, q: Question, chosen: list[int]) -> str:
        """ "town" when the question asks of a town of the county ("杨林镇有没有残疾人之家") that the
        first chosen passage does not name: the plan speaks of the whole county."""
        first = self.index.entries[chosen[0]]
        # "在哪", "哪几个村", "地址" ask what only the town's own list tells: no answer
        asked = q.asks not in ("place", "who") and not q.details and not _WHICH.search(q.asked or q.text)
        return "town" if asked and first.passage and any(not self._place_in(t, chosen[:1]) for t in q.towns) else ""

    def likeliest(self, q: Question, among: list[int]) -> Verdict:
        """The verdict for the entry of `among` that shares most words with the question, when the
        learned guess places it in the parts of the plan that are no measure (a table row, a goal, a
        safeguard) without telling which: a row for a figure asked, one that names most of what is asked
        and has a figure of the unit, year and place asked; else a passage, which names any year asked."""
        scores = self._scores(q)
        rows = [i for i in among if self.index.entries[i].indicator]
        fitting = [i for i in rows if self._row_fits(q, i)] if q.wants_number else \
            [i for i in among if i not in rows]
        fitting = [i for i in fitting if scores[i] > 0]
        if not fitting:
            return Verdict(reason="no match")
        best = max(fitting, key=lambda i: float(scores[i]))
        if best in rows:
            return Verdict(entries=[self.index.entries[best]], weights=self._weights(q.content))
        if q.years and not any(f"{y}年" in self.index.texts[best] for y in q.years):
            return Verdict(reason="year")  # "去年的目标谁没做到": a goal or safeguard says what is planned
        return self.guessed(q, best)

    def _row_fits(self, q: Question, i: int) -> bool:
        """Whether table row i names most of what is asked and has a figure of the unit asked, for each
        year asked (done, when a count reached is asked), and is not asked of a town."""
        row = self.index.entries[i].indicator
        assert row is not None
        # "下岗的人明年想做到多少" names nothing a row does, "创业贷款贴息贴几个点" not what it counts
        content = [u for u in q.content if u.text not in q.places]
        weights = self._weights(content)
        said = sum(weights[u.text] for u in content if u.text in weights and self.index.contains(i, u.alternatives))
        if not said or said < MIN_COVERAGE * sum(weights.values()):
            return False
        if q.unit_asked and not re.search(q.unit_asked, row.unit):
            return False
        if q.achieved:
            return bool(done_figures(q, self.index.entries[i]))
        return all(row.figure(y) for y in q.years) and not self._town_share(q, [i])

    def _weights(self, units: list[Unit]) -> dict[str, float]:
        """Weight of each content unit by rarity; a verb counts half, unknown phrasing not at all."""
        weights = {}
        for u in units:
            frequency = self.index.frequency(u.alternatives)
            if len(u.text) == 1 and frequency:
                continue  # a single character the documents use ("茶") is too vague to count
            if u.kind != "phrasing" or frequency:
                vague = u.kind == "act" or len(u.text) == 1
                weight = self.index.rarity(frequency) * (VAGUE_WEIGHT if vague else 1)
                weight *= THESAURUS_WEIGHT if u.guessed else 1  # a synonym is less sure than the word said
                # A word no document has is usually the story around the question ("工地", "手机");
                # a topic known to be outside the plan ("医保"), or the thing asked about when the
                # documents never name it ("电话"), keeps its full weight.
                weights[u.text] = weight if frequency or u.outside or u.foreign else weight * STORY_WEIGHT
        return weights

    def _town_share(self, q: Question, chosen: list[int]) -> bool:
        """Whether a figure is asked for a town of the county ("分到我们马金镇是多少人") that the chosen
        entries do not name: the plan's figures are the county's."""
        return q.wants_number and any(not self._place_in(t, chosen) for t in q.towns)

    def _only_counted(self, q: Question, chosen: list[int]) -> bool:
        """Whether the question asks which ones of a number of things ("新培育的SC认证茶企是哪8家", "帮扶的12个
        村是哪几个") that the chosen entries only count ("新培育SC认证茶企8家"): the plan names none of them."""
        asked = _WHICH_ONES.search(arabize(q.text))
        if asked is None:
            return False
        many = int(asked.group("n") or asked.group("m"))
        count = re.compile(f"(?<!\\d){many}(?:个|家|所|大)")
        # "五大提升是哪五个": a list of as many as asked names them ("茶园、品质、品牌、科技、文化")
        listed = re.compile(f"[^、，,。；;]+(?:、[^、，,。；;]+){{{many - 2},}}(?:、|和|及)[^、，,。；;]+")
        return any(count.search(text := arabize(self.index.texts[i])) and not listed.search(text) for i in chosen)

    def _place_in(self, place: str, chosen: list[int]) -> bool:
        return any(place in self.index.texts[i] or place in self._titles[i] for i in chosen)

    def _has_number_for(self, q: Question, units: list[Unit], i: int) -> bool:
        """Whether entry i gives a figure of the kind asked next to a word the question asked about."""
        entry = self.index.entries[i]
        if entry.indicator:
            return not q.unit_asked or bool(re.search(q.unit_asked, entry.indicator.unit))
        # "补贴每月多少" is not answered by a figure of income: the money word asked must be there too.
        money = [re.compile(re.escape(w)) for w in q.money_words]
        # "养老保险最高档次交多少" is not told by "300元/年缴费档次"; one person's most is the
        # partial answer's business.
        extreme = [re.compile(q.extreme)] if q.extreme and not q.personal else []
        marks = (q.figure, *money, *extreme)
        if q.years and not self._of_years(q, units, i, *marks):
            return False
        asked = [u for u in units if u.text in q.asked] or units
        return self._said_with(i, units, *marks) or self._said_next(i, asked, *marks)

    def _of_years(self, q: Question, units: list[Unit], i: int, *marks: re.Pattern[str]) -> bool:
        """Whether a sentence of entry i with the figure asked is of a year asked or names none: "扶化基地
        去年总产值是多少" is not told by "到2025年孵化基地当年总产值达到10亿元". No units: any sentence."""
        for sentence in _SENTENCE.split(self.index.texts[i]):
            if (not units or _says(sentence, units)) and all(m.search(sentence) for m in marks):
                years = {int(y) for y in _YEAR_IN_TEXT.findall(sentence)}
                if not years or years & set(q.years):
                    return True
        return False

    def _gives(self, q: Question, units: list[Unit], i: int) -> bool:
        """Whether entry i has the kind of thing asked: a figure for "多少", a day or year for "什么时候"."""
        if q.wants_number:
            return self._has_number_for(q, units, i)
        if not q.wants_date or self.index.entries[i].indicator:
            return True
        return self._said_with(i, units, DATED, piece=_SENTENCE if q.wants_year else _CLAUSE)

    def _states_details(self, q: Question, chosen: list[int]) -> bool:
        """Whether the chosen entries state every detail asked (a fee, a phone number, opening hours…)."""
        return all(any(d.given.search(self.index.texts[i]) for i in chosen) for d in q.details)

    def _names_place(self, units: list[Unit], i: int) -> bool:
        return self._said_with(i, units, _PLACE, piece=_SENTENCE)

    def _county_total(self, q: Question, units: list[Unit], i: int) -> bool:
        """Whether entry i has a county total paid out ("提供创业担保贷款2100万", "发放来料加工费1.55亿")
        for what was asked; an output or revenue ("产值21亿元") is no one's to share."""
        return self._said_with(i, units, COUNTY_TOTAL, _PAID_OUT, q.figure)

    def _per_person(self, q: Question, units: list[Unit], i: int) -> bool:
        """Whether entry i's figure for what was asked is one per person ("每位回乡大学生…3次")."""
        return self._said_with(i, units, _PER_PERSON, q.figure)

    def _said_with(self, i: int, units: list[Unit], *marks: re.Pattern[str], piece: re.Pattern[str] = _CLAUSE) -> bool:
        """Whether a clause (or sentence) of entry i says something asked about and has every mark."""
        return any(
            _says(part, units) and all(m.search(part) for m in marks) for part in piece.split(self.index.texts[i])
        )

    def _said_next(self, i: int, units: list[Unit], *marks: re.Pattern[str]) -> bool:
        """Whether a clause of entry i says everything the asking clause names (units) without a
        figure, and the clause right after it in the sentence has every mark ("实施林下经济增收帮扶工程,
        助力提升12个行政村")."""
        for sentence in _SENTENCE.split(self.index.texts[i]):
            clauses = _CLAUSE.split(sentence)
            for said, after in zip(clauses, clauses[1:], strict=False):
                if units and all(_says(said, [u]) for u in units) and not marks[0].search(said) \
                        and all(m.search(after) for m in marks):
                    return True
        return False


def done_figures(q: Question, entry: Entry) -> list[Figure]:
    """The figures of what was done (the table's 完成情况, in the year asked when one is) that answer a
    question asking a count reached; none for one reached "今年" or "现在", which the plan cannot have."""
    if not entry.indicator or q.achieved == "now":
        return []
    return [f for f in entry.indicator.figures if f.label.startswith(DONE) and f.value is not None
            and (not q.years or f.year in q.years)]


def _says(clause: str, units: list[Unit]) -> bool:
    return any(any(len(a) >= 2 and a in clause for a in u.alternatives) for u in units)


def _share(scores: np.ndarray) -> np.ndarray:
    """Scores as shares of the best one (all zeros stay zeros)."""
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores


def _known_years(index: PolicyIndex) -> set[int]:
    """Years the documents plan for: those in the tables and the body (not in a preamble's citations)."""
    years: set[int] = set()
    for entry, text in zip(index.entries, index.texts, strict=False):
        if entry.indicator:
            years.update(f.year for f in entry.indicator.figures)
        elif entry.passage and entry.passage.ref:
            years.update(int(y) for y in _YEAR_IN_TEXT.findall(text))
    return years

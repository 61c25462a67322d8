"""Writing the reply: the sentences or figures that answer, the citation, or an honest "not covered"."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources

from knowledge.policy import conditions
from knowledge.policy.document import Figure, Indicator, Passage
from knowledge.policy.index import Entry
from knowledge.policy.matching import COUNTY_TOTAL, DATED, done_figures
from knowledge.policy.query import Question
from knowledge.text import arabize_counts as _arabize

NOT_COVERED = "这个问题方案里没有提到。"
HINT = "我能回答县里就业创业方案里的事，比如招聘会时间、零工、创业贷款、老年人和大学生就业帮扶、欠薪维权。"
HOTLINE = "别的问题请打12333人社服务热线问一问。"
LONG_SENTENCE = 70  # longer sentences are cut down to the clauses that answer
EXCERPT_BUDGET = 80
DEFINITION_BUDGET = 110  # "是什么" questions read on a little further
OPENING_CLAUSE = 30
SHORT_SENTENCE = 25  # a sentence this short ("坚持市场主导、政府调控。") gets the next one too
PART_SHARE = 0.5
GENERIC_WEIGHT = 0.3  # a vague word ("就业", "年") still tips a tie between sentences
_DATE = re.compile(r"\d{4}年|\d+月|\d+日|每月|每周")
_DEFINITION = re.compile(r"是什么|是啥|干啥|干嘛|意思|怎么回事|是指|指什么|指的是|有哪些|哪几")
_CLAUSE_END = re.compile(r"(?<=[,:])")
_CLAUSE_SPLIT = re.compile(r"[,;。:]")
_VERB = re.compile(r"贷|借|领|拿|挣|补|给")
_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.年])")  # a figure, not a year
arabize_counts = lru_cache(maxsize=4096)(_arabize)  # the same plan sentences are read again and again
LEAD_CLAUSE = 45  # a clause of the plan used as the plain answer is no longer than this
ANSWER_BUDGET = 145  # characters before the 出处 line: what an older reader takes in at once
MIN_QUOTE = 16  # the plan's words are quoted only when at least this much of them fits


@dataclass(frozen=True)
class Citation:
    ref: str  # "二、(三) 8"
    title: str  # "加大创业扶持力度"
    text: str  # the quoted sentences
    departments: list[str] = field(default_factory=list)  # lead department first

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    # For the chat only (not in the JSON): the how-to topic answered and the live data it is
    # about ("fairs", "course_fees", "cases"), and next steps to offer.
    topic: str = ""
    live: str = ""
    next_steps: tuple[str, ...] = ()
    # each cited entry as (the plain answer, the plan's words quoted, 出处 and 责任单位): the chat
    # puts the quotes last, so that a reply cut for length keeps the answer and its source
    parts: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict:
        return {"answered": self.answered, "answer": self.answer, "citations": [c.to_dict() for c in self.citations]}

    def sources_first(self) -> list[str]:
        """The answer as messages for a short reply: the plain answers with their sources, then
        the plan's own words ("原文：…"), which a reply cut for length can leave for later."""
        if not self.parts:
            return [self.answer]
        heads = "\n\n".join(f"{lead}\n{source}" for lead, _, source in self.parts)
        quotes = "\n".join(quote for _, quote, _ in self.parts if quote)
        return [heads, f"原文：{quotes}"] if quotes else [heads]


def not_covered(missing_years: tuple[int, ...] = ()) -> Answer:
    first = NOT_COVERED
    if missing_years:
        first += "方案里没有" + "、".join(f"{y}年" for y in missing_years) + "的数字。"
    return Answer(False, f"{first}\n{HINT}{HOTLINE}")


def reply(q: Question, entries: list[Entry], weights: dict[str, float], partial: str = "") -> Answer:
    """The reply for the chosen entries: for each, a plain sentence that answers, the plan's own
    words that support it (cut to what answers), then where it comes from and who is in charge.

    weights tells how much each content unit of the question counts when choosing sentences;
    partial says what the plan lacks of what was asked (Verdict.partial): the first entry's lead says so.
    """
    blocks: list[str] = []
    citations, parts = [], []
    for n, entry in enumerate(entries):
        if entry.indicator:
            citation = _figures(q, entry)
            text = lead = citation.text
            quoted = False
        else:
            lead = _PARTIAL_LEADS[partial](q, entry, weights) if partial and n == 0 else _lead(q, entry, weights)
            budget = ANSWER_BUDGET - len(lead)
            citation = _sentences(q, entry, weights, max(budget, MIN_QUOTE))
            citation = replace(citation, text=_fit(citation.text, max(budget, MIN_QUOTE)))
            # a long plain answer stands alone, and so does a measure's line stating the table's figure just given
            again = bool(n and entries[0].indicator and set(_FIGURE.findall(lead)) & set(_FIGURE.findall(blocks[0])))
            quoted = budget >= MIN_QUOTE and citation.text not in lead and not again
            text = f"{lead}\n{citation.text}" if quoted else lead
        citations.append(citation)
        source = _source_line(entry, citation.departments)
        blocks.append(f"{text}\n{source}")
        parts.append((lead, citation.text if quoted else "", source))
    return Answer(True, "\n\n".join(blocks), citations, parts=tuple(parts))


WHO_NAMED = 3  # departments named in the answer to "归哪个部门管"; the 责任单位 line has them all


def _lead(q: Question, entry: Entry, weights: dict[str, float]) -> str:
    """One plain sentence first: "有。" or "能。" when that was asked, "找…" for who to ask; then
    the figure or day asked for, or the measure in everyday words, or, when those words do not
    touch what was asked (a detail of a long measure), the clause of the plan that does."""
    passage = entry.passage
    assert passage is not None
    rank = _Ranker(q, weights)
    split = [_CLAUSE_SPLIT.split(s) for s in passage.sentences]
    clauses = [c for s in split for c in (_with_time(s) if q.wants_date else s) if 4 <= len(c) <= LEAD_CLAUSE]
    gist = plain_words().get(arabize_counts(passage.title), "")
    if q.wants_number or q.wants_date:
        giving = [c for c in clauses if rank.gives(c) and rank.says(c)] or _told_then_given(passage.sentences, rank)
        gist = f"{max(giving, key=lambda c: (rank.dated(c, passage.sentences), rank.relevance(c)))}。" \
            if giving else gist
    elif not rank.says(gist):
        best = max(clauses, key=rank.relevance, default="")
        gist = f"方案里写着：{best}。" if rank.says(best) else gist
    gist = gist or f"方案里有这一条：{passage.title}。"
    if q.asks == "who" and passage.departments:  # the lead department first, as the plan lists them
        named = "、".join(arabize_counts(d) for d in passage.departments[:WHO_NAMED])
        return f"找{named}{'等' if len(passage.departments) > WHO_NAMED else ''}。{gist}"
    # "有。"/"能。" only when the plan says what the asking clause names: "村里想搞个民宿，县里有人来教不"
    # finds the plan's line on tourism, which says nothing of anyone coming to teach.
    asked = {u.text for u in q.units if u.text in q.asked} & rank.matched(" ".join(passage.sentences))
    sure = bool(asked & rank.telling)
    # "招聘会能拿出多少岗位": the figure answers, not a "能"
    can = "" if q.wants_number else "能。"
    # "我65了还能贷款吗": a "能" for the asker only when the plan speaks of what they say of themselves
    if q.asks == "can" and not q.joined \
            and (unsaid := conditions.unspoken(q.text, passage.title + "".join(passage.sentences))):
        ask = arabize_counts(passage.departments[0]) if passage.departments else "县人力社保局"
        return conditions.caveat(unsaid, ask) + gist
    return ({"yes": "有。", "can": can}.get(q.asks, "") if sure else "") + gist


# "到2025年,全县茶园面积稳定在10万亩左右,龙顶茶产值突破21亿元": a sentence's opening clause that is
# only a time holds for each clause after it (what a "when" question needs in its answer)
_ONLY_TIME = re.compile(r"(?:到|至|在)?\d{4}年(?:底|末|前|起)?")


def _with_time(clauses: list[str]) -> list[str]:
    """The clauses of a sentence, the time it opens with said with each of the others."""
    if len(clauses) > 1 and _ONLY_TIME.fullmatch(clauses[0]):
        return [f"{clauses[0]},{c}" for c in clauses[1:] if c]
    return clauses


def _told_then_given(sentences: tuple[str, ...], rank: _Ranker) -> list[str]:
    """Two clauses of a sentence, the first saying what was asked and the next giving its figure
    ("持续实施林下经济增收帮扶工程,助力提升12个行政村造血功能")."""
    found = []
    for sentence in sentences:
        clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c]
        for said, after in zip(clauses, clauses[1:], strict=False):
            if rank.says(said) and not rank.gives(said) and rank.gives(after) \
                    and len(said) + len(after) < 2 * LEAD_CLAUSE:
                found.append(f"{said},{after}")
    return found


def _fit(text: str, budget: int) -> str:
    """The text cut at the last clause that fits in budget characters, marked "……" where cut."""
    if len(text) <= budget:
        return text
    cut = max(text.rfind(mark, 0, budget - 1) for mark in ",;。")
    return text[:cut].rstrip(",;") + "……" if cut > 0 else text[: budget - 1] + "……"


def _office(passage: Passage) -> str:
    """Whom to ask about what the plan leaves out: the measure's lead department."""
    return arabize_counts(passage.departments[0]) if passage.departments else "县人力社保局"


def _partial_lead(q: Question, entry: Entry, weights: dict[str, float]) -> str:
    """ "方案只写了全县的总数（每年提供创业担保贷款2100万以上），没写每个人能贷多少。…" """
    passage = entry.passage
    assert passage is not None
    rank = _Ranker(q, {})
    clauses = [c.strip() for s in passage.sentences for c in _CLAUSE_SPLIT.split(arabize_counts(s))]
    totals = [c for c in clauses if COUNTY_TOTAL.search(c) and q.figure.search(c)]
    figure = next((c for c in totals if rank.matched(c)), totals[0] if totals else "")
    verb = m.group(0) if (m := _VERB.search(q.text)) else "得到"
    office = _office(passage)
    return f"方案只写了全县的总数（{figure}），没写每个人能{verb}多少。具体请问{office}，或打12333。"


def _undated_lead(q: Question, entry: Entry, weights: dict[str, float]) -> str:
    """ "方案没写具体哪天，只写了：每年完成市县联动“人才周”活动2场。…": the clause that says most of
    what was asked, when it tells how often or which year; else the plain answer after "方案没写具体哪天。"."""
    passage = entry.passage
    assert passage is not None
    rank = _Ranker(q, weights)
    clauses = [c.strip() for s in passage.sentences for c in _CLAUSE_SPLIT.split(s)]
    best = max(clauses, key=lambda c: len(rank.matched(c)), default="")
    office = _office(passage)
    said = f"只写了：{best}。" if DATED.search(best) else _lead(q, entry, weights)
    return f"方案没写具体哪天，{said}具体时间请问{office}，或打12333。"


def _town_lead(q: Question, entry: Entry, weights: dict[str, float]) -> str:
    """ "方案没写到杨林镇，写的是全县：全县建成“残疾人之家”22家以上。…": the clause that says most of
    what was asked, for the whole county."""
    passage = entry.passage
    assert passage is not None
    rank = _Ranker(q, weights)
    clauses = [c.strip() for s in passage.sentences for c in _CLAUSE_SPLIT.split(s) if len(c) <= LEAD_CLAUSE]
    if q.wants_number:  # "马金镇公益性岗位有几个": the county's figure
        clauses = [c for c in clauses if re.search(r"\d", c)] or clauses
    best = max(clauses, key=rank.relevance, default="")
    office = _office(passage)
    said = f"{best}。" if rank.says(best) else _lead(q, entry, weights)
    return f"方案没写到{q.towns[0]}，写的是全县：{said}{q.towns[0]}的情况请问{office}，或打12333。"


_PARTIAL_LEADS = {"personal": _partial_lead, "day": _undated_lead, "town": _town_lead}


@cache
def plain_words() -> dict[str, str]:
    """Each measure of the shipped plan said in everyday words, by its title."""
    data = json.loads(resources.files("knowledge").joinpath("data", "policy_plain.json").read_text("utf-8"))
    return {arabize_counts(title): text for title, text in data["plain"].items()}


def _source_line(entry: Entry, departments: list[str] | tuple[str, ...]) -> str:
    cited = entry.document.cited_as
    line = f"出处：{cited}{'' if cited.endswith('》') else ' '}{_place(entry)}"
    if departments:
        lead, *others = departments
        line += "\n责任单位：" + "、".join([f"{lead}（牵头）" if others else lead, *others])
    return line


def _place(entry: Entry) -> str:
    """ "二、(四) 第13条 帮扶低龄老年人再就业", "一、(三) 基本原则", "一、(四) 指标体系 主要指标表"."""
    if entry.indicator and entry.table:
        return f"{entry.ref} {entry.table.section_title} 主要指标表"
    measure = entry.passage.measure if entry.passage else None
    if measure is not None:
        return f"{entry.ref.removesuffix(str(measure)).strip()} 第{measure}条 {entry.title}".strip()
    return f"{entry.ref} {entry.title}".strip()


def _sentences(q: Question, entry: Entry, weights: dict[str, float], budget: int) -> Citation:
    """The sentence that answers best, plus one more when it answers another part or is too short
    alone and there is room for it within budget characters."""
    passage = entry.passage
    assert passage is not None
    sentences = passage.sentences
    rank = _Ranker(q, weights)
    best = max(range(len(sentences)), key=lambda i: rank.key(sentences[i], i))
    said = rank.matched(sentences[best])
    others = sorted(
        (i for i in range(len(sentences)) if i != best), key=lambda i: rank.key(sentences[i], i), reverse=True
    )
    extra = next((i for i in others if rank.matched(sentences[i]) - said), None)
    if extra is None and len(sentences[best]) < SHORT_SENTENCE and best + 1 < len(sentences):
        extra = best + 1
    first = _excerpt(sentences[best], rank, budget)
    text = first
    if extra is not None:
        second = _excerpt(sentences[extra], rank, budget - len(first))
        if len(first) + len(second) <= budget:
            text = first + second if extra > best else second + first
    return Citation(entry.ref, passage.title, text, list(passage.departments))


class _Ranker:
    """Orders sentences and clauses: a figure first when a number is asked, then how much they say."""

    def __init__(self, q: Question, weights: dict[str, float]):
        self.q = q
        self.weights = {u.text: weights.get(u.text, GENERIC_WEIGHT) for u in q.units}
        self.telling = set(weights)  # the units that show what is asked

    def matched(self, text: str) -> set[str]:
        search = arabize_counts(text)
        return {u.text for u in self.q.units if any(a in search for a in u.alternatives)}

    def says(self, text: str) -> bool:
        """Whether the text says something asked about, beyond vague words ("县里", "就业")."""
        return bool(self.matched(text) & self.telling)

    def gives(self, text: str) -> bool:
        """Whether the text has the kind of thing asked: a figure or a day."""
        search = arabize_counts(text)
        return (self.q.wants_number and bool(self.q.figure.search(search))) or (
            self.q.wants_date and bool(_DATE.search(search))
        )

    def dated(self, text: str, sentences: tuple[str, ...] = ()) -> bool:
        """Whether the text, or the sentence of these it is part of, names a year asked ("到2025年底,
        形成…,年旅游人次达350万" answers "2025年来多少游客", the 2023 figure before it does not)."""
        years = [f"{y}年" for y in self.q.years]
        around = [arabize_counts(s) for s in sentences if text in s] or [arabize_counts(text)]
        return any(y in s for y in years for s in around)

    def relevance(self, text: str) -> float:
        """Weights of the question's words the text says; a word said only in parts counts partly."""
        search = arabize_counts(text)
        said = self.matched(text)
        # in the question's order, not the set's: a float sum in another order can break a tie otherwise
        score = sum(self.weights[u.text] for u in self.q.units if u.text in said)
        for u in self.q.units:
            if u.text not in said and u.parts:
                share = sum(part in search for part in u.parts) / len(u.parts)
                score += self.weights[u.text] * PART_SHARE * share
        return score

    def key(self, text: str, position: int) -> tuple[bool, bool, bool, float, int]:
        """Sort key: gives what was asked (a figure, a date) and something asked about; then gives it
        (a question in other words than the plan's, "县里一年帮多少个上了年纪的人", still wants the
        figure); then the year asked; then relevance."""
        relevance = self.relevance(text)
        gives = self.gives(text)
        return gives and relevance > 0, gives, self.dated(text), relevance, -position


def _excerpt(sentence: str, rank: _Ranker, budget: int) -> str:
    """A long sentence cut down to the clauses that answer, best first, within a length budget.

    Clauses that say nothing asked are left out and marked "……"; the opening clause (which
    usually names the subject) is kept in front. A "what is it" question reads on from the best clause.
    """
    if len(sentence) <= min(LONG_SENTENCE, budget):
        return sentence
    clauses = [c for c in _CLAUSE_END.split(sentence) if c]
    relevance = [rank.relevance(c) for c in clauses]
    order = sorted(range(len(clauses)), key=lambda i: rank.key(clauses[i], i), reverse=True)
    fill = not any(relevance) or bool(_DEFINITION.search(rank.q.text))
    if fill:
        order = list(range(order[0], len(clauses)))
    budget = min(DEFINITION_BUDGET if fill else EXCERPT_BUDGET, max(budget, OPENING_CLAUSE))
    kept: set[int] = set()
    for i in order:
        size = sum(len(clauses[k]) for k in kept)
        fits = size + len(clauses[i]) <= budget
        if not kept or (fits and (relevance[i] or fill or size < 25)):
            kept.add(i)
    if len(clauses[0]) <= OPENING_CLAUSE:
        kept.add(0)
    text, last = "", None
    for i in sorted(kept):
        if last is not None and i > last + 1:
            text = text.rstrip(",:") + "……"
        text += clauses[i]
        last = i
    text = text.rstrip(",:")
    return text if text.endswith(("。", ";", "!", "?")) else text + "。"


def _figures(q: Question, entry: Entry) -> Citation:
    indicator = entry.indicator
    assert indicator is not None
    asked = done_figures(q, entry) if q.achieved else [f for y in q.years if (f := indicator.figure(y))]
    if asked:
        text = "".join(_one_figure(indicator, f) for f in asked)
    else:
        text = _all_figures(indicator)
    return Citation(entry.ref, entry.title, text, [])


def _amount(figure: Figure, unit: str) -> str:
    """ "6300人", "5%以下" (as the plan words its "<5"), "累计4个"."""
    bound = {"<": "以下", ">": "以上"}.get(figure.text[:1], "")
    amount = figure.text.lstrip("<>") + unit + bound
    return f"累计{amount}" if figure.cumulative else amount


def _one_figure(indicator: Indicator, figure: Figure) -> str:
    """ "2024年城镇新增就业人数目标是6300人。" """
    if figure.text == "/":
        return f"{figure.year}年{indicator.name}{figure.label}：表里没有填数字。"
    verb = "完成了" if "完成" in figure.label else f"{figure.label}是"
    return f"{figure.year}年{indicator.name}{verb}{_amount(figure, indicator.unit)}。"


def _all_figures(indicator: Indicator) -> str:
    """ "城镇新增就业人数：2022年完成6150人；2023年目标6200人，2024年目标6300人。" """
    by_label: dict[str, list[str]] = {}
    for f in indicator.figures:
        label = "完成" if "完成" in f.label else f.label
        said = "没有填数字" if f.text == "/" else label + _amount(f, indicator.unit)
        by_label.setdefault(label, []).append(f"{f.year}年{said}")
    return f"{indicator.name}：" + "；".join("，".join(parts) for parts in by_label.values()) + "。"

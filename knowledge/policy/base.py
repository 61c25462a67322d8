"""The policy knowledge base: loads the shipped plan and any added documents, answers questions."""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from knowledge.model_cache import cache_folder
from knowledge.places import gazetteer
from knowledge.policy import conditions
from knowledge.policy.answer import Answer, Citation, not_covered, reply
from knowledge.policy.document import PolicyDocument, parse_document, read_text
from knowledge.policy.expand import Expander
from knowledge.policy.howto import HOWTO_REF, HowTo, HowToTable, worded
from knowledge.policy.index import Entry, PolicyIndex
from knowledge.policy.learned import (
    NONE,
    OTHER,
    plan_examples,
    question_examples,
    shipped_questions,
    trained,
)
from knowledge.policy.lexicon import Lexicon, Speller, document_terms, title_nouns
from knowledge.policy.matching import Matcher, Verdict
from knowledge.policy.query import ASKING, Question, QuestionReader, meant, split_clauses
from knowledge.policy.sums import stated, unheard_of
from knowledge.text import arabize, arabize_counts, compact
from knowledge.tokenizer import Tokenizer

log = logging.getLogger(__name__)

SHIPPED_DOCUMENT = "kaihua-employment-plan-2023.txt"
# A measure cited by its number, as the answers' 出处 name it ("第15条", "十五条那个", "8条说的"), in
# a question that names no other paper ("新乡贤礼遇十条第三条")
_CITED = re.compile(r"第(\d{1,2})条|(?<!\d)(\d{1,2})条(?=那|讲|说|里|写|是|的|措施|政策)")
_OTHER_PAPER = re.compile(r"十条|《|文件|条例|法")
# Words that start a second question in the same message ("…，还有欠工资的找谁").
_SECOND_QUESTION = re.compile(r"[，,；;。？?！!\s]*(?:还有|另外|再问一下|再问|顺便问一下|顺便问)")
MIN_PART = 4
_GOING_ON = re.compile(r"(?:然后|那么|接着)呢$")  # "…我们华埠那个对吧然后呢": talk going on, not a question
COMMON = 20_000  # jieba's count of a word too common to have synonyms worth adding ("时候", "地方")
ANSWERS_KEPT = 4096  # villagers ask the same few things; an answer depends on the question alone
# Why retrieval found no answer, when the learned guess may still find the measure: the question's
# words are not the plan's, or only its vague ones ("县里今年要帮多少人找到工作"). A year, place or outside
# topic the plan lacks stays not covered.
GUESSABLE = frozenset({"low coverage", "no match", "no figure or date", "empty"})
# How far the guessed measure must stand above "the plan does not answer" (cross-validated by set:
# 0.1 to 0.3 give the same results, benchmarks/policy_learn_cv.py).
SURE = 0.2
# How far "the plan does not answer this" must stand above every measure in the classifier for an
# answer that retrieval found to be withheld (cross-validated by set: 0.4 kept all but one right
# answer in 1044 and turned 8 of 299 wrong answers into honest ones; 0.0 costs 20 right answers.
# On 21 sets, 3,353 answerable and 1,230 not: 0.4, 0.3, 0.2, 0.0 give 88.2, 88.1, 88.0, 87.5 % right
# and 89.3, 89.8, 90.2, 91.3 % honest. 0.4 is kept: below it the veto withholds what a plain "what is there
# for me" question is due ("大学生回来有什么补贴" → the help each returning graduate gets, 第14条).
DOUBT = 0.4
# How far the guess's likeliest measure must stand above the one retrieval chose to answer from it
# instead (cross-validated by set on 14 dev sets: 0.5 to 0.8 give 89.2 to 88.9 % right, no honest
# answer lost; on the first 11 sets 0.65 to 0.8 did best; on 18 sets 0.6 and 0.7 give 88.2 and
# 88.1 %). 0.7: at 0.6 a retired soldier's "退下来" read as a retiree's (measure 13).
OVERRULE = 0.7
# How far the plan's other parts (a table row, a safeguard) must stand above "the plan does not answer"
# for the one retrieval ranks first among them to answer: they are many, and a guess of them says
# less (cross-validated by set without the checks of the row or passage: at 0.2, 14 more right answers
# cost 8 honest ones).
OTHER_SURE = 1.0
# How far the learned how-to guess must lead "not about the bot" to answer with a topic the table's
# words missed.
HOWTO_SURE = 0.3
HOWTO_OVERRULE = 1.0  # ... and to be taken over the topic the table's words found
HOWTO_YIELD = 1.0  # how far the measure classifier must lead to keep a worded question for the plan
# How far the learned how-to guess must place a worded question among those about anything but the bot
# for the topic the table's words found to be dropped ("结婚登记要带什么材料" is no 登记 here). Left out one
# set at a time (seven recent dev sets, 131 questions the words placed): 1.5 dropped 10 wrong topics and
# no right one; 1.0 dropped 11 and 1 right one. The sets call "育婴员培训要交多少钱" not covered by the
# plan; the course list knows, so topics with live data are kept.
HOWTO_DOUBT = 1.5
# The margin a second measure needs for a question of one clause to be answered from it too: the
# classifier, one label against the rest, takes the question to be about it as well ("老人干活工伤",
# "贷款和培训"). On three sets first run before it learned from them, 790 questions: 0.0 answered 6 of 36
# two-topic questions in full and added a second measure to 1 question of one topic; -0.2 gave 10 and 7.
ALSO = 0.0
# How plainly a part of a two-part question must read like what the plan answers for its answer to
# stand when the whole question reads like what it does not (on the dev halves, 2,120 answerable and 743
# not: -1.0 gave 3 more right answers and lost no honest one; -0.5 and 0.0 lost 3 and 6 honest ones).
PART_SURE = -1.0


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    passages: int  # passages plus indicator rows
    source: str


class PolicyBase:
    """Answers policy questions from the loaded documents; build it with `PolicyBase.load`."""

    def __init__(self, documents: list[PolicyDocument],
                 questions: Sequence[tuple[str, Sequence[str]]] | None = None):
        """questions: the labelled questions the measure classifier learns from (default: the shipped ones)."""
        self._documents = documents
        lexicon = Lexicon.shipped()
        tokenizer = self._tokenizer = Tokenizer()
        terms = _teach(tokenizer, lexicon, documents)
        entries = [
            *(Entry(d, passage=p) for d in documents for p in d.passages),
            *(Entry(d, table=t, indicator=i) for d in documents for t in d.tables for i in t.indicators),
        ]
        self._index = PolicyIndex(entries, tokenizer, lexicon.stopwords)
        self._howto = HowToTable.shipped()
        # Words of the story and vague words are no repair: "我想在村里" is not "我现在村里"; the
        # how-to's words are ("怎么退定").
        repairable = (terms - lexicon.stopwords - lexicon.generic) | self._howto.words
        speller = self._speller = Speller(repairable, tokenizer.knows, tokenizer.words,
                                          written=repairable - lexicon.spoken_phrases)
        skip = lexicon.stopwords | lexicon.generic
        expander = Expander(self._index.vocabulary, lambda w: w in skip or tokenizer.frequency(w) > COMMON)
        issued = re.search(r"〔(20\d\d)〕", documents[0].number)
        self._reader = QuestionReader(lexicon, speller, tokenizer, "\n".join(self._index.texts), expander,
                                      int(issued.group(1)) if issued else None)
        self._matcher = Matcher(self._index)
        # The shipped questions' classifier is kept between runs; one for other questions (a
        # cross-validation fold) is trained afresh.
        examples = plan_examples(documents[0]) + question_examples(shipped_questions() if questions is None
                                                                   else questions)
        # The classifier reads a phrase the lexicon's patterns know as the plan's term, as retrieval does
        # ("当了几年兵退下来了" is a 退役军人, whatever "退下来" says of retirees in the examples).
        self._lexicon = lexicon
        folder = cache_folder() if questions is None else None
        self._guesser = trained(examples, tokenizer.words, folder, tokenizer.signature(), form=self._canonical)
        # How people ask for the how-to topics, learned apart: the measure classifier keeps them as one label.
        self._howto_guesser = trained(self._howto.examples(shipped_questions() if questions is None else questions),
                                      tokenizer.words, folder, tokenizer.signature(), name="howto-guess")
        # The shipped plan's measures (what the classifier names) by number, as indices of entries.
        self._measures = {str(e.passage.measure): i for i, e in enumerate(self._index.entries)
                          if e.document is documents[0] and e.passage and e.passage.measure is not None}
        self._labels = [self._label(e) for e in self._index.entries]
        self._others = [i for i, label in enumerate(self._labels) if label == OTHER]
        self._sums = stated("\n".join(self._index.texts))
        self._kept = lru_cache(maxsize=ANSWERS_KEPT)(self._ask)
        # one message is read whole, in parts and again to weigh its parts: each text is read once
        self._read = lru_cache(maxsize=ANSWERS_KEPT)(self._reader.read)
        self._how_to = lru_cache(maxsize=ANSWERS_KEPT)(self._find_how_to)  # handlers ask it before `ask`

    @classmethod
    def load(cls, store_dir: Path | None = None) -> PolicyBase:
        """The shipped plan plus every readable document in store_dir (unreadable ones are logged and skipped)."""
        shipped = _shipped_text()
        documents = [parse_document(shipped, source=SHIPPED_DOCUMENT)]
        seen = {_digest(shipped)}
        for path in _stored_files(store_dir):
            try:
                text = read_text(path)
                if _digest(text) in seen:
                    continue
                seen.add(_digest(text))
                documents.append(_checked(parse_document(text, source=path.name)))
            except ValueError as error:
                log.warning("skipping policy document %s: %s", path, error)
        return cls(documents)

    @property
    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(d.title, len(d.passages) + sum(len(t.indicators) for t in d.tables), d.source)
            for d in self._documents
        ]

    def about_the_bot(self, question: str) -> bool:
        """Whether the question is about using the bot (its how-to table answers it)."""
        return self._how_to(question) is not None

    def _find_how_to(self, question: str) -> HowTo | None:
        """The how-to topic the question fits, as typed or with its slips repaired, or else the one the
        learned guess is sure of (taken over theirs when far surer); none for a worded question the
        measure classifier firmly places in a measure of the plan, unless the learned guess agrees with
        the words."""
        found = self._howto.find(question)
        if not found:
            # spaces kept: "deng ji zen me nong" is pinyin typed word by word
            repaired = self._speller.correct(question)
            found = self._howto.find(repaired) if compact(repaired) != compact(question) else None
        if not worded(question) or (found and found.id == "register" and _REGISTER_ME.match(compact(question))):
            return found  # "帮我登记一下 我会刷墙打腻子": asked to be registered, whatever the work named
        # a topic answered from live data (courses' fees, fairs, cases) is kept: there the bot knows more than the plan
        if found and not found.live and self._howto_guesser.doubt(question) > HOWTO_DOUBT:
            found = None
        measure, plan_lead = self._guesser.guess(self._canonical(question))
        topic, lead = self._howto_guesser.guess(question)
        # only for a question or a wish: "快点快点，登记" is no question about 代家人登记
        asks = ASKING.search(compact(question)) or "想" in question
        guessed = self._howto.guessed(topic, question) if asks and lead > HOWTO_SURE else None
        if measure.isdigit() and plan_lead > HOWTO_YIELD and (not found or topic != found.id):
            return None  # "我想在手机上登记个零工 以后有活叫我": a request the plan's 智享用工 answers
        if measure != OTHER:
            guessed = None  # "啥时候有招聘会" is the plan's 第2条
        if found and guessed and guessed is not found and lead > HOWTO_OVERRULE:
            return guessed
        return found or guessed

    def ask(self, question: str) -> Answer:
        """The bot's own how-to when the question is about using it, else the documents' answer."""
        return self._kept(meant(question))

    def _ask(self, question: str) -> Answer:
        howto = self._how_to(question)
        if howto and howto.id.startswith("fair") and self._read(question).places:
            howto = None  # "常山县下个月有没有招聘会": another county's fairs, which the bot does not know
        if howto:
            return Answer(True, howto.answer, [Citation(HOWTO_REF, howto.title, howto.answer, [])],
                          topic=howto.id, live=howto.live)
        if unheard_of(question, self._sums):  # "听说公益岗一个月能拿两千五": a sum the plan never states
            log.debug("not covered (a sum heard of): %s", question)
            return not_covered()
        whole = self._answer(question)
        # "招聘会几号开，还有欠工资的找谁", "零工市场在哪里？打零工的受伤了怎么办": two questions,
        # each answered on its own; a clause that asks nothing is the story and is not answered alone.
        parts = [(part, self._answer(part)) for part in _questions(question)]
        answers = self._gathered([whole] if whole.answered else [], parts)
        if len(answers) == 1 and (also := self._also(question, answers[0])):
            answers.append(also)
        if answers and self._guesser.doubt(self._canonical(question)) > DOUBT and not self._cited(question):
            # Retrieval matched some of the plan's words, but the question as a whole reads like
            # those the plan does not answer ("养老金一个月能领多少", "隔壁县招聘会几号"). A part that
            # on its own reads plainly like what the plan answers keeps its answer ("招聘会每月几号？
            # 去的话要不要带身份证").
            whole = not_covered()
            answers = self._gathered([], [(part, answer) for part, answer in parts
                                          if self._guesser.doubt(self._canonical(part)) < PART_SURE])
            if not answers:
                log.debug("not covered (unlike what the plan answers): %s", question)
                return whole
        if answers and not whole.answered:
            # "招聘会几号开 进去要不要门票": the part the plan answers, and that it says nothing of the other
            whole = _untold(answers[0], [part for part, answer in parts if not answer.answered])
        return _joined(answers[:2]) if len(answers) > 1 else whole

    def _gathered(self, answers: list[Answer], parts: list[tuple[str, Answer]]) -> list[Answer]:
        """The answers given, then each part's answer that tells something they do not."""
        answers = list(answers)
        for part, answer in parts:
            if not answer.answered or (answers and self._said_in(part, answer, _told_by(answers[0], answer))):
                continue  # "…有没有见习的地方": the first answer already tells it
            if all(_lead_of(answer) != _lead_of(a) for a in answers):
                answers.append(answer)
        return answers

    def _also(self, question: str, first: Answer) -> Answer | None:
        """The answer from a second measure the classifier takes the question to be about as well,
        when it quotes nothing the first answer quotes."""
        q = self._read(question)
        margins = self._guesser.named_margins(self._canonical(q.text))
        others = sorted((m for m in self._measures if margins.get(m, ALSO) > ALSO), key=lambda m: -margins[m])
        quoted = {c.ref for c in first.citations}
        for measure in others:
            verdict = self._matcher.guessed(q, self._measures[measure])
            if not verdict.answered:
                continue
            answer = reply(q, verdict.entries, verdict.weights, verdict.partial)
            if not quoted & {c.ref for c in answer.citations}:
                return answer
        return None

    def _said_in(self, question: str, answer: Answer, text: str) -> bool:
        """Whether every thing the question names is already in the text, and the figure or day it
        asks for, as its own answer leads with it ("公益性岗位有多少个" is not told by a sentence that
        only names 公益性岗位)."""
        q = self._read(question)
        things = [u for u in q.content if u.kind == "thing"]
        if q.wants_number or q.wants_date:
            return _lead_of(answer)[1] in text
        return bool(things) and all(any(a in text for a in u.alternatives) for u in things)

    def _answer(self, question: str) -> Answer:
        q = self._read(question)
        margins = self._guesser.named_margins(self._canonical(q.text))
        verdict = self._matcher.judge(q, self._prior(margins))
        number = self._cited(question)
        by_number = self._matcher.guessed(q, self._measures[number]) if number else None
        if by_number and by_number.answered:  # "第十五条讲的啥": the measure its 出处 names
            verdict = by_number
        elif verdict.answered:
            verdict = self._overruled(q, verdict, margins)
        elif verdict.reason in GUESSABLE:
            verdict = self._guessed(q, verdict, margins)
        if not verdict.answered:
            log.debug("not covered (%s): %s", verdict.reason, question)
            return not_covered(verdict.missing_years)
        answer = reply(q, verdict.entries, verdict.weights, verdict.partial)
        if not q.request:
            return answer
        measures = [e.passage.measure for e in verdict.entries if e.passage and e.passage.measure]
        return replace(answer, next_steps=self._howto.next_steps(measures))

    def _cited(self, question: str) -> str | None:
        """The measure the question cites by its number (one number only), when the plan has it."""
        numbers = {a or b for a, b in _CITED.findall(arabize(question))}
        number = numbers.pop() if len(numbers) == 1 and not _OTHER_PAPER.search(question) else None
        return number if number in self._measures else None

    def _canonical(self, text: str) -> str:
        return self._lexicon.patterned(arabize_counts(text))

    def _label(self, entry: Entry) -> str:
        """The learned guess's label for an entry: its measure, OTHER for the rest of the shipped
        plan, "" for other documents' entries (which the guess knows nothing of)."""
        if entry.document is not self._documents[0]:
            return ""
        return str(entry.passage.measure) if entry.passage and entry.passage.measure is not None else OTHER

    def _prior(self, margins: dict[str, float]) -> np.ndarray:
        """Each entry's margin in the learned guess, less the best one's (a measure of the shipped
        plan by its label, its other passages and table rows as OTHER), 0 for other documents' entries
        and for every entry when NONE leads."""
        best = max(m for label, m in margins.items() if label != NONE)
        prior = np.zeros(len(self._index.entries))
        if best < margins[NONE]:  # it reads like no measure: it has no say in which one
            return prior
        for i, label in enumerate(self._labels):
            if label:
                prior[i] = margins[label] - best
        return prior

    def _overruled(self, q: Question, verdict: Verdict, margins: dict[str, float]) -> Verdict:
        """The measure the learned guess prefers by far to the passage retrieval chose, when it
        answers; a table row chosen for a figure stands."""
        first = verdict.entries[0]
        if first.indicator or first.document is not self._documents[0]:
            return verdict
        label = max(margins, key=margins.__getitem__)
        chosen = max(margins.get(self._label(e), -math.inf) for e in verdict.entries)
        if label not in self._measures or margins[label] - chosen < OVERRULE or margins[label] - margins[NONE] < SURE:
            return verdict
        guessed = self._matcher.guessed(q, self._measures[label])
        return guessed if guessed.answered else verdict

    def _guessed(self, q: Question, verdict: Verdict, margins: dict[str, float]) -> Verdict:
        """The measure the learned classifier is sure of, when the plan's words were not used; when it is
        sure of the plan's other parts, the one of them retrieval ranks first."""
        label = max(margins, key=margins.__getitem__)
        if margins[label] - margins[NONE] < SURE:
            return verdict
        if label == OTHER:
            return self._matcher.likeliest(q, self._others) if margins[label] - margins[NONE] >= OTHER_SURE else verdict
        if label not in self._measures:
            return verdict
        return self._matcher.guessed(q, self._measures[label])


def _questions(question: str) -> list[str]:
    """The parts of a message that each ask a question of their own; none when it is one question."""
    parts = [p for p in _SECOND_QUESTION.split(question) if len(compact(p)) >= MIN_PART]
    if len(parts) > 1:
        return parts
    # A message of several clauses may hold several questions.
    clauses = [c for c in split_clauses(question) if len(compact(c)) >= MIN_PART]
    asking = [c for c in clauses if ASKING.search(_GOING_ON.sub("", compact(c)))]
    return asking if len(asking) > 1 else []


def _untold(answer: Answer, parts: list[str]) -> Answer:
    """The answer with what the plan does not say of the other parts of the question said after its lead."""
    if not parts or not answer.parts:
        return answer
    lead, quote, source = answer.parts[0]
    said = f"{lead}“{'、'.join(compact(p) for p in parts)}”方案里没有写。"
    return replace(answer, answer=answer.answer.replace(lead, said, 1),
                   parts=((said, quote, source), *answer.parts[1:]))


def _joined(answers: list[Answer]) -> Answer:
    return Answer(
        True,
        "\n\n".join(a.answer for a in answers),
        [c for a in answers for c in a.citations],
        parts=tuple(p for a in answers for p in a.parts),
        next_steps=tuple(dict.fromkeys(s for a in answers for s in a.next_steps)),
    )


def add_document(path: Path | str, store_dir: Path | str) -> str:
    """Copy a policy document into store_dir after checking it parses; returns its title.

    Adding the same text again (or the shipped plan) copies nothing. Raises ValueError when the
    file cannot be read or holds no passage.
    """
    path, store_dir = Path(path), Path(store_dir)
    if not path.is_file():
        raise ValueError(f"找不到文件 / file not found: {path}")
    text = read_text(path)
    document = _checked(parse_document(text, source=path.name))
    digest = _digest(text)
    if digest == _digest(_shipped_text()) or any(_digest(read_text(p)) == digest for p in _stored_files(store_dir)):
        return document.title
    store_dir.mkdir(parents=True, exist_ok=True)
    target = store_dir / path.name
    if target.exists():
        target = store_dir / f"{path.stem}-{digest[:8]}{path.suffix}"
    target.write_text(text, "utf-8")
    return document.title


def _teach(tokenizer: Tokenizer, lexicon: Lexicon, documents: list[PolicyDocument]) -> set[str]:
    """Add the domain words, synonyms and the documents' own terms to the tokenizer; returns them all."""
    tokenizer.add_words(_county_places() | lexicon.places, tag="ns")
    terms = set(lexicon.words) | lexicon.synonym_words
    for document in documents:
        terms |= document_terms(document)
    tokenizer.add_words(terms)
    # Title phrases are found with the terms above already known, so none of them is swallowed.
    for document in documents:
        terms |= title_nouns(document, tokenizer.tagged, terms)
    tokenizer.add_words(terms)
    return terms


def _county_places() -> set[str]:
    """The county's towns (full and short names) and villages, so that jieba keeps them whole."""
    towns = gazetteer().towns
    return {name for t in towns for name in (t.name, t.short, *t.villages)}


def _shipped_text() -> str:
    return resources.files("knowledge").joinpath("data", SHIPPED_DOCUMENT).read_text("utf-8")


def _checked(document: PolicyDocument) -> PolicyDocument:
    if not any(p.ref for p in document.passages) and not document.tables:
        raise ValueError(f"《{document.title}》里没有找到带标题的条款或段落 / no measure or section passage found")
    return document


def _stored_files(store_dir: Path | None) -> list[Path]:
    if store_dir is None or not store_dir.is_dir():
        return []
    return sorted(p for p in store_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _told_by(first: Answer, other: Answer) -> str:
    """What the first answer tells of another's topic: all of it when both cite the same measure, else
    its plain lead (a line of the plan quoted only in passing, "再就业低龄老年人" beside 工伤保险, does
    not answer "老人能找活不")."""
    same = {c.ref for c in first.citations} & {c.ref for c in other.citations}
    return first.answer if same else "\n".join(lead for lead, _, _ in first.parts) or first.answer


_REGISTER_ME = re.compile(r"^(?:请|麻烦你?)?(?:帮|给)我(?:登记|注册)|^我要(?:登记|注册)")


def _lead_of(answer: Answer) -> tuple[str, str]:
    """What an answer cites first and the plain sentence it leads with: two parts of a message that
    ask two things of one measure ("公益性岗位有多少个？残疾人之家要建几家？") are each answered."""
    return answer.citations[0].ref, conditions.without_caveat(answer.parts[0][0] if answer.parts else answer.answer)

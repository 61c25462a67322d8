"""A learned guess at the kind of work an answer describes by what the person did ("养猪场打扫猪栏",
"拍照上架发货"), for answers in which the rule reader (knowledge/taxonomy.py) reads nothing at all,
and a learned doubt of the skills the rules read.

One linear classifier per skill (that skill against the rest) over character 1–3-grams and jieba's
words, trained at first use on the options' own words (taxonomy.json, answer_words.json) and on
labelled answers of the dev sets (skill_examples.jsonl, written by benchmarks/skill_guess.py, where
answers to the other registration questions stand for answers that name no work). It guesses only
the skills whose margin is at least SURE; benchmarks/skill_guess.py measures it set by set, each
left out of the training.
"""

from __future__ import annotations

import re
from functools import cache

from knowledge import taxonomy
from knowledge.corrections import settle
from knowledge.learned import Example, Guesser, option_examples, shipped_guesser
from knowledge.spelling import in_characters
from knowledge.taxonomy import UNLISTED, Reading
from knowledge.text import THEN_NOW

SURE = 0.2  # the margin a skill needs to be guessed (benchmarks/skill_guess.py: at 0.0, 10 guesses, none right)
# A skill the rules read that the classifier is this sure against is dropped when it is SURE_OF_ONE
# sure of some skill ("搞电商，拼多多开店": 电商, not also 营业员; "物流园装卸车": 搬运, not 驾驶员).
# Measured on five free-answer sets as read by the rules of the day before each set was seen (their
# misreadings of unseen wordings), the guesser trained without the set: 14 misreadings fixed, none
# broken (when only one of several read could be doubted, at -0.6: 6); left one set out
# (benchmarks/skill_guess.py) rules + guess 2096 → 2099 of 2124 (6 fixed, 3 broken)
DOUBTED, SURE_OF_ONE = -0.4, 0.5


# "以前做泥工，现在手抖了，只能做点手工活", "年轻时候开货车…现在不敢开了，在家种菜": the work of the
# past, then why it can no longer be done; the work of now is the answer ("以前开挖机，现在想做保安" keeps both)
_CANNOT = re.compile(r"手抖|眼睛|腰|背驼|驼背|腿脚|关节|不敢|不让[开干做]|[干做烧站搬开扛挑爬]不[动了上]|看不清|吃不消"
                     r"|早?不[养做干开弄搞]了"
                     r"|身体不好|出不去|不能再")

# "在砖厂烧了十来年窑，砖厂关了，现在在家种地": the workplace closed, and what one does now
_CLOSED = r"[厂店场]子?(?:关了|关门了|倒了|倒闭了?|散了|拆了)"
_CLOSED_THEN_NOW = re.compile(_CLOSED + r".*?(?:现在|如今|这几年|眼下|目前)(.+)$")
_OCCASION = re.compile(r"红白喜事|白事|喜事|办酒席?|酒席")
_NUMERALS = "一二三四五六七八九"
# "一三六", "一二三都会 三算了": options typed as numerals without a break, alone or before 都/也
_RUN_OF_NUMERALS = re.compile(f"^([{_NUMERALS}]{{2,4}})(?=[都也\\s,，。]|$)")
# "以前做过出纳，现在只想找点手工活", "现在就拿锄头挖挖地": what one does now, said as the only thing
_ONLY = re.compile(r"只[能想做会干找接]|^[我俺]?就")


def taxonomy_examples() -> list[Example]:
    """The options' own words, the sayings and the concept words (a verb with each of its objects),
    each as a short answer naming its skill; a trade with no option names none."""
    options = taxonomy.skills()
    words = taxonomy.answer_words()["skills"]

    def codes(code: str) -> tuple[str, ...]:
        return (code,) if code in options and code != UNLISTED else ()

    examples = option_examples("skills")
    examples += [(word, codes(code)) for code, said in words["words"].items() for word in said]
    examples += [(verb + thing, codes(pair["code"])) for pair in words["pairs"]
                 for verb in pair["verbs"] for thing in pair["objects"]]
    return examples


# The labelled answers shipped with the package (written by benchmarks/skill_guess.py), and their key
EXAMPLES = ("skill_examples.jsonl", "skills")


@cache
def guesser() -> Guesser:
    """The guesser trained on everything shipped (a second or two, once per install)."""
    return shipped_guesser("skill-guess", taxonomy.skills(), taxonomy_examples(), *EXAMPLES)


def read(text: str, learned: Guesser | None = None) -> Reading:
    """The rule reader's reading of a skills answer, less the skills the classifier doubts while it
    is sure of some skill (the others read; when none is left, the skills it is sure of, with the
    rules' reading beside them as the answer's other meaning, to be asked about by number); when
    the rules read nothing (not even a trade with no option), the learned guess, marked as guessed
    so that the flow asks before keeping it. `learned`: another guesser than the one trained on
    everything shipped (benchmarks/skill_guess.py, training without one set)."""
    learned = learned or guesser()
    options = taxonomy.skills()
    text = in_characters(text.strip())
    if (run := _RUN_OF_NUMERALS.match(text)) and list(run.group(1)) == sorted(set(run.group(1)), key=_NUMERALS.index):
        text = " ".join(run.group(1)) + " " + text[run.end():]
    if (settled := settle(text, options.read)) is not None:
        return Reading(settled, [], picked=tuple(settled))
    now = THEN_NOW.search(text) or _CLOSED_THEN_NOW.search(text)
    gone = _CANNOT.search(text) or re.search(_CLOSED, text)
    of_now = options.read(now.group(1)) if now and (gone or _ONLY.search(now.group(1))) else None
    if now and of_now and of_now.codes:
        text, reading = now.group(1), of_now
    else:
        reading = options.read(text)
    if reading.unlisted and _OCCASION.search(text):
        # "会吹唢呐，红白喜事请我": the feast is where the trade with no option is done, not cooking
        reading = options.read(_OCCASION.sub("", text))
    # "电商不会 就会家正": work one says one cannot do never takes the place of what the rules read
    doubted = learned.doubt(text, reading, DOUBTED, SURE_OF_ONE, never=reading.denied)
    return learned.or_guess(text, doubted, SURE)

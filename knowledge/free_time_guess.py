"""A learned doubt of the free time the clause rules (knowledge/answers.py) read, and a learned guess
where they read nothing: the classifier of knowledge/learned.py trained on the options' own words
and on labelled free-time answers of the dev sets (free_time_examples.jsonl, written by
benchmarks/skill_guess.py --slot availability). It is blind to a "no" said beside a time ("只要不是
晚上" reads as 晚上), so it doubts only answers that say no "no", and only when very sure."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from knowledge import answers, taxonomy
from knowledge.corrections import settle
from knowledge.learned import Example, Guesser, option_examples, shipped_guesser
from knowledge.spelling import in_characters
from knowledge.taxonomy import Reading

# Measured on five free-answer sets as read by the rules of the day before each set was seen, the
# guesser trained without the set: the doubt fixed 4 misreadings and broke none (of answers saying
# no too: 7 fixed, 1 broken; at SURE 0.5, 14 and 3), the guess was right in all 3 answers it made
SURE, DOUBTED = 0.7, -0.5
NARROW = 0.9  # how sure the classifier must be of a time within the one the rules read ("下午以后到天黑前")
# The wide times and the times within them
_WITHIN = {"daytime": {"morning", "afternoon"}, "anytime": {"daytime"}}


def taxonomy_examples() -> list[Example]:
    """The options' own words and the sayings, each as a short answer naming its free time."""
    return option_examples("availability")


# The labelled answers shipped with the package (written by benchmarks/skill_guess.py), and their key
EXAMPLES = ("free_time_examples.jsonl", "availability")


@cache
def guesser() -> Guesser:
    """The guesser trained on everything shipped (a second or two, once per install)."""
    return shipped_guesser("free-time-guess", taxonomy.availability(), taxonomy_examples(), *EXAMPLES)


def read(text: str, learned: Guesser | None = None) -> Reading:
    """The clause rules' reading of a free-time answer, less what the classifier doubts (see
    Guesser.doubt) in an answer that says no "no"; when the rules read nothing, the learned guess,
    marked as guessed so that the flow asks before keeping it. `learned`: another guesser than the
    one trained on everything shipped (benchmarks/skill_guess.py, training without one set)."""
    learned = learned or guesser()
    text = in_characters(text)
    if (settled := settle(text, answers.free_time)) is not None:
        return Reading(settled, [], picked=tuple(settled))
    reading = _narrowed(text, answers.free_time(text), learned)
    if not taxonomy.availability().says_no(text):
        reading = learned.doubt(text, reading, DOUBTED, SURE)
    return learned.or_guess(text, reading, SURE)


def _narrowed(text: str, reading: Reading, learned: Guesser) -> Reading:
    """A wide time the rules read (白天, 随时) narrowed to the times within it the classifier is NARROW
    sure of while it is against the wide one: "下午以后到天黑前" is 下午, "白天都在 晚上要回家喂猪" 白天;
    the wide one kept as the answer's other meaning, to be asked about by number. A "no" is no bar
    here: it is often what narrows the time."""
    if len(reading.codes) != 1 or reading.picked or reading.codes[0] not in _WITHIN:
        return reading
    wide = reading.codes[0]
    narrow = [c for c in learned.guess(text, NARROW) if c in _WITHIN[wide]]
    if not narrow or learned.margins(text)[wide] >= 0:
        return reading
    return replace(reading, codes=narrow, by_no=[], either=(tuple(narrow), tuple(reading.codes)))

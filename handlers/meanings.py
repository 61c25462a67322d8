"""What an option of a registration question means, told when a person asks at that question
("农闲时是啥意思", "本乡镇算不算县城", "晚上是几点到几点"); the words are kept as data
(knowledge/data/option_meanings.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

from bot.messages import Reply
from bot.router import Ctx
from handlers.asking import is_question
from knowledge import taxonomy
from knowledge.taxonomy import OptionSet
from knowledge.text import compact

# asking after a word's meaning: "是啥", "啥意思", "是指…", "算不算"; and, in a question, "几月", "到哪"…
_MEANING_ASKED = re.compile(r"是啥|是什么|[啥什么]意思|是指|指的是|算不算|包不包括|干啥的|做啥的")
_IN_A_QUESTION = re.compile(r"几月|哪几个月|几点|哪里|哪儿|哪些|哪个|是不是|多远|到哪|包括|做什么|干什么")
OPTIONS: dict[str, Callable[[], OptionSet]] = {"skills": taxonomy.skills, "availability": taxonomy.availability,
                                               "travel": taxonomy.travel_ranges}
_FILE_KEYS = {"skills": "skills", "availability": "availability", "travel": "travel_ranges"}


@cache
def _data() -> dict:
    data: dict = json.loads(resources.files("knowledge").joinpath("data", "option_meanings.json").read_text("utf-8"))
    return data


@cache
def _meanings() -> dict[str, dict[str, str]]:
    return {step: _data()[key] for step, key in _FILE_KEYS.items()}


def _question_meant(step: str, said: str) -> str | None:
    """What the step's question itself asks, when the question about it names the question's own words
    ("有空是指一天里还是一年里")."""
    question = _data()["question"][_FILE_KEYS[step]]
    return question["answer"] if any(w in said for w in question["asked"]) else None


def _names(label: str) -> list[str]:
    """How a person names an option in a question: its label and each part of it, short forms too
    ("全县都行" → 全县, "只在本村" → 本村, "晚上/夜班" → 晚上, 夜班)."""
    parts = [p for p in label.split("/") if p]
    return [*parts, *(p.removeprefix("只在").removeprefix("只做").removesuffix("都行") for p in parts)]


def explained(ctx: Ctx, step: str) -> Reply | None:
    """The meaning of the options of this step that the question names; None when it names none or
    asks something else of them."""
    if step not in OPTIONS or not (_MEANING_ASKED.search(ctx.text)
                                   or _IN_A_QUESTION.search(ctx.text) and is_question(ctx.text)):
        return None
    options, said = OPTIONS[step](), compact(ctx.text)
    named = [o.code for o in options.options if any(len(n) > 1 and n in said for n in _names(o.label))]
    told = [_meanings()[step][code] for code in named if code in _meanings()[step]]
    if not told and _MEANING_ASKED.search(ctx.text) and (meant := _question_meant(step, said)):
        told = [meant]
    return Reply.of("\n".join(told)) if told else None

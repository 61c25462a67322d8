"""The free-answer case set (tests/data/free_answer_cases.jsonl): ways people answer when they can
work, how far they go, what they can do, which village they live in, how old they are and whether
they want messages, written from how people
talk rather than from any persona, each read by the reader the registration flow uses.

A case marked "miss" is one the readers do not understand yet: it must still fail (strict xfail),
so the figure printed by `pytest -q` (passed / xfailed) is the set's honest score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from handlers.registration import yes_no
from knowledge import answers, free_time_guess, skill_guess
from knowledge.ages import read_age
from knowledge.places import gazetteer

THIS_YEAR = 2026
CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "free_answer_cases.jsonl")
         .read_text("utf-8").splitlines() if line.strip()]


def _town(short: str | None) -> str | None:
    return gazetteer().resolve(short).town if short else None


def read(case: dict[str, Any]) -> Any:
    """What the reader of the case's question makes of its text."""
    text, town = case["text"], _town(case.get("town"))
    if case["slot"] == "availability":
        return sorted(free_time_guess.read(text).codes)
    if case["slot"] == "skills":
        return sorted(skill_guess.read(text).codes)
    if case["slot"] == "travel":
        return answers.travel(text, gazetteer(), town, case.get("village"))
    if case["slot"] == "age":  # the ages the answer leaves open, in the cases' year
        age = read_age(text, THIS_YEAR)
        return sorted(age.ages) if age else None
    if case["slot"] == "push":  # 要不要发消息 / 提醒: yes, no or not said
        return yes_no(text)
    return gazetteer().village(text, town)


def _expected(case: dict[str, Any]) -> Any:
    return sorted(case["expected"]) if isinstance(case["expected"], list) else case["expected"]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"{c['slot']}-{c['text']}",
                 marks=[pytest.mark.xfail(strict=True, reason="not understood yet")] if c.get("miss") else [])
    for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    assert read(case) == _expected(case)

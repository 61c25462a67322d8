"""Keeps every reply short enough for an elderly reader to take in at once (150 characters).

A longer reply keeps its question and numbered choices whole and is cut before them, at a
line or a sentence end, with "回复“详情”看原文"; what was cut waits in the conversation for 详情.
"""

from __future__ import annotations

import re

from bot.messages import Reply

LIMIT = 150
MORE_HINT = "回复“详情”看原文。"
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_GAP = len("\n\n")
CLOSING = 40  # a closing line this short, saying what to reply, is kept whole after a cut
REPLY_WORD = "回复"
ROOM = 50  # what the cut part keeps at least beside closing lines
MIN_SHOWN = 12  # a start shorter than this says nothing: all of it waits for 详情


def fit_reply(reply: Reply, limit: int = LIMIT) -> tuple[Reply, str | None]:
    """The reply cut to `limit` characters as shown, and the text cut off (None if nothing was).

    Kept whole, from the end: the question with its numbered choices, and short closing lines that
    say what to reply ("回复“菜单”…", not the plan's words quoted last) as long as the first part
    keeps room to say something.
    """
    if len(reply.as_text()) <= limit:
        return reply, None
    texts, tail = list(reply.texts), list[str]()
    question = Reply(tuple(texts[-1:]), reply.choices)
    if reply.choices and len(texts) > 1 and len(question.as_text()) + _GAP + len(MORE_HINT) <= limit:
        tail.insert(0, texts.pop())  # the question with its choices, whole, whenever it fits
    while len(texts) > 1 and len(texts[-1]) <= CLOSING and REPLY_WORD in texts[-1]:
        if len(Reply((texts[-1], *tail), reply.choices).as_text()) + ROOM > limit:
            break
        tail.insert(0, texts.pop())
    tail_len = len(Reply(tuple(tail), reply.choices).as_text())
    budget = limit - tail_len - (_GAP if tail_len else 0) - len(MORE_HINT) - 1
    shown, rest = _cut("\n\n".join(texts), budget)
    return Reply((f"{shown}\n{MORE_HINT}" if shown else MORE_HINT, *tail), reply.choices), rest


def _cut(text: str, budget: int) -> tuple[str, str]:
    """The longest start of the text within `budget` that ends a line, else a sentence, else
    a hard cut; and what is left."""
    if budget < MIN_SHOWN:
        return "", text
    window = text[:budget + 1]
    end = window.rfind("\n")
    if end <= 0:
        sentences = [m.start() for m in _SENTENCE_END.finditer(window) if 0 < m.start() <= budget]
        end = sentences[-1] if sentences else budget
    return text[:end].rstrip(), text[end:].strip()

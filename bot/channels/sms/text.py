"""A push's texts as one SMS: a message holds 70 characters with the 【signature】; a longer one
goes as several parts (67 characters each) and costs as many messages.

The chat wording asks for chat replies (回复“找工作”看详情), which an SMS reply cannot do (we do
not answer SMS); those sentences are left out and the one reply SMS takes, 回T退订, is added.
"""

from __future__ import annotations

import math
import re

ONE = 70
PART = 67
STOP = "回T退订"
_CHAT_REPLY = re.compile(r"回复[“\"][^”\"]*[”\"][^。！!]*[。！!]?")


def parts(length: int) -> int:
    return 1 if length <= ONE else math.ceil(length / PART)


def plain(texts: tuple[str, ...]) -> str:
    """The texts on one line, joined by a space, without chat instructions (also what a call reads)."""
    kept = [" ".join(_CHAT_REPLY.sub("", text).split()) for text in texts]
    return " ".join(t for t in kept if t)


def sms_text(texts: tuple[str, ...]) -> str:
    return f"{plain(texts)} {STOP}".strip()


def fit(texts: tuple[str, ...], sign_name: str) -> tuple[str, int]:
    """The content and how many messages it takes with the signature: the first text alone
    when all of them do not fit one message and it does, else all of it."""
    extra = len(sign_name) + 2  # 【】 around the signature
    whole = sms_text(texts)
    if len(whole) + extra <= ONE or len(texts) < 2:
        return whole, parts(len(whole) + extra)
    first = sms_text(texts[:1])
    if len(first) + extra <= ONE:
        return first, 1
    return whole, parts(len(whole) + extra)

"""How many messages an SMS takes: one holds 70 characters with the 【signature】; a longer one
goes as several parts (67 characters each) and costs as many messages."""

from __future__ import annotations

import math

ONE = 70
PART = 67


def parts(length: int) -> int:
    return 1 if length <= ONE else math.ceil(length / PART)


def signed_parts(text: str, sign_name: str) -> int:
    """The messages `text` takes with 【sign_name】 before it."""
    return parts(len(sign_name) + 2 + len(text))

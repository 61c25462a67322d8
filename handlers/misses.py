"""How many times each question of a flow did not understand its answer, kept in the flow's data,
so that no question is asked a third time."""

from __future__ import annotations

from bot.router import Ctx

MISS_LIMIT = 2  # a question not understood twice is never asked a third time


def missed(ctx: Ctx, step: str) -> bool:
    """Count an answer this step did not understand; True when it was the second."""
    misses: dict[str, int] = dict(ctx.data.get("misses") or {})
    misses[step] = misses.get(step, 0) + 1
    ctx.data["misses"] = misses
    return misses[step] >= MISS_LIMIT

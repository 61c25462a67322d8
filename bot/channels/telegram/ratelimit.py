"""Telegram's send limits as token buckets: about 30 messages a second overall and one a
second per chat (with a short burst, so a reply of two or three messages goes out at once).

A bucket hands out reservations in arrival order: each caller learns at once how long to
wait, so concurrent senders queue fairly without a lock. The limits hold within one
process; each process that sends with the same bot token has its own buckets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    per_chat: float = 1.0  # messages a second to one chat
    per_chat_burst: int = 3
    overall: float = 30.0  # messages a second to everyone together
    overall_burst: int = 1


class TokenBucket:
    """`burst` tokens, refilled at `rate` a second; a reservation may run the bucket negative."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]):
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens, self._stamp = float(burst), clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        return self._tokens

    def reserve(self) -> float:
        """Take one token; the seconds to wait before using it."""
        self._tokens = self._refill() - 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def idle(self) -> bool:
        return self._refill() >= self.burst


class RateLimiter:
    """Waits until one more message to `chat` keeps both the chat's and the overall limit."""

    MAX_IDLE_CHATS = 10_000

    def __init__(self, limits: RateLimits = RateLimits(), *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.limits = limits
        self._clock, self._sleep = clock, sleep
        self._overall = TokenBucket(limits.overall, limits.overall_burst, clock)
        self._chats: dict[str, TokenBucket] = {}

    def _chat(self, chat: str) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) >= self.MAX_IDLE_CHATS:
                self._chats = {k: b for k, b in self._chats.items() if not b.idle()}
            bucket = self._chats[chat] = TokenBucket(self.limits.per_chat, self.limits.per_chat_burst, self._clock)
        return bucket

    async def acquire(self, chat: int | str) -> None:
        # The chat's turn first, then a slot overall, so waiting for one slow chat does not
        # hold an overall slot other chats could use.
        wait = self._chat(str(chat)).reserve()  # 42 and "42" are one chat
        if wait > 0:
            await self._sleep(wait)
        wait = self._overall.reserve()
        if wait > 0:
            await self._sleep(wait)

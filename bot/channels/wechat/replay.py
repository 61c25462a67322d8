"""One signed query, one message: a captured `signature/timestamp/nonce` cannot carry a body
of the attacker's choosing while its timestamp is still inside the window.

WeChat signs only the token, timestamp and nonce, never the body. Whether its retries come
with a fresh timestamp and nonce is not documented, so a nonce seen before cannot simply be
refused (that could refuse WeChat's own retry). What is certain is that a retry carries the
same message, so a query seen before is accepted only with the message it first came with.
Kept in this process's memory: with several server processes, a replay that reaches another
process is only held back by the timestamp window.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

MAX_REMEMBERED = 200_000  # about 300 requests a second for five minutes


class SignedOnce:
    def __init__(self, window: int, *, clock: Callable[[], float] = time.time, limit: int = MAX_REMEMBERED):
        self.window = window
        self.clock = clock
        self.limit = limit
        self._seen: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    def first_use(self, timestamp: str, nonce: str, message: str) -> bool:
        """Note that this signed query carried `message` (the message's identity); False when
        it carried another message before."""
        self._forget_old()
        key = (timestamp, nonce)
        seen = self._seen.get(key)
        if seen is not None:
            return seen[1] == message
        self._seen[key] = (self.clock(), message)
        return True

    def _forget_old(self) -> None:
        oldest = self.clock() - 2 * self.window  # a timestamp accepted now may be `window` ahead
        while self._seen and (len(self._seen) >= self.limit or next(iter(self._seen.values()))[0] < oldest):
            self._seen.popitem(last=False)

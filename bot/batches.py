"""Work submitted on the event loop and run in batches: while a runner is busy, what arrives
waits, and is then run together in one call.

A webhook uses it to dispatch messages: many messages in one database transaction cost
little more than one, so under load each message gets cheaper instead of waiting longer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
Run = Callable[[int, list[Item]], Awaitable[Sequence[Result]]]


class Batcher(Generic[Item, Result]):
    """Runs `run(lane, items) -> results` (one result per item, in order), one batch per
    lane at a time, on `lanes` lanes (a worker thread or process each).

    `submit` returns a future for the item's result; if `run` raises, every future of that
    batch gets the exception. Everything here happens on the event loop.
    """

    def __init__(self, run: Run[Item, Result], *, lanes: int = 1, max_batch: int = 64):
        self.run = run
        self.max_batch = max_batch
        self._idle = list(range(lanes))
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flush_due = False
        self._running: set[asyncio.Task[None]] = set()

    def submit(self, item: Item) -> asyncio.Future[Result]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._waiting.append((item, future))
        if self._idle and not self._flush_due:
            # Not at once: the other requests that arrived with this one join the batch.
            self._flush_due = True
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._flush_due = False
        while self._idle and self._waiting:
            batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
            task = asyncio.ensure_future(self._run(self._idle.pop(), batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, lane: int, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results: Sequence[Result] | BaseException = await self.run(lane, [item for item, _ in batch])
        except Exception as exc:  # reported to each waiting request, which answers politely
            results = exc
        finally:
            self._idle.append(lane)
        for n, (_, future) in enumerate(batch):
            if future.done():
                continue
            if isinstance(results, BaseException):
                future.set_exception(results)
            else:
                future.set_result(results[n])
        self._flush()

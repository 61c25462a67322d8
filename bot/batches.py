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

    `submit` returns a future for the item's result. If `run` raises for a batch of several
    items, whatever the reason (a handler, the database, handing the batch to another
    process), each item is run again alone, in order, so that a bad item costs only itself;
    an item that fails alone gets the exception. Everything here happens on the event loop.
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
            await self._settle(lane, batch)
        finally:
            self._idle.append(lane)
        self._flush()

    async def _settle(self, lane: int, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        results: Sequence[Result] | BaseException
        try:
            results = await self.run(lane, [item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                log.warning("a batch of %d failed (%s); running its items one by one", len(batch),
                            type(exc).__name__)
                for one in batch:
                    await self._settle(lane, [one])
                return
            results = exc  # reported to the waiting request, which answers politely
        for n, (_, future) in enumerate(batch):
            if future.done():
                continue
            if isinstance(results, BaseException):
                future.set_exception(results)
            else:
                future.set_result(results[n])

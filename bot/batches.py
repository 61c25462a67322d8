"""Work handed from the event loop to worker threads in batches: what queued up while a
thread was busy is done together in one call, and finishes with one wake-up of the loop.

A webhook uses it to dispatch messages: many messages in one database transaction cost
little more than one, so under load each message gets cheaper instead of waiting longer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
_STOP = object()


class BatchRunner(Generic[Item, Result]):
    """Runs `work(items) -> results` (one result per item, in order) on `threads` threads.

    `submit` returns an asyncio future for the item's result; if `work` raises, every
    future of that batch gets the exception.
    """

    def __init__(self, work: Callable[[list[Item]], Sequence[Result]], *, threads: int = 1,
                 max_batch: int = 64, name: str = "batch"):
        self.work = work
        self.max_batch = max_batch
        self._count = threads
        self._name = name
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start the threads; futures are settled on the event loop running now."""
        self._loop = asyncio.get_running_loop()
        self._threads = [threading.Thread(target=self._run, name=f"{self._name}-{n}", daemon=True)
                         for n in range(self._count)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Let each thread finish the batch in hand and end (items still queued are dropped)."""
        for _ in self._threads:
            self._queue.put(_STOP)
        self._threads = []

    def submit(self, item: Item) -> asyncio.Future[Result]:
        if not self._threads:
            raise RuntimeError("BatchRunner.submit before start()")
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.put((item, future))
        return future

    def _run(self) -> None:
        while True:
            batch = self._take()
            if not batch:
                return
            items = [item for item, _ in batch]
            futures = [future for _, future in batch]
            try:
                results: Sequence[Result] | BaseException = self.work(items)
            except Exception as exc:  # reported to each waiting request, which answers politely
                results = exc
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(_settle, futures, results)
            except RuntimeError:  # the loop is closed: the server is gone
                log.warning("%d results dropped: the event loop has closed", len(futures))
                return

    def _take(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        """The next batch: wait for one item, then take what else is waiting (none at _STOP)."""
        first = self._queue.get()
        if first is _STOP:
            return []
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is _STOP:
                self._queue.put(_STOP)  # for the next round, after this batch
                break
            batch.append(more)
        return batch  # type: ignore[return-value]


def _settle(futures: list[asyncio.Future[Result]], results: Sequence[Result] | BaseException) -> None:
    for n, future in enumerate(futures):
        if future.done():
            continue
        if isinstance(results, BaseException):
            future.set_exception(results)
        else:
            future.set_result(results[n])

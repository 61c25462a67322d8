"""Conversation work in a child process of the server.

In one process, the event loop (HTTP, XML, signatures, replies) and the dispatcher
(handlers, database) take turns on one CPU, because Python runs one thread at a time. A
child process with its own dispatcher gives each of them a CPU. The child is built from
the same settings; updates and replies cross as pickles, a whole batch at a time.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.dispatch import Dispatcher
from bot.messages import Reply, Update
from bot.settings import Settings

log = logging.getLogger(__name__)

_dispatcher: Dispatcher | None = None  # in the child: built once by `_start`


def _start(settings: Settings) -> None:
    global _dispatcher
    from bot.app import build_dispatcher, configure_logging
    from storage.db import make_engine

    configure_logging()
    _dispatcher = build_dispatcher(settings, engine=make_engine(settings.db_url))
    gc.freeze()  # what start-up loaded lives as long as the process (see WeChatChannel.running)


def _dispatch_many(updates: list[Update], retake: bool) -> list[Reply | None]:
    assert _dispatcher is not None, "the dispatch process was not started"
    return _dispatcher.dispatch_many(updates, retake=retake)


class DispatchProcesses:
    """`dispatch_many` done by `count` child processes; a child that dies is replaced."""

    def __init__(self, settings: Settings, count: int = 1):
        self.settings = settings
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the children and wait until they are ready to take messages."""
        self._pool = self._new_pool()
        for ready in [self._pool.submit(os.getpid) for _ in range(self.count)]:
            ready.result()

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def dispatch_many(self, updates: Sequence[Update]) -> list[Reply | None]:
        """`Dispatcher.dispatch_many` in a child. If the child dies, the batch goes to its
        replacement: the inbound log makes that safe, as a message already handled is
        answered with its stored reply, not handled again."""
        pool = self._running()
        try:
            return pool.submit(_dispatch_many, list(updates), False).result()
        except BrokenProcessPool:
            self._replace(pool)
        return self._running().submit(_dispatch_many, list(updates), True).result()

    def _running(self) -> ProcessPoolExecutor:
        if self._pool is None:
            raise RuntimeError("DispatchProcesses used before start()")
        return self._pool

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(self.settings,))

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                log.error("a dispatch process died; starting a new one")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

"""Conversation work in a child process of the server.

In one process, the event loop (HTTP, XML, signatures, replies) and the dispatcher
(handlers, database) take turns on one CPU, because Python runs one thread at a time. A
child process with its own dispatcher gives each of them a CPU. The child is built from
the same settings; the loop talks to it over a pipe it watches itself, so no thread of
the server has to wake up in between.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

from bot.settings import Settings

log = logging.getLogger(__name__)

Answer = TypeVar("Answer")
STOP_SECONDS = 10.0


class ProcessDied(RuntimeError):
    """The child died while it had the work; a new one has been started in its place."""


class DispatchProcess:
    """A child process with its own `Dispatcher`. `call(work, *args)` runs
    `work(dispatcher, *args)` there, one call at a time; `work` must be a module-level function."""

    def __init__(self, settings: Settings, name: str = "jobbot-dispatch"):
        self.settings = settings
        self.name = name
        self._process: multiprocessing.process.BaseProcess | None = None
        self._pipe: Connection | None = None
        self._answer: asyncio.Future[tuple[str, Any]] | None = None

    async def start(self) -> None:
        """Start the child and wait until its dispatcher is ready."""
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.settings, theirs), name=self.name, daemon=True)
        self._process.start()
        theirs.close()
        self._pipe = ours
        asyncio.get_running_loop().add_reader(ours.fileno(), self._readable)
        # uvloop's add_reader makes the pipe non-blocking, where a message larger than the pipe
        # holds would be cut short; send and recv need it blocking (readiness is seen either way).
        os.set_blocking(ours.fileno(), True)
        status, detail = await self._wait()
        if status != "ready":
            raise RuntimeError(f"the dispatch process did not start: {detail}")

    async def stop(self) -> None:
        if self._pipe is not None:
            asyncio.get_running_loop().remove_reader(self._pipe.fileno())
            self._pipe.close()  # the child sees the end of its input and exits
            self._pipe = None
        if self._process is not None:
            process, self._process = self._process, None
            await asyncio.to_thread(process.join, STOP_SECONDS)
            if process.is_alive():
                process.kill()

    async def call(self, work: Callable[..., Answer], *args: Any) -> Answer:
        if self._pipe is None or self._answer is not None:
            raise RuntimeError("DispatchProcess.call while stopped or busy")
        answer: Any
        try:
            self._pipe.send((work, args))
        except OSError as exc:  # the child died while idle: the pipe is broken
            status, answer = "died", f"{type(exc).__name__} while handing over a call"
        else:
            status, answer = await self._wait()
        if status == "died":
            log.error("the dispatch process died; starting a new one")
            await self.stop()
            await self.start()
            raise ProcessDied(answer)
        if status == "error":
            raise RuntimeError(f"dispatch failed in the child process: {answer}")
        return cast(Answer, answer)  # what `work` returned, back through the pipe

    async def _wait(self) -> tuple[str, Any]:
        self._answer = asyncio.get_running_loop().create_future()
        try:
            return await self._answer
        finally:
            self._answer = None

    def _readable(self) -> None:
        assert self._pipe is not None
        try:
            message: tuple[str, Any] = self._pipe.recv()
        except (EOFError, OSError) as exc:
            asyncio.get_running_loop().remove_reader(self._pipe.fileno())
            message = ("died", f"{type(exc).__name__}: the child's end of the pipe closed")
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(message)


def _serve(settings: Settings, pipe: Connection) -> None:
    """The child: build a dispatcher, then answer calls until the parent closes the pipe."""
    from bot.app import build_dispatcher, configure_logging
    from storage.db import make_engine

    # Ctrl-C reaches the whole process group; the server stops this child when it stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(timezone=settings.timezone)
    try:
        dispatcher = build_dispatcher(settings, engine=make_engine(settings.db_url))
        dispatcher.warm()  # before "ready": the server accepts requests only after this
    except Exception as exc:
        log.exception("the dispatch process could not start")
        pipe.send(("failed", repr(exc)))
        return
    gc.freeze()  # what start-up loaded lives as long as the process (see WeChatChannel.running)
    pipe.send(("ready", None))
    while True:
        try:
            work, args = pipe.recv()
        except EOFError:
            return
        except Exception as exc:  # a call that cannot be unpickled here fails alone, the child lives on
            log.exception("the dispatch process could not read a call")
            pipe.send(("error", repr(exc)))
            continue
        try:
            answer: tuple[str, Any] = ("ok", work(dispatcher, *args))
        except Exception as exc:
            log.exception("dispatch failed in the child process")
            answer = ("error", repr(exc))
        try:
            pipe.send(answer)
        except Exception as exc:  # an answer that cannot be pickled: report that instead
            log.exception("the dispatch process could not send its answer")
            pipe.send(("error", repr(exc)))


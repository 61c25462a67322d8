"""Push delivery in a child process of the server, at a lower CPU priority.

Planning a push (the person, the hour, the quota) and sending it are Python work. Done in
threads of the server process, they take the interpreter lock from the event loop that
answers the webhooks, so a broadcast to 100,000 people slowed every reply while it was being
delivered. In a child process with a higher nice value the kernel gives the processes that
answer people the CPU first and the broadcast what is left; when nobody writes, delivery
runs at full speed. The server starts answering once the child has done its first round, so
that the child's start-up (imports, the senders, what is due at once) does not take the CPU
from the first requests. The child stops when the server closes its end of the pipe, or dies; a
child that dies on its own is replaced (its claimed rows go back to the queue after their
lease, storage.outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from multiprocessing.connection import Connection

from sqlalchemy import Engine

from bot.delivery import Deliverer
from bot.senders import open_senders
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)

NICE = 10  # CFS gives a nice-10 process about a tenth of the CPU of a nice-0 one it competes with
STOP_SECONDS = 30.0
READY_SECONDS = 120.0  # a child slower than this to start is waited for no longer (it goes on starting)
RESTART_SECONDS = 5.0  # a child that cannot start (a wrong setting) is not restarted in a tight loop


@contextlib.asynccontextmanager
async def opened(settings: Settings, engine: Engine, services: Services) -> AsyncIterator[Deliverer]:
    """A delivery worker over the senders of every configured channel, closed on exit."""
    async with open_senders(settings, engine, clock=services.clock) as senders:
        log.info("push delivery running for: %s", ", ".join(senders) or "no channel")
        yield Deliverer(engine, services, senders, lease=timedelta(seconds=settings.push_lease_seconds),
                        concurrency=settings.push_concurrency)


class DeliveryProcess:
    """The delivery child of one server process, started again whenever it dies."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.process: multiprocessing.process.BaseProcess | None = None
        self._pipe: Connection | None = None
        self._started: asyncio.Future[None] | None = None
        self._stopping = False

    def start(self) -> None:
        if self._stopping:
            return
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_main, args=(self.settings, theirs), name="jobbot-deliver", daemon=True)
        self.process.start()
        theirs.close()
        self._pipe = ours
        loop = asyncio.get_running_loop()
        self._started = loop.create_future()
        loop.add_reader(ours.fileno(), self._heard)  # its one message: it has started
        loop.add_reader(self.process.sentinel, self._ended)

    async def started(self) -> None:
        """Until the child has done its first round of delivery, or has ended."""
        assert self._started is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._started), READY_SECONDS)
        except TimeoutError:
            log.warning("the delivery process is not ready after %.0f s; serving without waiting", READY_SECONDS)

    def _heard(self) -> None:
        assert self._pipe is not None
        asyncio.get_running_loop().remove_reader(self._pipe.fileno())
        self._mark_started()

    def _mark_started(self) -> None:
        if self._started is not None and not self._started.done():
            self._started.set_result(None)

    def _ended(self) -> None:
        assert self.process is not None and self._pipe is not None
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.process.sentinel)
        if not self._pipe.closed:
            loop.remove_reader(self._pipe.fileno())
        self._pipe.close()
        self._mark_started()
        if not self._stopping:
            log.error("the delivery process ended (exit code %s); starting a new one", self.process.exitcode)
            loop.call_later(RESTART_SECONDS, self.start)

    async def stop(self) -> None:
        self._stopping = True
        process = self.process
        if process is None or self._pipe is None or self._pipe.closed:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(process.sentinel)
        loop.remove_reader(self._pipe.fileno())
        self._pipe.close()  # the child sees the end of its input, finishes the round in hand and exits
        await asyncio.to_thread(process.join, STOP_SECONDS)
        if process.is_alive():
            process.kill()


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[DeliveryProcess]:
    """The delivery child, for the life of the block."""
    child = DeliveryProcess(settings)
    child.start()
    try:
        await child.started()
        yield child
    finally:
        await child.stop()


def _main(settings: Settings, pipe: Connection) -> None:
    from bot.app import configure_logging
    from storage.db import make_engine

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group; the server stops this child
    os.nice(NICE)
    configure_logging(timezone=settings.timezone)

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_reader(pipe.fileno(), stop.set)  # readable only at EOF: nothing is sent
        engine = make_engine(settings.db_url)
        try:
            async with opened(settings, engine, Services(settings=settings)) as deliverer:
                await deliverer.run_forever(stop, started=lambda: pipe.send("started"))
        finally:
            engine.dispose()

    asyncio.run(run())

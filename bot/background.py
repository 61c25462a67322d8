"""What runs beside the webhooks in a server process: the push delivery worker, and the
periodic schedule when this process leads (bot/leader.py). Every server process delivers
from the shared outbox. Pushes go out through the same channel clients that answer
messages, so one process keeps one token cache and one set of Telegram rate limits; each
channel's own background tasks run beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from anyio import to_thread

from bot.channels.base import Channel
from bot.delivery import Deliverer
from bot.dispatch import Dispatcher
from bot.leader import ScheduleLeader
from bot.senders import senders_of

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(dispatcher: Dispatcher, channels: list[Channel]) -> AsyncIterator[None]:
    """Deliver pushes and run the schedule until the server stops (channels already started)."""
    senders = senders_of((channel.name, channel.sender()) for channel in channels)
    settings = dispatcher.services.settings
    deliverer = Deliverer(dispatcher.engine, dispatcher.services, senders,
                          lease=timedelta(seconds=settings.push_lease_seconds), concurrency=settings.push_concurrency)
    leader = ScheduleLeader(dispatcher.engine, dispatcher.services)
    leader.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(deliverer.run_forever(stop))]
    tasks += [loop.create_task(task(stop)) for channel in channels for task in channel.tasks()]
    log.info("push delivery running for: %s", ", ".join(senders) or "no channel")
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await to_thread.run_sync(leader.stop)

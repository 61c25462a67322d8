"""What runs beside the webhooks in a server process: the push delivery worker (in a child
process of lower priority, bot/delivery_process.py), and the periodic schedule when this
process leads (bot/leader.py). Every server process delivers from the shared outbox; the
WeChat access token is shared through the database. Each channel's own background tasks run
beside them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from anyio import to_thread

from bot import delivery_process
from bot.channels.base import Channel
from bot.dispatch import Dispatcher
from bot.leader import ScheduleLeader


@contextlib.asynccontextmanager
async def running(dispatcher: Dispatcher, channels: list[Channel]) -> AsyncIterator[None]:
    """Deliver pushes and run the schedule until the server stops (channels already started)."""
    leader = ScheduleLeader(dispatcher.engine, dispatcher.services)
    leader.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(task(stop)) for channel in channels for task in channel.tasks()]
    try:
        async with delivery_process.running(dispatcher.services.settings):
            yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await to_thread.run_sync(leader.stop)

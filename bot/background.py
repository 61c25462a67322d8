"""What runs beside the webhooks in a server process: the push delivery worker, and the
periodic schedule when this process leads (bot/leader.py). Every server process delivers
from the shared outbox. Pushes go out through the same channel clients that answer
messages, so one process keeps one token cache and one set of Telegram rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

from anyio import to_thread

from bot.delivery import Deliverer, Sender
from bot.dispatch import Dispatcher
from bot.leader import ScheduleLeader
from bot.senders import TelegramPushes, WeChatPushes

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramWebhook
    from bot.channels.wechat import WeChatChannel

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(dispatcher: Dispatcher, wechat: WeChatChannel, telegram: TelegramWebhook) -> AsyncIterator[None]:
    """Deliver pushes and run the schedule until the server stops (channels already started)."""
    senders: dict[str, Sender] = {}
    if wechat.messenger is not None:
        senders["wechat"] = WeChatPushes(wechat.messenger)
    if telegram.channel is not None:
        senders["telegram"] = TelegramPushes(telegram.channel.sender)
    settings = dispatcher.services.settings
    deliverer = Deliverer(dispatcher.engine, dispatcher.services, senders,
                          lease=timedelta(seconds=settings.push_lease_seconds), concurrency=settings.push_concurrency)
    leader = ScheduleLeader(dispatcher.engine, dispatcher.services)
    leader.start()
    stop = asyncio.Event()
    task = asyncio.get_running_loop().create_task(deliverer.run_forever(stop))
    log.info("push delivery running for: %s", ", ".join(senders) or "no channel")
    try:
        yield
    finally:
        stop.set()
        await task
        await to_thread.run_sync(leader.stop)

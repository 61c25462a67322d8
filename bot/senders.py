"""The push senders of the configured channels, for the delivery worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from sqlalchemy import Engine

from bot.channels.base import Sender
from bot.settings import Settings
from storage.models import utcnow


def senders_of(pairs: Iterable[tuple[str, Sender | None]]) -> dict[str, Sender]:
    """Channel name → sender, for the channels that can push."""
    return {name: sender for name, sender in pairs if sender is not None}


@asynccontextmanager
async def open_senders(settings: Settings, engine: Engine, *,
                       clock: Callable[[], datetime] = utcnow) -> AsyncIterator[dict[str, Sender]]:
    """A sender for each channel that has credentials configured, in a process that only
    pushes (`jobbot deliver`); closed on exit."""
    from bot.app import build_dispatcher
    from bot.channels.registry import build_channels

    channels = build_channels(settings, build_dispatcher(settings, engine=engine, clock=clock), clock=clock)
    async with AsyncExitStack() as stack:
        opened = [(channel.name, await stack.enter_async_context(channel.pushing())) for channel in channels]
        yield senders_of(opened)

"""Sending a `Reply` to a Telegram chat within Telegram's limits, for answers and pushes.

`TelegramSender.send(chat_id, reply)` waits its turn (`RateLimiter`), waits `retry_after`
on a 429 and tries again, retries network errors a few times with growing pauses, and on
403 (the person blocked the bot) or "chat not found" marks the chat account unreachable
and gives up. It returns the channels' `SendResult` the outbox can act on; it never raises
for a Telegram error. `TelegramPushes` is the delivery worker's sender on top of it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import TypedDict

import telegram
from sqlalchemy import Engine
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import Outcome, PushMessage, SendResult
from bot.channels.telegram.ratelimit import RateLimiter, RateLimits
from bot.channels.telegram.translate import CHANNEL, Outgoing, render
from bot.messages import Reply
from bot.settings import Settings
from storage.accounts import mark_unreachable
from storage.db import session_scope

log = logging.getLogger(__name__)

# PTB 22 warns on every 429 that `RetryAfter.retry_after` will become a timedelta; opt in
# now (PTB's documented switch; it only changes how PTB reports time periods).
os.environ.setdefault("PTB_TIMEDELTA", "true")

GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the attribute becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Delivers replies through one PTB `Bot`, shared with the channel's `Application`."""

    def __init__(self, bot: telegram.Bot, *, engine: Engine | None = None, limits: RateLimits = RateLimits(),
                 network_retries: int = 3, backoff: float = 0.5, flood_retries: int = 3,
                 max_flood_wait: float = 60.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.bot = bot
        self.engine = engine
        self.limiter = RateLimiter(limits, clock=clock, sleep=sleep)
        self.network_retries, self.backoff = network_retries, backoff
        self.flood_retries, self.max_flood_wait = flood_retries, max_flood_wait
        self._sleep = sleep

    async def send(self, chat_id: int | str, reply: Reply) -> SendResult:
        sent = 0
        for message in render(reply):
            failure = await self._send_one(chat_id, message)
            if failure is not None:
                return replace(failure, sent=sent)
            sent += 1
        return SendResult(Outcome.SENT, sent=sent)

    async def _send_one(self, chat_id: int | str, message: Outgoing) -> SendResult | None:
        floods = network_errors = 0
        while True:
            await self.limiter.acquire(chat_id)
            try:
                await self.bot.send_message(chat_id=chat_id, text=message.text, reply_markup=message.markup)
                return None
            except RetryAfter as exc:
                wait, floods = retry_after_seconds(exc), floods + 1
                if wait > self.max_flood_wait or floods > self.flood_retries:
                    return SendResult(Outcome.RETRY, f"flood wait {wait:g}s", retry_after=wait)
                log.info("telegram asks to wait %gs before sending to %s", wait, chat_id)
                await self._sleep(wait)
            except Forbidden as exc:
                await self._unreachable(chat_id)
                return SendResult(Outcome.PERMANENT, exc.message)
            except BadRequest as exc:  # before NetworkError: PTB makes it a subclass
                if any(mark in exc.message.lower() for mark in GONE):
                    await self._unreachable(chat_id)
                return SendResult(Outcome.PERMANENT, exc.message)
            except ChatMigrated as exc:
                return SendResult(Outcome.PERMANENT, f"chat moved to {exc.new_chat_id}")
            except (InvalidToken, EndPointNotFound) as exc:
                return SendResult(Outcome.RETRY, f"bot token or API address rejected: {exc.message}")
            except NetworkError as exc:  # includes TimedOut
                network_errors += 1
                if network_errors > self.network_retries:
                    return SendResult(Outcome.RETRY, f"network: {exc.message}")
                await self._sleep(self.backoff * 2 ** (network_errors - 1))
            except TelegramError as exc:
                return SendResult(Outcome.RETRY, f"telegram: {exc.message}")

    async def _unreachable(self, chat_id: int | str) -> None:
        if self.engine is None:
            return
        engine = self.engine

        def mark() -> None:
            with session_scope(engine) as session:
                mark_unreachable(session, channel=CHANNEL, user_id=str(chat_id))

        await asyncio.to_thread(mark)


class TelegramPushes:
    """Pushes on Telegram for the delivery worker, inside the same rate limits as replies."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def send(self, message: PushMessage) -> SendResult:
        return await self.sender.send(message.user_id, Reply(message.texts))


def make_bot(settings: Settings, *, pool_size: int = 64) -> telegram.Bot:
    """A PTB `Bot` for the configured token, pointed at JOBBOT_TELEGRAM_API_BASE if set."""
    if not settings.telegram_token:
        raise ValueError("JOBBOT_TELEGRAM_TOKEN is not set")
    request = HTTPXRequest(connection_pool_size=pool_size)
    # One connection pool for both kinds of call: this bot never polls.
    return telegram.Bot(settings.telegram_token, request=request, get_updates_request=request, **api_urls(settings))


class ApiUrls(TypedDict, total=False):
    base_url: str
    base_file_url: str


def api_urls(settings: Settings) -> ApiUrls:
    """`base_url` and `base_file_url` for a Bot API other than api.telegram.org."""
    if not settings.telegram_api_base:
        return {}
    base = settings.telegram_api_base.rstrip("/")
    return {"base_url": f"{base}/bot", "base_file_url": f"{base}/file/bot"}


@asynccontextmanager
async def open_sender(settings: Settings, *, engine: Engine | None = None,
                      limits: RateLimits = RateLimits()) -> AsyncIterator[TelegramSender]:
    """A sender with its own connections, for a process that only pushes (the outbox worker)."""
    bot = make_bot(settings)
    try:
        yield TelegramSender(bot, engine=engine, limits=limits)
    finally:
        await bot.request.shutdown()

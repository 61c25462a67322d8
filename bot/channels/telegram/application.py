"""The PTB `Application` of the Telegram channel and the one handler it needs.

The handler turns a Telegram message into our `Update`, runs the (synchronous) dispatcher
in a thread and sends the `Reply` back through `TelegramSender`. Updates of different
chats are handled concurrently, those of one chat in order (`ChatOrderedProcessor`).
The same Application serves the webhook (`process`) and long polling (`run_polling`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

import telegram
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram.ratelimit import RateLimits
from bot.channels.telegram.sender import TelegramSender, api_urls
from bot.channels.telegram.translate import CHANNEL, to_update
from bot.dispatch import Dispatcher
from bot.settings import Settings
from storage.accounts import already_answered, mark_unreachable
from storage.db import session_scope

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [telegram.Update.MESSAGE, telegram.Update.MY_CHAT_MEMBER]
BOT_COMMANDS = [("start", "开始 / 菜单"), ("help", "帮助"), ("stop", "退订推送")]


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and those of one chat one at a time."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, telegram.Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(settings: Settings, *, polling: bool = False) -> Application:
    urls = api_urls(settings)
    builder = ApplicationBuilder().token(settings.telegram_token or "").job_queue(None)
    builder = builder.concurrent_updates(ChatOrderedProcessor())
    if urls:
        builder = builder.base_url(urls["base_url"]).base_file_url(urls["base_file_url"])
    if not polling:
        builder = builder.updater(None)  # the webhook hands updates in itself
    return builder.build()


class TelegramChannel:
    """The Application, the dispatcher it feeds and the sender it answers through."""

    def __init__(self, application: Application, dispatcher: Dispatcher, sender: TelegramSender,
                 *, retry_interval: float = 10.0):
        self.application = application
        self.dispatcher = dispatcher
        self.sender = sender
        self.retry_interval = retry_interval
        self._ready = False
        self._last_attempt = float("-inf")
        self._init_lock = asyncio.Lock()
        self._warmup: asyncio.Task[bool] | None = None
        application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
                                               self._on_message))
        application.add_handler(ChatMemberHandler(self._on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        application.add_error_handler(self._on_error)

    @classmethod
    def from_settings(cls, settings: Settings, dispatcher: Dispatcher, *, polling: bool = False,
                      limits: RateLimits = RateLimits(), retry_interval: float = 10.0) -> TelegramChannel | None:
        """The channel for the configured bot token; None when there is none."""
        if not settings.telegram_token:
            return None
        application = build_application(settings, polling=polling)
        sender = TelegramSender(application.bot, engine=dispatcher.engine, limits=limits)
        return cls(application, dispatcher, sender, retry_interval=retry_interval)

    # --- life cycle (webhook mode) ------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready

    async def start(self) -> None:
        """Connect in the background, so the server starts whether or not Telegram answers."""
        self._warmup = asyncio.create_task(self.ensure_ready(force=True))

    async def ensure_ready(self, *, force: bool = False) -> bool:
        """Initialize the Application (it asks getMe) if not yet done; at most one try per
        `retry_interval` unless forced. False while Telegram cannot be reached."""
        if self._ready:
            return True
        async with self._init_lock:
            if self._ready:
                return True
            if not force and time.monotonic() - self._last_attempt < self.retry_interval:
                return False
            self._last_attempt = time.monotonic()
            try:
                await self.application.initialize()
            except Exception as exc:  # any failure here must not take the server down
                log.warning("Telegram Bot API not reachable (%s); retrying when the next update comes", exc)
                return False
            self._ready = True
            log.info("Telegram bot @%s ready", self.application.bot.username)
            return True

    async def stop(self) -> None:
        if self._warmup is not None and not self._warmup.done():
            self._warmup.cancel()
            await asyncio.gather(self._warmup, return_exceptions=True)
        if self._ready:
            await self.application.shutdown()
            self._ready = False
        else:
            await self.application.bot.shutdown()

    async def process(self, update: telegram.Update) -> None:
        """Handle one update now, in order with the chat's other updates."""
        application = self.application
        await application.update_processor.process_update(update, application.process_update(update))

    # --- long polling (development) -------------------------------------------------------------
    def run_polling(self) -> None:
        """Fetch updates with getUpdates until Ctrl-C (needs an Application built with polling=True)."""
        self.application.run_polling(allowed_updates=ALLOWED_UPDATES)

    # --- handlers ---------------------------------------------------------------------------
    async def _on_message(self, update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ours = to_update(update)
        if ours is None or update.effective_chat is None:
            return
        if ours.dedup_key:
            answered: bool = await asyncio.to_thread(self._answered, ours.dedup_key)
            if answered:
                log.info("telegram update %s was answered before; not answering again", ours.dedup_key)
                return
        reply = await asyncio.to_thread(self.dispatcher.dispatch, ours)
        if reply is None or reply.empty:
            return
        result = await self.sender.send(update.effective_chat.id, reply)
        if not result.delivered:
            log.warning("reply to telegram chat %s not delivered: %s (%s)",
                        update.effective_chat.id, result.outcome, result.reason)

    def _answered(self, dedup_key: str) -> bool:
        with session_scope(self.dispatcher.engine) as session:
            return already_answered(session, channel=CHANNEL, dedup_key=dedup_key)

    async def _on_my_chat_member(self, update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        if change.new_chat_member.status == ChatMemberStatus.BANNED:  # the person blocked the bot
            await asyncio.to_thread(self._mark_unreachable, str(change.chat.id))

    def _mark_unreachable(self, user_id: str) -> None:
        with session_scope(self.dispatcher.engine) as session:
            mark_unreachable(session, channel=CHANNEL, user_id=user_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed: %r", update, exc_info=context.error)

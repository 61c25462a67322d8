"""Answer a message within its channel's reply budget, else acknowledge it at once and send
the reply later through the channel's own sender.

Some platforms wait only so long for the answer to their request (WeChat: 5 seconds) and
retry a message that got none. A channel gives each dispatch to `ReplyBudget.answer` with
its budget: a reply ready in time goes in the answer; otherwise the answer is empty (the
channel acknowledges) and the reply is sent when ready. Its message is marked late in the
database (storage.late_replies) and remembered here, so that a retry of it, in this process
or another, acknowledges only; when a retry overruns the budget as well, only the first late
answer sends the reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine

from bot.channels.base import SendResult
from bot.dispatch import SORRY
from bot.messages import Reply, Update
from storage.db import session_scope
from storage.late_replies import claim_send, mark_late

log = logging.getLogger(__name__)

LATE_MEMORY = 600.0  # seconds this process remembers a late key; platforms retry within seconds
DRAIN_SECONDS = 10.0

Dispatched = tuple[Reply | None, bool]  # the reply, and whether it already went out late elsewhere
SendText = Callable[[str, str], Awaitable[SendResult]]  # (user id, text): the channel's own sending


class ReplyBudget:
    """One channel's reply budget: `seconds` to answer in the request, `send` for late replies."""

    def __init__(self, *, channel: str, seconds: float, engine: Engine, send: SendText,
                 mask: Callable[[str], str]):
        self.channel = channel
        self.seconds = seconds
        self.engine = engine
        self.send = send
        self.mask = mask
        self._tasks: set[asyncio.Future[None]] = set()
        self._late_here: dict[str, float] = {}  # keys answered late by this process → forget at

    async def answer(self, update: Update, task: asyncio.Future[Dispatched]) -> Reply | None:
        """The reply to put in the request's answer, or None: acknowledge only (the reply goes
        out late, or already went out late for an earlier try of the message)."""
        done, _ = await asyncio.wait({task}, timeout=self.seconds)
        if task in done:
            try:
                reply, answered_late = task.result()
            except Exception:
                log.exception("dispatch failed for a %s message from %s", update.kind, self.mask(update.user_id))
                return Reply.of(SORRY)
            if answered_late or update.dedup_key in self._late_here:
                return None  # a retry of a message whose reply goes out late
            return reply
        if update.dedup_key:
            self._late_here[update.dedup_key] = asyncio.get_running_loop().time() + LATE_MEMORY
        log.info("%s reply to %s over budget (%.1fs): answering later", self.channel, self.mask(update.user_id),
                 self.seconds)
        self._spawn(self._reply_late(task, update))
        return None

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for late replies still on their way (used at shutdown and by tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    def _mark(self, update: Update, mark: Callable[..., object]) -> bool:
        with session_scope(self.engine) as session:
            return bool(mark(session, channel=self.channel, dedup_key=update.dedup_key or "", user_id=update.user_id))

    async def _reply_late(self, task: asyncio.Future[Dispatched], update: Update) -> None:
        """Mark the message as answered late, then send the reply when the handler is done —
        unless another late answer to it (a retry that overran the budget too) sent it."""
        if update.dedup_key:
            # Spawned, not awaited before acknowledging: on SQLite this insert waits for the
            # slow handler's write lock.
            await to_thread.run_sync(self._mark, update, mark_late)
        try:
            reply, _ = await task
        except Exception:
            log.exception("late dispatch failed for %s", self.mask(update.user_id))
            reply = Reply.of(SORRY)
        if reply is None or reply.empty:
            return
        if update.dedup_key and not await to_thread.run_sync(self._mark, update, claim_send):
            return
        result = await self.send(update.user_id, reply.as_text())
        if not result.delivered:
            log.warning("late %s reply to %s not delivered: %s", self.channel, self.mask(update.user_id),
                        result.reason)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("late %s reply failed", self.channel, exc_info=task.exception())
        now = asyncio.get_running_loop().time()
        for key in [k for k, until in self._late_here.items() if until < now]:
            del self._late_here[key]

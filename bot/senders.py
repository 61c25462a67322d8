"""The push senders of the configured channels, behind the delivery worker's `Sender` shape."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session

from bot.delivery import Outcome, Sender, SendResult
from bot.messages import Reply
from bot.settings import Settings
from storage.models import utcnow

if TYPE_CHECKING:  # each channel is imported only when it is configured
    from bot.channels.telegram.sender import TelegramSender
    from bot.channels.wechat.delivery import DeliveryResult, WeChatMessenger


class WeChatPushes:
    """Pushes on WeChat: customer-service message in the window, template message outside it.
    The delivery worker asks `room` first and plans what goes (bot.quota)."""

    def __init__(self, messenger: WeChatMessenger) -> None:
        self.messenger = messenger

    @property
    def template(self) -> bool:
        return bool(self.messenger.has_template)

    def room(self, session: Session, user_id: str, now: datetime) -> int:
        from bot.channels.wechat.window import room

        return room(session, user_id=user_id, now=now)

    async def send(self, user_id: str, texts: list[str]) -> SendResult:
        return self._result(await self.messenger.send_text(user_id, "\n\n".join(texts)))

    async def send_template(self, user_id: str, texts: list[str]) -> SendResult:
        return self._result(await self.messenger.send_template_text(user_id, "\n\n".join(texts)))

    @staticmethod
    def _result(result: DeliveryResult) -> SendResult:
        if result.delivered:
            return SendResult(Outcome.SENT)
        if result.window_closed:
            return SendResult(Outcome.WAIT, error=result.reason)
        return SendResult(Outcome.PERMANENT if result.permanent else Outcome.RETRY, error=result.reason)


class TelegramPushes:
    """Pushes on Telegram, inside its overall and per-chat rate limits."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def send(self, user_id: str, texts: list[str]) -> SendResult:
        from bot.channels.telegram.sender import Delivery

        result = await self.sender.send(user_id, Reply(tuple(texts)))
        if result.status is Delivery.SENT:
            return SendResult(Outcome.SENT)
        outcome = Outcome.PERMANENT if result.status is Delivery.FAILED_PERMANENT else Outcome.RETRY
        return SendResult(outcome, error=result.reason, retry_after=result.retry_after)


@asynccontextmanager
async def open_senders(settings: Settings, engine: Engine, *,
                       clock: Callable[[], datetime] = utcnow) -> AsyncIterator[dict[str, Sender]]:
    """A sender for each channel that has credentials configured; closed on exit."""
    senders: dict[str, Sender] = {}
    async with AsyncExitStack() as stack:
        if settings.wechat_appid and settings.wechat_secret:
            from bot.channels.wechat.client import WeChatClient
            from bot.channels.wechat.delivery import WeChatMessenger

            client = WeChatClient(settings, engine, clock=clock)
            stack.push_async_callback(client.aclose)
            senders["wechat"] = WeChatPushes(WeChatMessenger(client, engine, settings, clock=clock))
        if settings.telegram_token:
            from bot.channels.telegram.sender import open_sender

            senders["telegram"] = TelegramPushes(await stack.enter_async_context(open_sender(settings, engine=engine)))
        yield senders

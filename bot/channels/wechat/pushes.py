"""Pushes on WeChat for the delivery worker: customer-service message in the window, template
message outside it; the worker asks `room` first and plans what goes (bot.quota)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.channels.base import PushMessage, SendResult
from bot.channels.wechat.delivery import WeChatMessenger
from bot.channels.wechat.window import room


class WeChatPushes:
    def __init__(self, messenger: WeChatMessenger) -> None:
        self.messenger = messenger

    @property
    def template(self) -> bool:
        return self.messenger.has_template

    def room(self, session: Session, user_id: str, now: datetime) -> int:
        return room(session, user_id=user_id, now=now)

    async def send(self, message: PushMessage) -> SendResult:
        text = "\n\n".join(message.texts)
        if message.template:
            return await self.messenger.send_template_text(message.user_id, text)
        return await self.messenger.send_text(message.user_id, text)

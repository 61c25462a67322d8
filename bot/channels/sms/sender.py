"""SMS pushes for the delivery worker: the approved template of the row's kind filled from the
push's fields (the notice template, with the push's own words trimmed, for the other kinds and
for a push without the fields), paid for by its parts from the monthly budget before the
provider is called."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.channels.base import Hold, Outcome, PushMessage, SendResult
from bot.channels.phone import Budget
from bot.channels.phone_templates import push_fields
from bot.channels.sms.provider import SmsProvider
from bot.channels.sms.text import signed_parts
from storage.phone import to_milli

CHANNEL = "sms"


class SmsPushes:
    def __init__(self, provider: SmsProvider, budget: Budget, *, price: float) -> None:
        self.provider = provider
        self.budget = budget
        self.price = to_milli(price)

    def gate(self, session: Session, *, worker_id: int, kind: str, ref_id: int | None, now: datetime) -> Hold | None:
        return self.budget.hold(session, self.price, now)

    async def send(self, message: PushMessage) -> SendResult:
        filled = self.provider.templates.fill(message.kind, push_fields(message.texts, message.params))
        if filled is None:
            return SendResult(Outcome.PERMANENT, reason=f"没有配置“{message.kind}”这类短信的模板")
        count = signed_parts(filled.text, self.provider.sign_name)
        return await self.budget.spend(
            self.price * count, channel=CHANNEL, user_id=message.user_id, kind=message.kind,
            send=lambda: self.provider.send(message.user_id, filled.code, filled.params))

"""SMS pushes for the delivery worker: the template of the row's kind (JOBBOT_SMS_TEMPLATE_<KIND>,
NOTICE for the rest), filled with the row's params or else with the text as `content`, fitted to
one message where possible, and paid for from the monthly budget before the provider is called."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.channels.base import Hold, Outcome, PushMessage, SendResult
from bot.channels.phone import Budget
from bot.channels.sms.provider import SmsProvider
from bot.channels.sms.text import fit
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
        template = self.provider.template_for(message.kind)
        if template is None:
            return SendResult(Outcome.PERMANENT, reason=f"没有配置“{message.kind}”这类短信的模板")
        if message.params:
            params, count = dict(message.params), 1
        else:
            content, count = fit(message.texts, self.provider.sign_name)
            params = {"content": content}
        return await self.budget.spend(
            self.price * count, channel=CHANNEL, user_id=message.user_id, kind=message.kind,
            send=lambda: self.provider.send(message.user_id, template, params))

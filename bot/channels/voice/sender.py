"""Calls for the delivery worker: a call carries only a fair reminder, a fair's change or a
consent code, in its TTS template filled from the push's fields; it is made between 08:00 and
20:00 local time, once per fair per person, and is paid for from the monthly budget before the
provider is called. Other kinds, and a kind without a TTS template, go by the person's SMS
number (`fallback`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.channels.base import Hold, Outcome, PushMessage, SendResult
from bot.channels.phone import Budget
from bot.channels.phone_templates import push_fields
from bot.channels.voice.provider import VoiceProvider
from storage.phone import already_reached, to_milli

CHANNEL = "voice"
FAIR = "fair"  # the reminder: one call per fair
KINDS = {FAIR, "fair_change", "consent"}  # what a call may carry (storage.push_kinds)
HOURS = (time(8), time(20))


class VoicePushes:
    fallback: str | None = "sms"

    def __init__(self, provider: VoiceProvider, budget: Budget, *, price: float, tz: ZoneInfo) -> None:
        self.provider = provider
        self.budget = budget
        self.price = to_milli(price)
        self.tz = tz

    def takes(self, kind: str) -> bool:
        """A kind calls carry and the account has a TTS template for (else it goes by SMS)."""
        return kind in KINDS and kind in self.provider.templates.codes

    def gate(self, session: Session, *, worker_id: int, kind: str, ref_id: int | None, now: datetime) -> Hold | None:
        local = now.astimezone(self.tz)
        start, end = HOURS
        if not start <= local.time() < end:
            day = local.date() + timedelta(days=1) if local.time() >= end else local.date()
            return Hold("电话只在8点到20点之间打", until=datetime.combine(day, start, self.tz))
        if kind == FAIR and ref_id is not None and already_reached(session, worker_id=worker_id, kinds=[FAIR],
                                                                   ref_id=ref_id, channel=CHANNEL):
            return Hold("这场招聘会已经打电话提醒过")
        return self.budget.hold(session, self.price, now)

    async def send(self, message: PushMessage) -> SendResult:
        filled = self.provider.templates.fill(message.kind, push_fields(message.texts, message.params))
        if filled is None:
            return SendResult(Outcome.PERMANENT, reason=f"“{message.kind}”这条消息缺少语音模板要填的内容")
        return await self.budget.spend(
            self.price, channel=CHANNEL, user_id=message.user_id, kind=message.kind,
            send=lambda: self.provider.call(message.user_id, filled.code, filled.params))

"""Before a push to many people is sent: how many go by chat, by SMS and by call, and what the
SMS and calls cost at the configured prices against what is left of the month's budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.channels.phone import BUDGET_USED, month_of
from bot.channels.phone_templates import TemplateSet, push_fields
from bot.channels.sms.text import signed_parts
from bot.channels.voice.sender import KINDS as CALL_KINDS
from bot.settings import Settings
from storage import phone
from storage.accounts import push_channels


@dataclass(frozen=True)
class Preview:
    """Where a push to many people goes and what the phone part costs, before it is sent."""

    chat: int
    sms: int
    calls: int
    none: int  # reached only by a call, which does not carry this kind
    cost_milli: int
    left_milli: int  # of this month's budget

    @property
    def warning(self) -> str | None:
        if self.left_milli <= 0 and (self.sms or self.calls):
            return BUDGET_USED
        if self.cost_milli > self.left_milli:
            return f"本月短信/电话预算只剩 {self.left_milli / 1000:.2f} 元，不够全部发出，其余等下个月"
        return None

    def to_dict(self) -> dict[str, object]:
        return {"chat": self.chat, "sms": self.sms, "calls": self.calls, "none": self.none,
                "cost": round(self.cost_milli / 1000, 2), "left": round(self.left_milli / 1000, 2),
                "warning": self.warning}


def preview(session: Session, settings: Settings, *, worker_ids: list[int], kind: str, texts: tuple[str, ...],
            now: datetime) -> Preview:
    """Count the people by the channel their push goes by (a call only for the kinds calls carry,
    else their SMS number) and price the SMS (by the parts of its template) and calls at the
    configured prices."""
    chat = sms = calls = none = 0
    for (channel, has_sms), n in push_channels(session, worker_ids=worker_ids).items():
        if channel == "voice" and kind in CALL_KINDS:
            calls += n
        elif channel == "sms" or (channel == "voice" and has_sms):
            sms += n
        elif channel == "voice":
            none += n
        else:
            chat += n
    filled = TemplateSet.from_settings("sms", settings).fill(kind, push_fields(texts, {}))
    parts = signed_parts(filled.text, settings.sms_sign_name or "") if filled else 1
    cost = sms * parts * phone.to_milli(settings.sms_price) + calls * phone.to_milli(settings.voice_price)
    month = month_of(now.astimezone(ZoneInfo(settings.timezone)))
    left = phone.to_milli(settings.phone_monthly_budget) - phone.spent(session, month=month)
    return Preview(chat, sms, calls, none, cost, left)

"""Send a consent code to the phone of someone registered by a relative or by village staff:
a fresh code each time (at most `storage.consent` allows), by SMS or call as they chose."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import consent as store
from storage import outbox
from storage.models import Consent
from storage.push_kinds import CONSENT

MINUTES = int(store.CODE_TTL.total_seconds() // 60)


def code_text(code: str, *, by: str) -> str:
    """The consent message to the relative's phone (one SMS: under 70 characters)."""
    return f"{by}正在帮您登记开化零工找活，验证码{code}，{MINUTES}分钟内有效。同意就把验证码告诉{by}，不同意不用理会。"


def send_code(session: Session, *, consent: Consent, now: datetime, by: str) -> bool:
    """Queue a fresh consent code to the relative's phone; False when enough were sent already."""
    code = store.issue_code(session, consent=consent, now=now)
    if code is None:
        return False
    push = outbox.Push(key=f"consent:{consent.id}:{consent.sends}:{code}", worker_id=consent.worker_id,
                       kind=CONSENT, texts=(code_text(code, by=by),), params={"code": code})
    outbox.enqueue(session, [push], now=now)
    return True

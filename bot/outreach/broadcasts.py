"""Staff broadcasts: draft one (checked to be short enough for an elderly reader), confirm it
into the outbox for its audience exactly once, and stop what is still queued. Whatever channel
reaches each person carries it; who is in an audience and the delivery report are
`storage.broadcasts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage import broadcasts as store
from storage.broadcasts import Audience, BroadcastError
from storage.matching import Terms
from storage.models import Broadcast, Fair

MAX_TEXTS, MAX_TEXT_CHARS = 3, 600


def create_broadcast(session: Session, *, texts: Sequence[str], audience: Audience, now: datetime,
                     title: str | None = None, fair_id: int | None = None) -> Broadcast:
    """A draft: nothing is sent until it is confirmed."""
    texts = [t.strip() for t in texts if t and t.strip()]
    if not texts:
        raise BroadcastError("请填写要发的内容")
    if len(texts) > MAX_TEXTS:
        raise BroadcastError(f"一次最多发{MAX_TEXTS}条消息")
    if any(len(t) > MAX_TEXT_CHARS for t in texts):
        raise BroadcastError(f"每条消息不超过{MAX_TEXT_CHARS}个字，老人看着才方便")
    fair_id = fair_id or audience.fair_id
    if fair_id is not None and session.get(Fair, fair_id) is None:
        raise BroadcastError("没有这场招聘会")
    title = (title or "").strip() or texts[0].splitlines()[0][:30]
    return store.add_draft(session, title=title[:128], texts=texts, audience=audience, fair_id=fair_id, now=now)


@dataclass(frozen=True)
class Confirmed:
    queued: int  # pushes added to the outbox by this call
    first: bool  # False when the broadcast had already been confirmed (or stopped)


def confirm_broadcast(session: Session, *, broadcast_id: int, now: datetime, tz: ZoneInfo,
                      terms: Terms | None = None) -> Confirmed:
    """Queue a draft for its audience, once. The audience is taken as it is at this moment."""
    row = store.take_draft(session, broadcast_id=broadcast_id, now=now)
    if row is None:
        if session.get(Broadcast, broadcast_id) is None:
            raise BroadcastError("没有这条通知")
        return Confirmed(0, False)
    return Confirmed(store.queue_for_audience(session, row, now=now, tz=tz, terms=terms), True)


def stop_broadcast(session: Session, *, broadcast_id: int, now: datetime) -> int:
    """Stop what is still queued (what was sent stays sent); returns how many were stopped."""
    if session.get(Broadcast, broadcast_id) is None:
        raise BroadcastError("没有这条通知")
    return store.stop(session, broadcast_id=broadcast_id, now=now)

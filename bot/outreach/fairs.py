"""Fair reminders and change notices: the reminder the day before a fair (everyone wanting
fair reminders) and on its morning (people of its town), and the notice to everyone told
about a fair when staff move or cancel it. Whatever channel reaches each person carries it.

Every function here is idempotent (outbox idempotency keys), so the schedule may run it as
often as it likes and after any restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.settings import Settings
from handlers.fair_text import fair_block, fair_fields, when_text, where_text
from storage import fairs as store
from storage.models import Fair, FairChange

DETAILS_HINT = "回复“招聘会”看详情。"


@dataclass(frozen=True)
class ChangeResult:
    fair: Fair
    change: FairChange | None  # None when nothing changed (the same move twice)
    notified: int  # notices queued


def move_fair(session: Session, *, fair_id: int, starts_at: datetime, ends_at: datetime | None = None,
              venue: str | None = None, reason: str | None = None, now: datetime, tz: ZoneInfo) -> ChangeResult:
    """Move a fair to another time (and/or place) and tell everyone who was told about it."""
    fair = store.locked_fair(session, fair_id)
    this_year = now.astimezone(tz).year
    old_when, old_place, old_times = when_text(fair, tz, this_year=this_year), where_text(fair), \
        (fair.starts_at, store.end_of(fair))
    change = store.move_fair(session, fair, starts_at=starts_at, ends_at=ends_at, venue=venue, reason=reason,
                             now=now)
    if change is None:
        return ChangeResult(fair, None, 0)
    time_moved = (fair.starts_at, store.end_of(fair)) != old_times
    new_when, new_place = when_text(fair, tz, this_year=this_year), where_text(fair)
    if time_moved:
        lines = ["招聘会改时间了", fair.title, f"原来：{old_when}", f"改到：{new_when}", f"地点：{new_place}"]
    else:
        lines = ["招聘会换地点了", fair.title, f"时间：{new_when}", f"原来：{old_place}", f"改到：{new_place}"]
    if time_moved and new_place != old_place:
        lines[-1] = f"地点改到：{new_place}"
    if change.reason:
        lines.append(f"原因：{change.reason}")
    what = "改时间地点了" if time_moved and new_place != old_place else "改时间了" if time_moved else "换地点了"
    notified = store.tell_of_change(session, change, ("\n".join(lines), DETAILS_HINT),
                                    fair_fields(fair, tz, change=what), now)
    return ChangeResult(fair, change, notified)


def cancel_fair(session: Session, *, fair_id: int, reason: str | None = None, now: datetime,
                tz: ZoneInfo) -> ChangeResult:
    """Cancel a fair and tell everyone who was told about it, naming the next fair (cancelling
    twice does nothing)."""
    fair = store.locked_fair(session, fair_id)
    change = store.cancel_fair(session, fair, reason=reason, now=now)
    if change is None:
        return ChangeResult(fair, None, 0)
    this_year = now.astimezone(tz).year
    lines = [fair_block(fair, tz, heading="招聘会取消了，不办了：", this_year=this_year)]
    if change.reason:
        lines.append(f"原因：{change.reason}")
    texts = ["\n".join(lines)]
    following = [f for f in store.upcoming_fairs(session, now=now, limit=5) if f.id != fair.id]
    if following:
        texts.append(fair_block(following[0], tz, heading="下一场招聘会：", this_year=this_year))
    return ChangeResult(fair, change, store.tell_of_change(session, change, tuple(texts),
                                                           fair_fields(fair, tz, change="取消了"), now))


def _at(day: date, clock: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tz)


def queue_fair_reminders(session: Session, now: datetime, tz: ZoneInfo,
                         settings: Settings | None = None) -> dict[str, int]:
    """Queue the reminders due around now; safe to run every few minutes and after restarts.

    - the day before a fair (from `fair_remind_eve`, 09:00): everyone who wants fair reminders;
    - the morning of a fair in a town (from `fair_remind_morning`): people living in that town;
    - reminders still queued for a fair that is over are cancelled.
    The delivery worker holds anything that falls in quiet hours.
    """
    eve_at = settings.fair_remind_eve if settings else "09:00"
    morning_at = settings.fair_remind_morning if settings else "08:00"
    today = now.astimezone(tz).date()
    this_year = today.year
    done = {"eve": 0, "morning": 0, "expired": 0}
    for fair in store.upcoming_fairs(session, now=now, limit=200):
        day = fair.starts_at.astimezone(tz).date()
        if day == today + timedelta(days=1):
            texts = (fair_block(fair, tz, heading="招聘会提醒：", this_year=this_year), DETAILS_HINT)
            done["eve"] += store.queue_reminder(session, fair, kind="eve", day=day, town=None, texts=texts,
                                                fields=fair_fields(fair, tz),
                                                not_before=max(now, _at(today, eve_at, tz)), now=now)
        elif day == today and fair.town and fair.starts_at > now:
            texts = (fair_block(fair, tz, heading="招聘会提醒：就在您的乡镇", this_year=this_year), DETAILS_HINT)
            done["morning"] += store.queue_reminder(session, fair, kind="morning", day=day, town=fair.town,
                                                    texts=texts, fields=fair_fields(fair, tz),
                                                    not_before=max(now, _at(today, morning_at, tz)),
                                                    now=now)
    done["expired"] = store.cancel_unsent_of_ended(session, now)
    return done


def fair_upkeep(session: Session, now: datetime, tz: ZoneInfo, settings: Settings) -> dict[str, int]:
    """The one periodic fair task: generate the fixed fairs ahead, then queue due reminders."""
    generated = store.generate_fixed_fairs(session, now, tz, settings)
    return {"generated": generated, **queue_fair_reminders(session, now, tz, settings)}

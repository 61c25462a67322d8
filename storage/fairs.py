"""Recruitment fairs' rows: the fixed fairs of the 8th and 18th generated from a recurrence
rule, fairs staff add, the next fairs for a person, moving or cancelling a fair (with the
record of the change), and the outbox rows of reminders and change notices. What those say,
and when they are due, is `bot.outreach.fairs`.

Every periodic function here is idempotent (unique `source_key`s and outbox idempotency
keys), so the scheduler may run it as often as it likes and after any restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    literal,
    or_,
    true,
    update,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import outbox
from storage.kept import kept
from storage.models import Broadcast, Employer, Fair, FairChange, FairEmployer, Job, Outbox, Worker, saved_id
from storage.outbox import enqueue_selected
from storage.sql import insert_ignore, stored_ids, table_of

FIXED_DAYS = (8, 18)
FIXED_KIND = "定期招聘会"
KINDS = (FIXED_KIND, "春风送岗", "直播带岗", "代企招聘", "驻点招聘", "其他招聘会")
SCHEDULED, MOVED, CANCELLED = "scheduled", "moved", "cancelled"
LIVE = (SCHEDULED, MOVED)
DEFAULT_LENGTH = timedelta(hours=3)  # for a fair saved without an end time
PUSH_KIND = "fair"  # reminders: the delivery worker sends them only to people wanting fair reminders
CHANGE_KIND = "fair_change"  # a correction to what someone was told: sent unless they 退订
# outbox states meaning "this person was told, or is about to be": they hear of any change
TOLD = (outbox.PENDING, outbox.CLAIMED, outbox.SENDING, outbox.SENT, outbox.HELD, outbox.WAITING, outbox.DOUBT)
NEAR_DAYS = 45  # a fair near the person is kept in a short list only this far ahead


class FairSettings(Protocol):
    """The settings the fair functions read (bot.settings.Settings has them all)."""

    fair_venue: str
    fair_address: str | None
    fair_town: str
    fair_start: str
    fair_end: str
    fair_generate_months: int


class FairError(ValueError):
    """A staff request that cannot be done; the message is shown to staff as is."""


# --- the fixed fairs ------------------------------------------------------------------------------
def fixed_fair_dates(start: date, until: date) -> list[date]:
    """The 8ths and 18ths from `start` to `until`, both included."""
    rule = rrule(MONTHLY, bymonthday=FIXED_DAYS, dtstart=datetime.combine(start, time()),
                 until=datetime.combine(until, time()))
    return [d.date() for d in rule]


def fixed_key(day: date) -> str:
    return f"fixed-{day.isoformat()}"


def fixed_venue(settings: FairSettings) -> str:
    return f"{settings.fair_venue}（{settings.fair_address}）" if settings.fair_address else settings.fair_venue


def generate_fixed_fairs(session: Session, now: datetime, tz: ZoneInfo, settings: FairSettings) -> int:
    """Create the missing fixed fairs from today to `fair_generate_months` ahead; returns how many.

    A fixed fair keeps its `fixed-<original date>` key when staff move or cancel it, so it is
    never created again.
    """
    today = now.astimezone(tz).date()
    start, end = time.fromisoformat(settings.fair_start), time.fromisoformat(settings.fair_end)
    added = 0
    for day in fixed_fair_dates(today, today + relativedelta(months=settings.fair_generate_months)):
        starts = datetime.combine(day, start, tz)
        added += insert_ignore(session, Fair, {
            "source_key": fixed_key(day), "kind": FIXED_KIND, "title": f"{settings.fair_venue}招聘会",
            "town": settings.fair_town, "venue": fixed_venue(settings), "stream_url": None,
            "starts_at": starts, "ends_at": datetime.combine(day, end, tz), "status": SCHEDULED, "job_ids": [],
            "created_at": now, "updated_at": now,
        })
    return added


_FIXED_KEYS = sa_select(table_of(Fair).c.source_key).where(table_of(Fair).c.source_key.startswith("fixed-"))


def _last_fixed_key(connection: Connection) -> str | None:
    return max(connection.scalars(_FIXED_KEYS), default=None)


def ensure_fixed_fairs(session: Session, now: datetime, tz: ZoneInfo, settings: FairSettings) -> int:
    """Generate the fixed fairs only when the next month's are missing (cheap enough per chat:
    the last fixed fair's key is kept in memory, see storage.kept)."""
    ahead = now.astimezone(tz).date() + relativedelta(months=1)
    last = kept(session, "fair", _last_fixed_key)
    if last is not None and last >= fixed_key(ahead):
        return 0
    return generate_fixed_fairs(session, now, tz, settings)


# --- reading fairs --------------------------------------------------------------------------------
def end_of(fair: Fair) -> datetime:
    return fair.ends_at or fair.starts_at + DEFAULT_LENGTH


def _over(now: datetime) -> ColumnElement[bool]:
    return or_(col(Fair.ends_at) <= now,
               and_(col(Fair.ends_at).is_(None), col(Fair.starts_at) <= now - DEFAULT_LENGTH))


_F = table_of(Fair)
_ON = sa_select(_F).where(_F.c.status.in_(LIVE)).order_by(_F.c.starts_at, _F.c.id)


def _fairs_on(connection: Connection) -> tuple[Fair, ...]:
    """Every fair not cancelled, soonest first: rows kept in memory (storage.kept), shared by
    every session of the process, so only read, never added to a session."""
    return tuple(Fair(**row._mapping) for row in connection.execute(_ON))


def upcoming_fairs(session: Session, *, now: datetime, limit: int = 30) -> list[Fair]:
    """Fairs still to come or going on now, soonest first; cancelled ones left out. Read
    only: they are kept in memory between messages."""
    return [fair for fair in kept(session, "fair", _fairs_on) if end_of(fair) > now][:limit]


def live_fair(session: Session, fair_id: int) -> Fair | None:
    """The fair unless it is cancelled (or gone). Read only, like `upcoming_fairs`."""
    return next((fair for fair in kept(session, "fair", _fairs_on) if fair.id == fair_id), None)


def next_fairs(session: Session, *, now: datetime, tz: ZoneInfo, town: str | None = None,
               neighbours: Sequence[str] = (), limit: int = 5) -> list[Fair]:
    """The next fairs by date, soonest first. A fair in the person's own or a neighbouring
    town within NEAR_DAYS that would not make the list takes its last place, still in date
    order: being near never puts a later fair before an earlier one."""
    fairs = upcoming_fairs(session, now=now, limit=40)
    listed = fairs[:limit]
    if not town or limit < 1:
        return listed
    near_until = now + timedelta(days=NEAR_DAYS)

    def near(fair: Fair) -> bool:
        return fair.starts_at <= near_until and (fair.town == town or fair.town in neighbours)

    if not any(near(f) for f in listed):
        later = next((f for f in fairs[limit:] if near(f)), None)
        if later is not None:
            listed = [*listed[:limit - 1], later]
    return listed


def get_fair(session: Session, fair_id: int) -> Fair | None:
    return session.get(Fair, fair_id)


def list_fairs(session: Session, *, start: datetime, end: datetime) -> list[Fair]:
    """Every fair (cancelled ones too) starting in [start, end), by date."""
    return list(session.exec(select(Fair).where(col(Fair.starts_at) >= start, col(Fair.starts_at) < end)
                             .order_by(col(Fair.starts_at), col(Fair.id))))


def fair_jobs(session: Session, fair: Fair, *, open_only: bool = True) -> list[Job]:
    if not fair.job_ids:
        return []
    stmt = select(Job).where(col(Job.id).in_(fair.job_ids))
    if open_only:
        stmt = stmt.where(col(Job.status) == "open")
    return list(session.exec(stmt.order_by(col(Job.id))))


# built once, as it is read for every fair's detail (storage.sql)
_NAMED = sa_select(col(FairEmployer.employer_id)).where(col(FairEmployer.fair_id) == bindparam("fair_id"))
_OFFERING = sa_select(col(Job.employer_id)).where(col(Job.id).in_(bindparam("job_ids", expanding=True)))
_FAIR_EMPLOYERS = select(Employer).where(or_(col(Employer.id).in_(_NAMED), col(Employer.id).in_(_OFFERING))) \
    .order_by(col(Employer.name))


def fair_employers(session: Session, fair: Fair) -> list[Employer]:
    """The employers taking part: those staff named, and those whose jobs are on offer."""
    return list(session.exec(_FAIR_EMPLOYERS, params={"fair_id": fair.id, "job_ids": list(fair.job_ids)}))


def changes(session: Session, fair_id: int) -> list[FairChange]:
    return list(session.exec(select(FairChange).where(col(FairChange.fair_id) == fair_id).order_by(col(FairChange.id))))


# --- staff: add, move, cancel ----------------------------------------------------------------------
def _check_times(starts_at: datetime, ends: datetime | None, now: datetime) -> None:
    if starts_at.tzinfo is None or (ends is not None and ends.tzinfo is None):
        raise FairError("时间缺少时区")
    if ends is not None and ends <= starts_at:
        raise FairError("结束时间要晚于开始时间")
    if (ends or starts_at + DEFAULT_LENGTH) <= now:
        raise FairError("这个时间已经过去了")


def add_fair(session: Session, *, kind: str, title: str, starts_at: datetime, ends_at: datetime | None,
             now: datetime, town: str | None = None, venue: str | None = None, stream_url: str | None = None,
             job_ids: Iterable[int] = (), employer_ids: Iterable[int] = (), source_key: str | None = None) -> Fair:
    """Add a fair staff organised; the same `source_key` twice (a double click) adds it once."""
    title, venue, stream_url = title.strip(), (venue or "").strip() or None, (stream_url or "").strip() or None
    if kind not in KINDS:
        raise FairError(f"招聘会类型只能是：{'、'.join(KINDS)}")
    if not title:
        raise FairError("请填写招聘会名称")
    if not venue and not stream_url:
        raise FairError("请填写地点，或直播链接")
    if stream_url and not stream_url.startswith(("https://", "http://")):
        raise FairError("直播链接要以 https:// 开头")
    _check_times(starts_at, ends_at, now)
    jobs = sorted(set(job_ids))
    if jobs:
        found = set(session.exec(select(col(Job.id)).where(col(Job.id).in_(jobs))))
        if missing := [j for j in jobs if j not in found]:
            raise FairError(f"没有这些岗位：{', '.join(map(str, missing))}")
    key = source_key or f"staff-{uuid.uuid4().hex}"
    insert_ignore(session, Fair, {
        "source_key": key, "kind": kind, "title": title[:128], "town": town or None, "venue": venue,
        "stream_url": stream_url, "starts_at": starts_at, "ends_at": ends_at, "status": SCHEDULED,
        "job_ids": jobs, "created_at": now, "updated_at": now,
    })
    fair = session.exec(select(Fair).where(col(Fair.source_key) == key)).one()
    for employer in set(employer_ids):
        insert_ignore(session, FairEmployer, {"fair_id": fair.id, "employer_id": employer})
    return fair


def set_fair_offer(session: Session, *, fair_id: int, job_ids: Iterable[int], employer_ids: Iterable[int],
                   now: datetime) -> Fair:
    """Replace the jobs on offer and the employers named for a fair."""
    fair = locked_fair(session, fair_id)
    fair.job_ids = sorted(set(job_ids))
    fair.updated_at = now
    session.add(fair)
    session.exec(table_of(FairEmployer).delete().where(col(FairEmployer.fair_id) == fair_id))
    for employer in set(employer_ids):
        insert_ignore(session, FairEmployer, {"fair_id": fair_id, "employer_id": employer})
    return fair


def _told(fair_id: int) -> Select:
    about_fair = and_(col(Outbox.kind).in_((PUSH_KIND, CHANGE_KIND)), col(Outbox.ref_id) == fair_id)
    broadcasts = sa_select(col(Broadcast.id)).where(col(Broadcast.fair_id) == fair_id)
    about_broadcast = and_(col(Outbox.kind) == "broadcast", col(Outbox.ref_id).in_(broadcasts))
    return (sa_select(col(Outbox.worker_id)).distinct()
            .where(or_(about_fair, about_broadcast), col(Outbox.status).in_(TOLD),
                   col(Outbox.worker_id).is_not(None)))


def told_worker_ids(session: Session, fair_id: int) -> list[int]:
    """Everyone who was sent, or is queued to get, anything about this fair: reminders, earlier
    change notices, and broadcasts about it."""
    return sorted(row[0] for row in session.connection().execute(_told(fair_id)))


def locked_fair(session: Session, fair_id: int) -> Fair:
    """The fair, held (a row lock on PostgreSQL) until the transaction ends, to be changed."""
    fair = session.exec(select(Fair).where(col(Fair.id) == fair_id).with_for_update()).first() \
        if session.get_bind().dialect.name == "postgresql" else session.get(Fair, fair_id)
    if fair is None:
        raise FairError("没有这场招聘会")
    return fair


def tell_of_change(session: Session, change: FairChange, texts: tuple[str, ...], fields: dict[str, str],
                   now: datetime) -> int:
    """Queue the notice of a change for everyone told about the fair, then cancel what is still
    queued about it from before (it says the old date or place); returns the notices queued."""
    fair_id, keep = change.fair_id, f"fair-change:{change.id}:"
    notified = enqueue_selected(session, _told(fair_id), key_prefix=keep, kind=CHANGE_KIND, texts=texts,
                                ref_id=fair_id, not_before=now, now=now, params=fields)
    session.exec(update(Outbox).where(
        col(Outbox.kind).in_((PUSH_KIND, CHANGE_KIND)), col(Outbox.ref_id) == fair_id,
        col(Outbox.status).in_(outbox.UNSENT),
        ~col(Outbox.idempotency_key).startswith(keep, autoescape=True)).values(status=outbox.CANCELLED))
    broadcasts = session.connection().execute(sa_select(col(Broadcast.id)).where(col(Broadcast.fair_id) == fair_id))
    for broadcast_id in stored_ids(row[0] for row in broadcasts):
        outbox.cancel(session, kind="broadcast", ref_id=broadcast_id)
    change.notified = notified
    session.add(change)
    return notified


def move_fair(session: Session, fair: Fair, *, starts_at: datetime, ends_at: datetime | None = None,
              venue: str | None = None, reason: str | None = None, now: datetime) -> FairChange | None:
    """Move a fair (from `locked_fair`) to another time and/or place and record the change;
    None when it is where and when it already was (the same move twice)."""
    if fair.status == CANCELLED:
        raise FairError("这场招聘会已经取消了，不能改期")
    if ends_at is None:
        ends_at = starts_at + (end_of(fair) - fair.starts_at)
    _check_times(starts_at, ends_at, now)
    venue = (venue or "").strip() or fair.venue
    if starts_at == fair.starts_at and ends_at == end_of(fair) and venue == fair.venue:
        return None
    change = FairChange(fair_id=saved_id(fair), action=MOVED, old_starts_at=fair.starts_at, new_starts_at=starts_at,
                        old_venue=fair.venue, new_venue=venue, reason=(reason or "").strip()[:256] or None,
                        created_at=now)
    fair.starts_at, fair.ends_at, fair.venue, fair.status, fair.updated_at = starts_at, ends_at, venue, MOVED, now
    session.add_all([fair, change])
    session.flush()
    return change


def cancel_fair(session: Session, fair: Fair, *, reason: str | None = None, now: datetime) -> FairChange | None:
    """Cancel a fair (from `locked_fair`) and record it; None when it was cancelled already."""
    if fair.status == CANCELLED:
        return None
    if end_of(fair) <= now:
        raise FairError("这场招聘会已经结束了")
    change = FairChange(fair_id=saved_id(fair), action=CANCELLED, old_starts_at=fair.starts_at, old_venue=fair.venue,
                        reason=(reason or "").strip()[:256] or None, created_at=now)
    fair.status, fair.updated_at = CANCELLED, now
    session.add_all([fair, change])
    session.flush()
    return change


# --- reminders -------------------------------------------------------------------------------------
def queue_reminder(session: Session, fair: Fair, *, kind: str, day: date, town: str | None,
                   texts: tuple[str, ...], fields: dict[str, str], not_before: datetime, now: datetime) -> int:
    """Queue one reminder per wanting worker (in `town`, if given) who has none for this fair,
    kind and date yet; returns how many were queued."""
    w = table_of(Worker)
    prefix = f"fair-remind:{fair.id}:{kind}:{day.isoformat()}:"
    # the keys already queued are skipped by the insert anyway; leaving them out first makes reruns cheap
    already = exists().where(col(Outbox.idempotency_key) == literal(prefix, String) + cast(w.c.id, String))
    wanting = sa_select(w.c.id).where(w.c.subscribed == true(), w.c.want_fair_push == true(), ~already)
    if town is not None:
        wanting = wanting.where(w.c.town == town)
    return enqueue_selected(session, wanting, key_prefix=prefix, kind=PUSH_KIND, texts=texts, ref_id=fair.id,
                            not_before=not_before, now=now, params=fields)


def cancel_unsent_of_ended(session: Session, now: datetime) -> int:
    """Cancel the reminders and change notices still queued for fairs that are over."""
    over = session.exec(select(col(Fair.id)).where(
        col(Fair.starts_at) > now - timedelta(days=30), _over(now))).all()
    return sum(outbox.cancel(session, kind=kind, ref_id=fair_id)
               for fair_id in stored_ids(over) for kind in (PUSH_KIND, CHANGE_KIND))

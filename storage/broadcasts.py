"""Staff broadcasts' rows: who is in an audience and its reach, a draft, flipping it to
queued and queuing it for its audience, stopping it, and its delivery report. Drafting,
confirming and stopping as staff do it is `bot.outreach.broadcasts`.

A broadcast is never sent twice to a person: confirming flips the row from `draft` to
`queued` in one conditional UPDATE (a second confirm finds nothing to flip), and every push
carries the key `broadcast:<id>:<worker id>` (a rerun after a crash adds nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import outbox
from storage.fairs import fair_jobs
from storage.matching import Terms, matching_workers
from storage.models import Broadcast, Fair, Outbox, Worker, WorkerSkill, saved_id
from storage.outbox import Push, enqueue_selected
from storage.sql import table_of

PUSH_KIND = "broadcast"
DRAFT, QUEUED, STOPPED = "draft", "queued", "stopped"
# code: (label, lowest age, highest age)
AGE_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "u40": ("40岁以下", None, 39),
    "40s": ("40到49岁", 40, 49),
    "50s": ("50到59岁", 50, 59),
    "60s": ("60到69岁", 60, 69),
    "70up": ("70岁及以上", 70, None),
}
STATUS_LABELS = {
    outbox.PENDING: "排队中", outbox.CLAIMED: "发送中", outbox.SENDING: "发送中", outbox.SENT: "已送达",
    outbox.FAILED: "失败", outbox.SKIPPED: "未发（退订、免打扰等）", outbox.CANCELLED: "已停止",
    outbox.DOUBT: "不确定是否送达", outbox.HELD: "暂缓", outbox.WAITING: "等本人下次发消息",
}
# The report's rows in order, each with the outbox statuses it counts: a row being claimed and
# one being sent are the same thing to staff ("发送中"), so they share a row.
REPORT_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pending", (outbox.PENDING,)), ("sending", (outbox.CLAIMED, outbox.SENDING)), ("sent", (outbox.SENT,)),
    ("failed", (outbox.FAILED,)), ("skipped", (outbox.SKIPPED,)), ("doubt", (outbox.DOUBT,)),
    ("held", (outbox.HELD,)), ("cancelled", (outbox.CANCELLED,)),
)


class BroadcastError(ValueError):
    """A request staff cannot make; the message is shown to them as is."""


@dataclass(frozen=True)
class Audience:
    """Who gets a broadcast: subscribed workers, narrowed by every filter given (none = all)."""

    towns: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    registered_since: date | None = None
    fair_id: int | None = None  # people the fair's jobs suit (or who want fair reminders)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Audience:
        bands = tuple(str(b) for b in data.get("age_bands") or ())
        if unknown := [b for b in bands if b not in AGE_BANDS]:
            raise BroadcastError(f"不认识的年龄段：{'、'.join(unknown)}")
        since = data.get("registered_since") or None
        fair_id = data.get("fair_id") or None
        try:
            return cls(tuple(str(t) for t in data.get("towns") or ()), tuple(str(s) for s in data.get("skills") or ()),
                       bands, date.fromisoformat(since) if isinstance(since, str) else since,
                       int(fair_id) if fair_id is not None else None)
        except (TypeError, ValueError) as error:
            raise BroadcastError("人群条件格式不对") from error

    def to_dict(self) -> dict[str, Any]:
        return {"towns": list(self.towns), "skills": list(self.skills), "age_bands": list(self.age_bands),
                "registered_since": self.registered_since.isoformat() if self.registered_since else None,
                "fair_id": self.fair_id}

    @property
    def everyone(self) -> bool:
        return not (self.towns or self.skills or self.age_bands or self.registered_since or self.fair_id)


def _base_select(audience: Audience, *, now: datetime, tz: ZoneInfo) -> Select:
    """(id, town) of the subscribed workers the filters SQL can express select (all but fair_id)."""
    w = table_of(Worker)
    conditions: list[Any] = [w.c.subscribed == true()]
    if audience.towns:
        conditions.append(w.c.town.in_(audience.towns))
    if audience.skills:
        ws = table_of(WorkerSkill)
        conditions.append(exists().where(ws.c.worker_id == w.c.id, ws.c.skill.in_(audience.skills)))
    if audience.age_bands:
        year, bands = now.astimezone(tz).year, []
        for code in audience.age_bands:
            _, low, high = AGE_BANDS[code]
            band: list[ColumnElement[bool]] = [w.c.birth_year.is_not(None)]
            if low is not None:
                band.append(w.c.birth_year <= year - low)
            if high is not None:
                band.append(w.c.birth_year >= year - high)
            bands.append(and_(*band))
        conditions.append(or_(*bands))
    if audience.registered_since:
        conditions.append(w.c.created_at >= datetime.combine(audience.registered_since, time(), tz))
    return sa_select(w.c.id, w.c.town).where(*conditions)


def _base_rows(session: Session, audience: Audience, *, now: datetime, tz: ZoneInfo) -> list[tuple[int, str | None]]:
    stmt = _base_select(audience, now=now, tz=tz).order_by("id")
    return [(row[0], row[1]) for row in session.connection().execute(stmt)]


def fair_audience_ids(session: Session, fair_id: int, *, now: datetime, tz: ZoneInfo,
                      terms: Terms | None) -> set[int]:
    """People a fair suits: whom any of its open jobs suit; for a fair without jobs, everyone
    who asked for fair reminders."""
    fair = session.get(Fair, fair_id)
    if fair is None:
        raise BroadcastError("没有这场招聘会")
    jobs = fair_jobs(session, fair)
    if not jobs:
        w = table_of(Worker)
        return {row[0] for row in session.connection().execute(sa_select(w.c.id).where(w.c.want_fair_push == true()))}
    if terms is None:
        raise ValueError("matching a fair's jobs needs the matching terms")
    year = now.astimezone(tz).year
    return {m.worker_id for job in jobs for m in matching_workers(session, job=job, year=year, terms=terms)}


def _audience_rows(session: Session, audience: Audience, *, now: datetime, tz: ZoneInfo,
                   terms: Terms | None) -> list[tuple[int, str | None]]:
    rows = _base_rows(session, audience, now=now, tz=tz)
    if audience.fair_id is not None:
        suited = fair_audience_ids(session, audience.fair_id, now=now, tz=tz, terms=terms)
        rows = [r for r in rows if r[0] in suited]
    return rows


def audience_ids(session: Session, audience: Audience, *, now: datetime, tz: ZoneInfo,
                 terms: Terms | None = None) -> list[int]:
    """The ids of the subscribed workers an audience names, ascending."""
    return [worker_id for worker_id, _ in _audience_rows(session, audience, now=now, tz=tz, terms=terms)]


@dataclass(frozen=True)
class Reach:
    total: int
    by_town: list[tuple[str, int]] = field(default_factory=list)


def reach(session: Session, audience: Audience, *, now: datetime, tz: ZoneInfo,
          terms: Terms | None = None) -> Reach:
    """How many people an audience reaches, and how many in each town (for the preview)."""
    counted: dict[str, int] = {}
    rows = _audience_rows(session, audience, now=now, tz=tz, terms=terms)
    for _, town in rows:
        counted[town or "未填乡镇"] = counted.get(town or "未填乡镇", 0) + 1
    return Reach(len(rows), sorted(counted.items(), key=lambda p: (-p[1], p[0])))


# --- lifecycle rows (bot.outreach.broadcasts drafts, confirms and stops) -------------------------------
def add_draft(session: Session, *, title: str, texts: Sequence[str], audience: Audience, fair_id: int | None,
              now: datetime) -> Broadcast:
    row = Broadcast(title=title, texts=list(texts), audience=audience.to_dict(), fair_id=fair_id, status=DRAFT,
                    created_at=now)
    session.add(row)
    session.flush()
    return row


def take_draft(session: Session, *, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Flip a draft to queued in one conditional UPDATE and return it; None when it is no draft
    (confirmed or stopped already, or missing): a second confirm finds nothing to flip."""
    flipped = session.connection().execute(
        update(Broadcast).where(col(Broadcast.id) == broadcast_id, col(Broadcast.status) == DRAFT)
        .values(status=QUEUED, confirmed_at=now).returning(col(Broadcast.id))).first()
    if flipped is None:
        return None
    return session.exec(select(Broadcast).where(col(Broadcast.id) == broadcast_id)
                        .execution_options(populate_existing=True)).one()


def queue_for_audience(session: Session, row: Broadcast, *, now: datetime, tz: ZoneInfo,
                       terms: Terms | None = None) -> int:
    """Queue the broadcast for its audience as it is now and count them on its row; returns how
    many were queued (none twice: each push's key is `broadcast:<id>:<worker id>`)."""
    broadcast_id = saved_id(row)
    audience, texts, prefix = Audience.from_dict(row.audience), tuple(row.texts), f"broadcast:{broadcast_id}:"
    if audience.fair_id is None:  # the whole audience is one query: queue it without a round trip per person
        queued = enqueue_selected(session, _base_select(audience, now=now, tz=tz), key_prefix=prefix,
                                  kind=PUSH_KIND, texts=texts, ref_id=broadcast_id, not_before=now, now=now)
    else:
        ids = audience_ids(session, audience, now=now, tz=tz, terms=terms)
        queued = outbox.enqueue(session, (Push(key=prefix + str(wid), worker_id=wid, kind=PUSH_KIND, texts=texts,
                                               ref_id=broadcast_id, not_before=now) for wid in ids), now=now)
    session.connection().execute(update(Broadcast).where(col(Broadcast.id) == broadcast_id)
                                 .values(queued=col(Broadcast.queued) + queued))
    return queued


def stop(session: Session, *, broadcast_id: int, now: datetime) -> int:
    """Cancel what is still queued and mark the broadcast stopped; returns how many were cancelled."""
    stopped = outbox.cancel(session, kind=PUSH_KIND, ref_id=broadcast_id)
    session.connection().execute(update(Broadcast).where(
        col(Broadcast.id) == broadcast_id, col(Broadcast.status) != STOPPED).values(status=STOPPED, stopped_at=now))
    return stopped


def get_broadcast(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.exec(select(Broadcast).where(col(Broadcast.id) == broadcast_id)
                        .execution_options(populate_existing=True)).first()


def list_broadcasts(session: Session, *, limit: int = 50, offset: int = 0, town: str | None = None) -> list[Broadcast]:
    """The newest broadcasts; with `town`, only those addressed to that town alone (a town's staff)."""
    stmt = select(Broadcast).order_by(col(Broadcast.id).desc())
    if town is None:
        return list(session.exec(stmt.offset(offset).limit(limit)))
    own = [row for row in session.exec(stmt) if list(row.audience.get("towns") or ()) == [town]]
    return own[offset:offset + limit]


@dataclass(frozen=True)
class Report:
    """A broadcast's delivery so far: rows per outbox status, and why the unsent ones were not."""

    counts: dict[str, int]
    waiting: int  # pending rows whose time has not come (quiet hours, daily cap)
    reasons: list[tuple[str, str, int]]  # (status, reason, how many): unsent, or waiting for a reason

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        return not any(self.counts.get(s) for s in (outbox.CLAIMED, outbox.SENDING, *outbox.UNSENT))

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(row, label, how many) for every row of the report (REPORT_ROWS), zeros included."""
        return [(row, STATUS_LABELS[statuses[0]], sum(self.counts.get(s, 0) for s in statuses))
                for row, statuses in REPORT_ROWS]

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts,
                "rows": [{"row": row, "label": label, "count": n} for row, label, n in self.rows],
                "waiting": self.waiting,
                "total": self.total, "finished": self.finished,
                "labels": {s: STATUS_LABELS.get(s, s) for s in self.counts},
                "reasons": [{"status": s, "label": STATUS_LABELS.get(s, s), "reason": r, "count": n}
                            for s, r, n in self.reasons]}


def report(session: Session, *, broadcast_id: int, now: datetime) -> Report:
    counts = outbox.counts(session, kind=PUSH_KIND, ref_id=broadcast_id)
    mine = and_(col(Outbox.kind) == PUSH_KIND, col(Outbox.ref_id) == broadcast_id)
    waiting = session.connection().execute(sa_select(func.count()).select_from(Outbox).where(
        mine, col(Outbox.status) == outbox.PENDING, col(Outbox.not_before) > now)).scalar_one()
    reasons = session.connection().execute(
        sa_select(col(Outbox.status), col(Outbox.last_error), func.count())
        .where(mine, col(Outbox.status).in_((outbox.FAILED, outbox.SKIPPED, outbox.DOUBT, *outbox.UNSENT)),
               or_(col(Outbox.status) != outbox.PENDING, col(Outbox.last_error).is_not(None)))
        .group_by(col(Outbox.status), col(Outbox.last_error)).order_by(func.count().desc()).limit(20)).all()
    return Report(counts, waiting, [(s, e or "未说明", n) for s, e, n in reasons])

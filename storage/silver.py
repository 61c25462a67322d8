"""数字银龄: elderly people's three maps (what they want to learn, work at, serve), the three
tables of needs staff keep (training, jobs, volunteering), matching the two (表图对接), and
the placements back into work that count towards the plan's 3,000 a year."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, exists, func, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import outbox
from storage.models import JobApplication, Outbox, SilverChoice, SilverNeed, SilverPlacement, Worker
from storage.sql import stored_ids

KINDS = ("learn", "work", "serve")
OPEN, CLOSED = "open", "closed"
PUSH_KIND = "silver"


class SilverError(ValueError):
    """Something staff asked for that cannot be done; the message says why, in Chinese."""


def push_key(need_id: int, worker_id: int) -> str:
    return f"silver:{need_id}:{worker_id}"


# --- the three maps ---------------------------------------------------------------------------------
def save_choices(session: Session, *, worker_id: int, choices: Mapping[str, Sequence[str]], now: datetime) -> None:
    """Replace the person's answers on the three maps."""
    session.exec(delete(SilverChoice).where(col(SilverChoice.worker_id) == worker_id))
    session.add_all(SilverChoice(worker_id=worker_id, kind=kind, code=code, created_at=now)
                    for kind in KINDS for code in dict.fromkeys(choices.get(kind, ())))
    session.flush()


def choices_of(session: Session, *, worker_id: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for row in session.exec(select(SilverChoice).where(col(SilverChoice.worker_id) == worker_id)):
        found.setdefault(row.kind, []).append(row.code)
    return found


def map_counts(session: Session) -> dict[str, dict[str, int]]:
    """How many people chose each option on each map (the 3 maps as numbers)."""
    counts: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    rows = session.connection().execute(
        sa_select(col(SilverChoice.kind), col(SilverChoice.code), func.count()).group_by(col(SilverChoice.kind),
                                                                                         col(SilverChoice.code)))
    for kind, code, n in rows:
        counts.setdefault(kind, {})[code] = n
    return counts


def people_count(session: Session) -> int:
    return int(session.connection().execute(
        sa_select(func.count(func.distinct(col(SilverChoice.worker_id))))).scalar_one())


# --- the three tables and matching ------------------------------------------------------------------
def add_need(session: Session, *, fields: dict[str, Any], now: datetime) -> SilverNeed:
    if fields.get("kind") not in KINDS:
        raise SilverError("需求类型只能是 培训(learn)、就业(work) 或 公益(serve)")
    need = SilverNeed(**fields, status=OPEN, created_at=now)
    session.add(need)
    session.flush()
    return need


def get_need(session: Session, need_id: int) -> SilverNeed | None:
    return session.get(SilverNeed, need_id)


def list_needs(session: Session, *, status: str | None = OPEN, limit: int = 200) -> list[SilverNeed]:
    stmt = select(SilverNeed)
    if status:
        stmt = stmt.where(col(SilverNeed.status) == status)
    return list(session.exec(stmt.order_by(col(SilverNeed.id).desc()).limit(limit)))


def close_need(session: Session, *, need_id: int) -> bool:
    need = session.get(SilverNeed, need_id)
    if need is None:
        return False
    need.status = CLOSED
    session.add(need)
    return True


def _near(need: SilverNeed) -> Any:
    """A need in a town suits people of that town and people who go anywhere in the county."""
    if not need.town:
        return true()
    return or_(col(Worker.town) == need.town, col(Worker.travel_range) == "county")


def matching_worker_ids(session: Session, *, need: SilverNeed) -> list[int]:
    """People whose map holds the need's option, near enough, still wanting messages, and not
    already placed in it."""
    chose = exists().where(col(SilverChoice.worker_id) == col(Worker.id), col(SilverChoice.kind) == need.kind,
                           col(SilverChoice.code) == need.code)
    placed = exists().where(col(SilverPlacement.worker_id) == col(Worker.id), col(SilverPlacement.need_id) == need.id)
    stmt = sa_select(col(Worker.id)).where(chose, ~placed, col(Worker.subscribed) == true(),
                                           _near(need)).order_by(col(Worker.id))
    return stored_ids(row[0] for row in session.connection().execute(stmt))


def needs_for(session: Session, *, worker: Worker) -> list[SilverNeed]:
    """Open needs that match the person's maps (the same rule as `matching_worker_ids`)."""
    chosen = session.exec(select(SilverChoice).where(col(SilverChoice.worker_id) == worker.id))
    mine = {(c.kind, c.code) for c in chosen}
    placed = set(session.exec(select(col(SilverPlacement.need_id)).where(col(SilverPlacement.worker_id) == worker.id)))
    found = []
    for need in list_needs(session):
        near = not need.town or need.town == worker.town or worker.travel_range == "county"
        if (need.kind, need.code) in mine and near and need.id not in placed:
            found.append(need)
    return found


# --- placements -------------------------------------------------------------------------------------
def add_placement(session: Session, *, worker_id: int, work: str, employer: str | None, placed_on: date,
                  need_id: int | None, application_id: int | None, now: datetime) -> SilverPlacement:
    """Record a return to work; one through a 报名 also marks that application placed."""
    if session.get(Worker, worker_id) is None:
        raise SilverError("没有这个求职者")
    if application_id is not None:
        application = session.get(JobApplication, application_id)
        if application is None or application.worker_id != worker_id:
            raise SilverError("这个报名记录不是这个人的")
        if session.exec(select(SilverPlacement).where(col(SilverPlacement.application_id) == application_id)).first():
            raise SilverError("这次报名已经记过再就业了")
        application.status = "placed"
        session.add(application)
    placement = SilverPlacement(worker_id=worker_id, work=work, employer=employer, placed_on=placed_on,
                                need_id=need_id, application_id=application_id, created_at=now)
    session.add(placement)
    if need_id is not None:  # an offer of the need still queued for her is no longer news
        session.exec(update(Outbox).where(col(Outbox.idempotency_key) == push_key(need_id, worker_id),
                                          col(Outbox.status).in_(outbox.UNSENT)).values(status=outbox.CANCELLED))
    session.flush()
    return placement


def list_placements(session: Session, *, limit: int = 100) -> list[SilverPlacement]:
    return list(session.exec(select(SilverPlacement).order_by(col(SilverPlacement.id).desc()).limit(limit)))


def placements_without_application(session: Session, *, first_day: date, last_day: date, born_by: int) -> int:
    """Placements staff recorded directly (not through a 报名) in a span, of people born by a year."""
    return int(session.connection().execute(
        sa_select(func.count()).select_from(SilverPlacement)
        .join(Worker, col(Worker.id) == col(SilverPlacement.worker_id))
        .where(col(SilverPlacement.application_id).is_(None), col(SilverPlacement.placed_on) >= first_day,
               col(SilverPlacement.placed_on) <= last_day, col(Worker.birth_year) <= born_by)
    ).scalar_one())


def placed_worker_ids(session: Session) -> set[int]:
    return set(session.exec(select(col(SilverPlacement.worker_id))))

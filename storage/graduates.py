"""Returning graduates (回乡大学生) and the plan's promise to each (measure 14): one career-guidance
talk, three job recommendations and one training. Also the internship bases (就业见习基地).

The three recommendations are held to three by the database itself (slots 1–3, one row per
slot and per job), and `add_recommendation` takes them in turns under a lock on the graduate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import CourseSignup, Graduate, GraduateRecommendation, InternshipBase, Job, Worker
from storage.sql import insert_ignore

PROMISED = 3
WISHES = {"job": "找工作", "internship": "就业见习", "business": "自己创业", "undecided": "还没想好"}
PUSH_KIND = "graduate"
KEPT_KIND = "promise"  # telling the graduate that staff recorded his guidance talk or training


def push_key(graduate_id: int, job_id: int) -> str:
    return f"grad-job:{graduate_id}:{job_id}"


def save_graduate(session: Session, *, worker_id: int, school: str, major: str, grad_year: int, wish: str,
                  now: datetime) -> Graduate:
    """Register the person as a graduate, or update what they told us before."""
    graduate = get_graduate(session, worker_id=worker_id) or Graduate(
        worker_id=worker_id, school=school, major=major, grad_year=grad_year, wish=wish, created_at=now)
    graduate.school, graduate.major, graduate.grad_year, graduate.wish = school, major, grad_year, wish
    graduate.updated_at = now
    session.add(graduate)
    session.flush()
    return graduate


def get_graduate(session: Session, *, worker_id: int) -> Graduate | None:
    return session.exec(select(Graduate).where(col(Graduate.worker_id) == worker_id)).first()


def recommended_job_ids(session: Session, *, graduate_id: int) -> list[int]:
    return [j for j in session.exec(select(col(GraduateRecommendation.job_id)).where(
        col(GraduateRecommendation.graduate_id) == graduate_id).order_by(col(GraduateRecommendation.slot)))
        if j is not None]


def last_recommended_at(session: Session, *, graduate_id: int) -> datetime | None:
    return session.exec(select(func.max(col(GraduateRecommendation.created_at))).where(
        col(GraduateRecommendation.graduate_id) == graduate_id)).one()


def kept_key(graduate_id: int, what: str) -> str:
    return f"grad-{what}:{graduate_id}"


def add_recommendation(session: Session, *, graduate_id: int, job_id: int, now: datetime) -> int | None:
    """Give the graduate this job as their next recommendation: the slot used, or None when
    all three are used or the job was recommended before."""
    session.exec(update(Graduate).where(col(Graduate.id) == graduate_id).values(id=col(Graduate.id)))
    rows = list(session.exec(select(GraduateRecommendation)
                             .where(col(GraduateRecommendation.graduate_id) == graduate_id)))
    if len(rows) >= PROMISED or any(r.job_id == job_id for r in rows):
        return None
    slot = len(rows) + 1
    session.add(GraduateRecommendation(graduate_id=graduate_id, job_id=job_id, slot=slot, created_at=now))
    session.flush()
    return slot


def due_for_recommendation(session: Session, *, now: datetime, gap: timedelta) -> list[Graduate]:
    """Graduates with recommendations still owed whose last one is at least `gap` old."""
    given = (sa_select(col(GraduateRecommendation.graduate_id), func.count().label("n"),
                       func.max(col(GraduateRecommendation.created_at)).label("last"))
             .group_by(col(GraduateRecommendation.graduate_id)).subquery())
    stmt = (select(Graduate).outerjoin(given, given.c.graduate_id == col(Graduate.id))
            .where(or_(given.c.n.is_(None), (given.c.n < PROMISED) & (given.c.last <= now - gap)))
            .order_by(col(Graduate.id)))
    return list(session.exec(stmt))


def mark(session: Session, *, graduate_id: int, what: str, note: str | None, now: datetime) -> bool:
    """Staff record the guidance talk ("guidance") or the training ("training") as done."""
    graduate = session.get(Graduate, graduate_id)
    if graduate is None:
        return False
    if what == "guidance":
        graduate.guided_at, graduate.guidance_note = now, note
    elif what == "training":
        graduate.trained_at, graduate.training_note = now, note
    else:
        raise ValueError(f"unknown promise {what!r}")
    graduate.updated_at = now
    session.add(graduate)
    return True


@dataclass(frozen=True)
class Progress:
    """Where one graduate stands against the promise of measure 14."""

    graduate: Graduate
    town: str | None
    jobs: list[str]  # titles of the jobs recommended so far
    trained_by_course: bool

    @property
    def guided(self) -> bool:
        return self.graduate.guided_at is not None

    @property
    def trained(self) -> bool:
        return self.graduate.trained_at is not None or self.trained_by_course

    @property
    def owed(self) -> list[str]:
        missing = [] if self.guided else ["职业指导"]
        if len(self.jobs) < PROMISED:
            missing.append(f"岗位推荐{PROMISED - len(self.jobs)}次")
        if not self.trained:
            missing.append("技能培训")
        return missing


def progress(session: Session, *, owed_only: bool = False, limit: int = 200) -> list[Progress]:
    graduates = list(session.exec(select(Graduate).order_by(col(Graduate.id).desc()).limit(limit)))
    if not graduates:
        return []
    ids = [g.id for g in graduates]
    worker_ids = [g.worker_id for g in graduates]
    towns = dict(session.connection().execute(
        sa_select(col(Worker.id), col(Worker.town)).where(col(Worker.id).in_(worker_ids))).all())
    trained = set(session.exec(select(col(CourseSignup.worker_id)).where(
        col(CourseSignup.worker_id).in_(worker_ids), col(CourseSignup.status) == "completed")))
    jobs: dict[int, list[str]] = {}
    for graduate_id, title in session.connection().execute(
            sa_select(col(GraduateRecommendation.graduate_id), col(Job.title))
            .outerjoin(Job, col(Job.id) == col(GraduateRecommendation.job_id))
            .where(col(GraduateRecommendation.graduate_id).in_(ids)).order_by(col(GraduateRecommendation.slot))):
        jobs.setdefault(graduate_id, []).append(title or "（岗位已删除）")
    rows = [Progress(g, towns.get(g.worker_id), jobs.get(g.id or 0, []), g.worker_id in trained) for g in graduates]
    return [r for r in rows if r.owed] if owed_only else rows


# --- internship bases -------------------------------------------------------------------------------
BASE_FIELDS = ("name", "town", "industry", "positions", "address", "phone", "description", "active")


def bases(session: Session, *, active_only: bool = True) -> list[InternshipBase]:
    stmt = select(InternshipBase)
    if active_only:
        stmt = stmt.where(col(InternshipBase.active) == True)  # noqa: E712
    return list(session.exec(stmt.order_by(col(InternshipBase.town), col(InternshipBase.id))))


def save_base(session: Session, *, fields: dict[str, Any], now: datetime, base_id: int | None = None,
              source_key: str | None = None) -> InternshipBase | None:
    """Add a base (or return the one this `source_key` already made) or change one; None if no such base."""
    if base_id is None:
        key = source_key or f"console-{now.timestamp()}-{fields.get('name')}"
        found = session.exec(select(InternshipBase).where(col(InternshipBase.source_key) == key)).first()
        if found is not None:
            return found
        base = InternshipBase(source_key=key, created_at=now, **{n: fields[n] for n in BASE_FIELDS if n in fields})
    else:
        found = session.get(InternshipBase, base_id)
        if found is None:
            return None
        base = found
    for name in BASE_FIELDS:
        if name in fields:
            setattr(base, name, fields[name])
    base.updated_at = now
    session.add(base)
    session.flush()
    return base


def load_demo_bases(session: Session, rows: Iterable[dict[str, Any]], *, now: datetime) -> int:
    """Insert the demo bases not yet there; returns how many were added."""
    return sum(insert_ignore(session, InternshipBase, {
        "positions": 0, "active": True, **row, "created_at": now, "updated_at": now}) for row in rows)

"""Training courses (培训): add and list them, sign people up without ever selling a seat twice,
cancel, mark completion, and find who to remind the day before a course starts.

Seats are never oversold: `sign_up` first writes to the course row (a row lock on PostgreSQL,
the write lock on SQLite), so sign-ups for one course take turns, and only then counts the
seats already taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage import outbox
from storage.models import Course, CourseSignup, Outbox, Worker
from storage.sql import insert_ignore

SIGNED, CANCELLED, COMPLETED = "signed", "cancelled", "completed"
HOLDS_SEAT = (SIGNED, COMPLETED)
REMINDER_KIND = "course"
STARTUP_KIND = "创业培训"  # SYB/GYB: the plan counts these on their own (700 a year)


class Signup(StrEnum):
    SIGNED = "signed"
    ALREADY = "already"
    FULL = "full"
    STARTED = "started"
    MISSING = "missing"


def reminder_key(course_id: int, worker_id: int) -> str:
    return f"course-remind:{course_id}:{worker_id}"


def add_course(session: Session, *, fields: dict[str, Any], now: datetime) -> Course | None:
    """Store a course; None when one with the same `source_key` exists (a form sent twice)."""
    if not insert_ignore(session, Course, {"skills": [], **fields, "created_at": now}):
        return None
    return session.exec(select(Course).where(col(Course.source_key) == fields["source_key"])).one()


def get_course(session: Session, course_id: int) -> Course | None:
    return session.get(Course, course_id)


def upcoming_courses(session: Session, *, today: date, limit: int = 200) -> list[Course]:
    """Courses not yet started (or without a date), soonest first."""
    stmt = select(Course).where(or_(col(Course.starts_on).is_(None), col(Course.starts_on) >= today))
    return list(session.exec(stmt.order_by(col(Course.starts_on), col(Course.id)).limit(limit)))


def list_courses(session: Session, *, limit: int = 100) -> list[Course]:
    """The newest courses first, for staff."""
    return list(session.exec(select(Course).order_by(col(Course.starts_on).desc(), col(Course.id).desc()).limit(limit)))


def taken_seats(session: Session, course_ids: Iterable[int], statuses: tuple[str, ...] = HOLDS_SEAT
                ) -> dict[int, int]:
    """Sign-ups per course (by default those holding a seat)."""
    ids = list(course_ids)
    if not ids:
        return {}
    rows = session.connection().execute(
        sa_select(col(CourseSignup.course_id), func.count()).where(
            col(CourseSignup.course_id).in_(ids), col(CourseSignup.status).in_(statuses))
        .group_by(col(CourseSignup.course_id)))
    return {course_id: n for course_id, n in rows}


def _lock_course(session: Session, course_id: int) -> bool:
    """Hold the course row until the transaction ends; False if there is no such course."""
    return session.exec(update(Course).where(col(Course.id) == course_id).values(seats=col(Course.seats))
                        ).rowcount == 1


def _signup(session: Session, course_id: int, worker_id: int) -> CourseSignup | None:
    return session.exec(select(CourseSignup).where(
        col(CourseSignup.course_id) == course_id, col(CourseSignup.worker_id) == worker_id)
        .execution_options(populate_existing=True)).first()


def sign_up(session: Session, *, course_id: int, worker_id: int, today: date, now: datetime) -> Signup:
    """Take a seat for the person, if one is left; saying it twice takes one seat."""
    if not _lock_course(session, course_id):
        return Signup.MISSING
    course = session.exec(select(Course).where(col(Course.id) == course_id)
                          .execution_options(populate_existing=True)).one()
    existing = _signup(session, course_id, worker_id)
    if existing is not None and existing.status in HOLDS_SEAT:
        return Signup.ALREADY
    if course.starts_on is not None and course.starts_on < today:
        return Signup.STARTED
    if taken_seats(session, [course_id]).get(course_id, 0) >= course.seats:
        return Signup.FULL
    if existing is None:
        session.add(CourseSignup(course_id=course_id, worker_id=worker_id, status=SIGNED, created_at=now,
                                 updated_at=now))
    else:
        existing.status, existing.updated_at, existing.created_at = SIGNED, now, now
        session.add(existing)
        # the reminder of the cancelled sign-up, if it was never sent, is due again
        session.exec(update(Outbox).where(
            col(Outbox.idempotency_key) == reminder_key(course_id, worker_id), col(Outbox.status) == outbox.CANCELLED)
            .values(status=outbox.PENDING))
    session.flush()
    return Signup.SIGNED


def cancel(session: Session, *, course_id: int, worker_id: int, now: datetime) -> bool:
    """Give the seat back; a reminder not yet sent is not sent."""
    done = session.exec(update(CourseSignup).where(
        col(CourseSignup.course_id) == course_id, col(CourseSignup.worker_id) == worker_id,
        col(CourseSignup.status) == SIGNED)
        .values(status=CANCELLED, updated_at=now)).rowcount == 1
    if done:
        session.exec(update(Outbox).where(
            col(Outbox.idempotency_key) == reminder_key(course_id, worker_id),
            col(Outbox.status).in_(outbox.UNSENT))
            .values(status=outbox.CANCELLED))
    return done


def complete(session: Session, *, course_id: int, worker_ids: Iterable[int], now: datetime) -> int:
    """Staff mark people as having finished the course; returns how many changed."""
    ids = list(worker_ids)
    if not ids:
        return 0
    return session.exec(update(CourseSignup).where(
        col(CourseSignup.course_id) == course_id, col(CourseSignup.worker_id).in_(ids),
        col(CourseSignup.status) == SIGNED).values(status=COMPLETED, completed_at=now, updated_at=now)).rowcount


def signups(session: Session, *, course_id: int) -> list[tuple[CourseSignup, Worker]]:
    """Everyone who signed up for the course (cancelled ones too), earliest first."""
    rows = session.exec(select(CourseSignup, Worker).join(Worker, col(Worker.id) == col(CourseSignup.worker_id))
                        .where(col(CourseSignup.course_id) == course_id).order_by(col(CourseSignup.id)))
    return list(rows)


def signups_of(session: Session, *, worker_id: int, statuses: tuple[str, ...] = HOLDS_SEAT
               ) -> list[tuple[CourseSignup, Course]]:
    """The person's sign-ups with their courses, soonest course first."""
    rows = session.exec(select(CourseSignup, Course).join(Course, col(Course.id) == col(CourseSignup.course_id))
                        .where(col(CourseSignup.worker_id) == worker_id, col(CourseSignup.status).in_(statuses))
                        .order_by(col(Course.starts_on), col(Course.id)))
    return list(rows)


@dataclass(frozen=True)
class Due:
    course: Course
    worker_ids: list[int]


def reminders_due(session: Session, *, starting_on: date) -> list[Due]:
    """Courses starting on that day and the people still signed up for each."""
    courses = list(session.exec(select(Course).where(col(Course.starts_on) == starting_on)))
    due = []
    for course in courses:
        ids = list(session.exec(select(col(CourseSignup.worker_id)).where(
            col(CourseSignup.course_id) == course.id, col(CourseSignup.status) == SIGNED)))
        if ids:
            due.append(Due(course, ids))
    return due


def year_counts(session: Session, *, start: datetime, end: datetime) -> dict[str, int]:
    """Sign-ups made and courses completed between two moments (the dashboard's year)."""
    signed = session.connection().execute(sa_select(func.count()).select_from(CourseSignup).where(
        col(CourseSignup.status).in_(HOLDS_SEAT), col(CourseSignup.created_at) >= start,
        col(CourseSignup.created_at) < end)
    ).scalar_one()
    completed = session.connection().execute(
        sa_select(func.count(), func.coalesce(func.sum(case((col(Course.kind) == STARTUP_KIND, 1), else_=0)), 0))
        .select_from(CourseSignup).join(Course, col(Course.id) == col(CourseSignup.course_id))
        .where(and_(col(CourseSignup.status) == COMPLETED, col(CourseSignup.completed_at) >= start,
                    col(CourseSignup.completed_at) < end))).one()
    return {"signed": int(signed), "completed": int(completed[0]), "startup_completed": int(completed[1])}


"""Jobs and employers: store a posted job once, list, close, expire, and record 报名."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import ChatAccount, Employer, Job, JobApplication, utcnow
from storage.sql import insert_ignore

OPEN, FILLED, CLOSED, EXPIRED = "open", "filled", "closed", "expired"
STATUSES = (OPEN, FILLED, CLOSED, EXPIRED)


def employer_id(session: Session, *, name: str, kind: str | None = None, town: str | None = None,
                phone: str | None = None) -> int:
    """The employer's id, created on first mention."""
    insert_ignore(session, Employer, {"name": name, "kind": kind or "企业", "town": town, "phone": phone,
                                      "created_at": utcnow()})
    return cast(int, session.exec(select(col(Employer.id)).where(col(Employer.name) == name)).one())  # a stored id


def add_job(session: Session, *, fields: dict[str, Any], now: datetime) -> Job | None:
    """Store a job; None when one with the same `source_key` exists (imports are idempotent)."""
    if not insert_ignore(session, Job, {**fields, "created_at": now, "updated_at": now}):
        return None
    return session.exec(select(Job).where(col(Job.source_key) == fields["source_key"])).one()


def get_job(session: Session, *, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def list_jobs(session: Session, *, status: str | None = None, town: str | None = None,
              limit: int = 50, offset: int = 0) -> list[Job]:
    stmt = select(Job)
    if status:
        stmt = stmt.where(col(Job.status) == status)
    if town:
        stmt = stmt.where(col(Job.town) == town)
    return list(session.exec(stmt.order_by(col(Job.id).desc()).offset(offset).limit(limit)))


def open_jobs(session: Session, *, towns: list[str] | None = None) -> list[Job]:
    stmt = select(Job).where(col(Job.status) == OPEN)
    if towns is not None:
        stmt = stmt.where(col(Job.town).in_(towns))
    return list(session.exec(stmt))


def set_status(session: Session, *, job_id: int, status: str, now: datetime) -> bool:
    if status not in STATUSES:
        raise ValueError(f"unknown job status {status!r}")
    return session.exec(update(Job).where(col(Job.id) == job_id).values(
        status=status, updated_at=now)).rowcount == 1


def expire_jobs(session: Session, *, today: date, now: datetime) -> int:
    """Close open jobs whose end date has passed."""
    return session.exec(update(Job).where(
        col(Job.status) == OPEN, col(Job.end_date).is_not(None), col(Job.end_date) < today
    ).values(status=EXPIRED, updated_at=now)).rowcount


def employer_name(session: Session, *, job: Job) -> str | None:
    if job.employer_id is None:
        return None
    employer = session.get(Employer, job.employer_id)
    return employer.name if employer else None


@dataclass(frozen=True)
class Applied:
    application: JobApplication
    new: bool


def apply(session: Session, *, job: Job, account: ChatAccount, now: datetime) -> Applied:
    """Record that this person wants the job; saying it twice records it once."""
    new = insert_ignore(session, JobApplication, {"job_id": job.id, "account_id": account.id,
                                                  "worker_id": account.worker_id, "status": "new", "created_at": now})
    row = session.exec(select(JobApplication).where(col(JobApplication.job_id) == job.id,
                                                    col(JobApplication.account_id) == account.id)).one()
    return Applied(row, new)


@dataclass(frozen=True)
class ApplicationRow:
    """One 报名 as staff see it: when, which job, from which chat account."""

    at: datetime
    job_id: int
    job_title: str
    channel: str
    user_id: str
    worker_id: int | None


def applications(session: Session, *, job_id: int | None = None, town: str | None = None,
                 limit: int = 100) -> list[ApplicationRow]:
    """The newest applications first, with the job and the account they came from; `town`
    keeps to jobs of one town."""
    stmt = (select(JobApplication, col(Job.title), col(ChatAccount.channel), col(ChatAccount.user_id))
            .join(Job, col(Job.id) == col(JobApplication.job_id))
            .join(ChatAccount, col(ChatAccount.id) == col(JobApplication.account_id)))
    if job_id is not None:
        stmt = stmt.where(col(JobApplication.job_id) == job_id)
    if town is not None:
        stmt = stmt.where(col(Job.town) == town)
    rows = session.exec(stmt.order_by(col(JobApplication.id).desc()).limit(limit))
    return [ApplicationRow(a.created_at, a.job_id, title, channel, user_id, a.worker_id)
            for a, title, channel, user_id in rows]


def count_jobs(session: Session, *, since: datetime | None = None) -> int:
    stmt = select(func.count()).select_from(Job)
    if since is not None:
        stmt = stmt.where(col(Job.created_at) >= since)
    return session.exec(stmt).one()

"""Jobs and employers: store a posted job once, list, close, expire, and record 报名."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, func, or_, update
from sqlmodel import Session, col, select

from storage.kept import kept
from storage.models import ChatAccount, Employer, Job, JobApplication, Worker, utcnow
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


_JOBS = select(Job).where(col(Job.id).in_(bindparam("ids", expanding=True)))  # built once (storage.sql)
_OPEN_ROWS = select(Job).where(col(Job.status) == OPEN)


def _open_rows(connection: Connection) -> dict[int, Job]:
    """Every open job, kept in memory (storage.kept) and shared by every session of the
    process: only read, never added to a session. Loaded by a session of its own and let go
    of (a Job built from each row validates every field, ~8 times slower)."""
    with Session(connection) as loading:
        jobs = loading.exec(_OPEN_ROWS).all()
        loading.expunge_all()
    return {job.id: job for job in jobs if job.id is not None}


def get_jobs(session: Session, *, job_ids: list[int]) -> dict[int, Job]:
    """The jobs with these ids (those that exist), to show, not to change: the open ones from
    memory, any others in one statement."""
    held = kept(session, "job", _open_rows)
    found = {job_id: held[job_id] for job_id in job_ids if job_id in held}
    if missing := [job_id for job_id in job_ids if job_id not in found]:
        found.update((job.id, job) for job in session.exec(_JOBS, params={"ids": missing}) if job.id is not None)
    return found


def list_jobs(session: Session, *, status: str | None = None, town: str | None = None,
              limit: int = 50, offset: int = 0) -> list[Job]:
    stmt = select(Job)
    if status:
        stmt = stmt.where(col(Job.status) == status)
    if town:
        stmt = stmt.where(col(Job.town) == town)
    return list(session.exec(stmt.order_by(col(Job.id).desc()).offset(offset).limit(limit)))


def is_open(job: Job, *, today: date) -> bool:
    """Still taking people: open and not past its end date (the hourly task may not have run yet)."""
    return job.status == OPEN and (job.end_date is None or job.end_date >= today)


def open_jobs(session: Session, *, towns: list[str] | None = None, today: date | None = None) -> list[Job]:
    """Open jobs (in these towns); with `today`, none past its end date."""
    stmt = select(Job).where(col(Job.status) == OPEN)
    if today is not None:
        stmt = stmt.where(or_(col(Job.end_date).is_(None), col(Job.end_date) >= today))
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
    """One 报名 as staff see it: when, which job, who (称呼, phone), and how it ended."""

    id: int
    at: datetime
    job_id: int
    job_title: str
    channel: str
    user_id: str
    worker_id: int | None
    name: str | None
    phone: str | None
    status: str
    outcome_on: date | None


def applications(session: Session, *, job_id: int | None = None, town: str | None = None,
                 limit: int = 100) -> list[ApplicationRow]:
    """The newest applications first, with the job, the account they came from and the person;
    `town` keeps to jobs of one town."""
    # sqlmodel types `select` for at most four entities
    stmt = (select(JobApplication, col(Job.title), col(ChatAccount.channel), col(ChatAccount.user_id),  # type: ignore[call-overload]
                   col(Worker.name), col(Worker.phone))
            .join(Job, col(Job.id) == col(JobApplication.job_id))
            .join(ChatAccount, col(ChatAccount.id) == col(JobApplication.account_id))
            .outerjoin(Worker, col(Worker.id) == col(JobApplication.worker_id)))
    if job_id is not None:
        stmt = stmt.where(col(JobApplication.job_id) == job_id)
    if town is not None:
        stmt = stmt.where(col(Job.town) == town)
    rows = session.exec(stmt.order_by(col(JobApplication.id).desc()).limit(limit))
    return [ApplicationRow(a.id, a.created_at, a.job_id, title, channel, user_id, a.worker_id, name, phone, a.status,
                           a.outcome_on) for a, title, channel, user_id, name, phone in rows]


def count_jobs(session: Session, *, since: datetime | None = None) -> int:
    stmt = select(func.count()).select_from(Job)
    if since is not None:
        stmt = stmt.where(col(Job.created_at) >= since)
    return session.exec(stmt).one()

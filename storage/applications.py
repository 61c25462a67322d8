"""What became of each 报名: staff or the person record 联系上 / 录用 / 未录用 with a date; a job
whose headcount is hired is filled (no more pushes); who is asked 找到活了吗, once, a few days on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.jobs import FILLED, OPEN, ApplicationRow, applications
from storage.models import ChatAccount, Job, JobApplication, saved_id

NEW, CONTACTED, HIRED, REJECTED = "new", "contacted", "hired", "rejected"
OUTCOMES = {CONTACTED: "联系上", HIRED: "录用", REJECTED: "未录用"}
LABELS = {NEW: "待联系", **OUTCOMES}
_WORDS = {"联系上": CONTACTED, "联系上了": CONTACTED, "已联系": CONTACTED, "contacted": CONTACTED,
          "录用": HIRED, "已录用": HIRED, "录取": HIRED, "hired": HIRED,
          "未录用": REJECTED, "没录用": REJECTED, "不录用": REJECTED, "没录取": REJECTED, "rejected": REJECTED}


def outcome_code(text: str) -> str | None:
    """The outcome staff typed: 联系上 / 录用 / 未录用 (or contacted / hired / rejected)."""
    return _WORDS.get(text.strip().lower())


@dataclass(frozen=True)
class Recorded:
    application: JobApplication
    job: Job
    filled: bool  # this outcome filled the job's headcount


def record_outcome(session: Session, *, application_id: int, outcome: str, on: date, by: str,
                   now: datetime) -> Recorded | None:
    """Record how an application ended; None when there is no such application. Hiring the
    last person the job needs marks it filled, which stops its pushes."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    application = session.get(JobApplication, application_id)
    if application is None:
        return None
    application.status, application.outcome_on, application.outcome_by = outcome, on, by
    session.add(application)
    session.flush()
    job = session.get_one(Job, application.job_id)
    filled = job.status == OPEN and hired_count(session, job_id=saved_id(job)) >= job.headcount
    if filled:
        job.status, job.updated_at = FILLED, now
        session.add(job)
    return Recorded(application, job, filled)


def hired_count(session: Session, *, job_id: int) -> int:
    return session.exec(select(func.count()).select_from(JobApplication).where(
        col(JobApplication.job_id) == job_id, col(JobApplication.status) == HIRED)).one()


@dataclass(frozen=True)
class JobView:
    """One job as its employer sees it: who applied, who was hired, how many are still wanted."""

    job: Job
    applicants: list[ApplicationRow]
    hired: int

    @property
    def left(self) -> int:
        return max(self.job.headcount - self.hired, 0)


def job_view(session: Session, *, job_id: int) -> JobView | None:
    job = session.get(Job, job_id)
    if job is None:
        return None
    return JobView(job, applications(session, job_id=job_id, limit=500), hired_count(session, job_id=job_id))


@dataclass(frozen=True)
class FollowUp:
    application_id: int
    worker_id: int
    channel: str
    user_id: str
    job_title: str


def due_follow_ups(session: Session, *, applied_before: datetime, limit: int = 500) -> list[FollowUp]:
    """Applications of registered people, made before the cut-off, with no outcome yet and never asked."""
    rows = session.exec(
        select(col(JobApplication.id), col(JobApplication.worker_id), col(ChatAccount.channel),  # type: ignore[call-overload]
               col(ChatAccount.user_id), col(Job.title))  # sqlmodel types `select` for at most four entities
        .join(ChatAccount, col(ChatAccount.id) == col(JobApplication.account_id))
        .join(Job, col(Job.id) == col(JobApplication.job_id))
        .where(col(JobApplication.status).in_((NEW, CONTACTED)), col(JobApplication.asked_at).is_(None),
               col(JobApplication.worker_id).is_not(None), col(JobApplication.created_at) <= applied_before)
        .order_by(col(JobApplication.id)).limit(limit))
    return [FollowUp(*row) for row in rows]


def mark_asked(session: Session, *, application_id: int, now: datetime) -> None:
    session.exec(update(JobApplication).where(col(JobApplication.id) == application_id)
                 .values(asked_at=now))


def asked_of(session: Session, *, worker_id: int) -> JobApplication | None:
    """The application the person was last asked 找到活了吗 about and has not answered."""
    return session.exec(select(JobApplication).where(
        col(JobApplication.worker_id) == worker_id, col(JobApplication.asked_at).is_not(None),
        col(JobApplication.outcome_by).is_(None) | (col(JobApplication.outcome_by) != "worker"))
        .order_by(col(JobApplication.asked_at).desc())).first()

"""Post a job and queue its pushes: one job (CLI, staff API), a sheet's rows, or a job staff
classify later. Each job is stored once and queued for every worker it suits, on whatever
channel that worker is reached by.

A sheet's bad rows are reported with their row number and reason while good rows go in;
importing the same sheet twice adds nothing twice (each row has a stable source key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.postings import PostingError, job_fields, read_sheet, understood
from bot.services import Services
from handlers.notices import job_push, job_push_fields
from handlers.terms import match_terms
from knowledge import taxonomy
from storage.eligibility import push_delays
from storage.jobs import add_job, employer_id
from storage.matching import matching_workers
from storage.models import Job, saved_id
from storage.outbox import Push, enqueue


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    pushes: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)
    understood: list[tuple[int, str, str]] = field(default_factory=list)  # (row, title, what was read)
    unclassified: list[int] = field(default_factory=list)  # job ids (rows when only checked)


def _stored(fields: dict[str, Any], session: Session) -> dict[str, Any]:
    """The job's columns, with its employer's id (the employer created on first mention)."""
    stored = {k: v for k, v in fields.items() if k not in ("employer", "employer_kind", "key")}
    stored["employer_id"] = employer_id(session, name=fields["employer"], kind=fields["employer_kind"],
                                        town=fields["town"], phone=fields["contact_phone"])
    identity = fields["key"] or "|".join(str(stored[k]) for k in ("title", "employer_id", "town", "village",
                                                                   "pay_amount", "pay_unit", "start_date"))
    stored["source_key"] = "job:" + hashlib.sha1(identity.encode()).hexdigest()[:20]
    return stored


def queue_job_pushes(session: Session, services: Services, job: Job) -> int:
    """Queue the job for every worker it suits; a worker is never queued the same job twice.
    An unclassified job or one already ended goes to nobody."""
    now = services.clock()
    if not job.skills or job.status != "open" or (job.end_date and job.end_date < services.local_now().date()):
        return 0
    matches = matching_workers(session, job=job, year=services.local_now().year, terms=match_terms())
    waits = push_delays(session, job=job, worker_ids=[m.worker_id for m in matches])  # 公益性岗位: hardship first
    return enqueue(session, (Push(key=f"job:{job.id}:{m.worker_id}", worker_id=m.worker_id, kind="job",
                                  ref_id=job.id, texts=job_push(job, m.fit), params=job_push_fields(job),
                                  not_before=now + waits.get(m.worker_id, timedelta())) for m in matches), now=now)


def post_job(session: Session, services: Services, spec: dict[str, Any], *,
             only_town: str | None = None) -> tuple[Job | None, int]:
    """Store one job and queue its pushes: (the job, or None if already posted; pushes queued).

    `only_town` keeps a town's staff to jobs in their own town."""
    fields = _kept_to(job_fields(spec, services), only_town)
    job = add_job(session, fields=_stored(fields, session), now=services.clock())
    if job is None:
        return None, 0
    return job, queue_job_pushes(session, services, job)


def _kept_to(fields: dict[str, Any], only_town: str | None) -> dict[str, Any]:
    if only_town is not None and fields["town"] != only_town:
        raise PostingError(f"您只能发布{only_town}的岗位")
    return fields


def classify_job(session: Session, services: Services, *, job_id: int, kinds: str) -> tuple[Job, int]:
    """Staff pick the kind of an unclassified job (or correct one): stored, then pushed."""
    job = session.get(Job, job_id)
    if job is None:
        raise PostingError(f"没有编号为 {job_id} 的岗位")
    options = taxonomy.skills()  # staff name a kind in its own words: no guessing at near-misses
    codes = [k for k in options.named_in(kinds) if k != taxonomy.ANYTHING]
    if not codes:
        kinds_known = "、".join(o.label for o in options.options if o.code != taxonomy.ANYTHING)
        raise PostingError(f"工种“{kinds}”不认识，可选：{kinds_known}")
    job.skills = codes
    job.updated_at = services.clock()
    session.add(job)
    session.flush()
    return job, queue_job_pushes(session, services, job)

def import_jobs(session: Session, services: Services, data: bytes, filename: str, *,
                check: bool = False, only_town: str | None = None) -> ImportReport:
    """Import a sheet: good rows are posted (each in its own savepoint), bad rows reported.
    With `check`, nothing is saved: the report says what each row would be. `only_town`
    keeps a town's staff to rows of their own town."""
    report = ImportReport()
    for number, spec in read_sheet(data, filename):
        try:
            fields = _kept_to(job_fields(spec, services), only_town)
            if not check:
                with session.begin_nested():
                    job = add_job(session, fields=_stored(fields, session), now=services.clock())
                    pushes = queue_job_pushes(session, services, job) if job else 0
        except PostingError as error:
            report.errors.append((number, str(error)))
            continue
        report.understood.append((number, fields["title"], understood(fields)))
        if check:
            report.added += 1
            if not fields["skills"]:
                report.unclassified.append(number)
        elif job is None:
            report.duplicates += 1
        else:
            report.added += 1
            report.pushes += pushes
            report.job_ids.append(saved_id(job))
            if not job.skills:
                report.unclassified.append(saved_id(job))
    return report

"""Which open jobs suit a worker (找工作), best first, from the open jobs kept in memory
(storage.kept), so that a few thousand open jobs are not loaded for each message; kept by
town and skill, so that only the jobs asking for one of the worker's skills are weighed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select
from sqlmodel import Session

from storage.kept import kept
from storage.matching import ANYTHING, Fit, JobFacts, Terms, fit, view
from storage.models import Job, Worker
from storage.sql import table_of

OPEN = "open"


@dataclass(frozen=True)
class OpenJob:
    id: int
    end_date: date | None
    public_welfare: bool
    facts: JobFacts


@dataclass
class OpenJobs:
    by_town: dict[str | None, list[OpenJob]] = field(default_factory=lambda: defaultdict(list))
    by_town_skill: dict[tuple[str | None, str], list[OpenJob]] = field(default_factory=lambda: defaultdict(list))

    def add(self, job: OpenJob) -> None:
        self.by_town[job.facts.town].append(job)
        for skill in set(job.facts.skills):
            self.by_town_skill[(job.facts.town, skill)].append(job)

    def near(self, town: str | None, skills: Collection[str] | None = None) -> list[OpenJob]:
        """The jobs in `town` and the county-wide ones (every town's when `town` is None); with
        `skills`, only those asking for one of them."""
        towns = list(self.by_town) if town is None else [town, None]
        if skills is None:
            return [job for place in towns for job in self.by_town.get(place, ())]
        found = {job.id: job for place in towns for skill in skills
                 for job in self.by_town_skill.get((place, skill), ())}
        return list(found.values())


_J = table_of(Job)
_OPEN = select(_J.c.id, _J.c.end_date, _J.c.public_welfare, _J.c.skills, _J.c.town, _J.c.village, _J.c.at_door,
               _J.c.age_min, _J.c.age_max, _J.c.physical, _J.c.night_shift, _J.c.days, _J.c.season
               ).where(_J.c.status == OPEN)


def _load(connection: Connection) -> OpenJobs:
    jobs = OpenJobs()
    for row in connection.execute(_OPEN):
        jobs.add(OpenJob(row.id, row.end_date, row.public_welfare, JobFacts(
            tuple(row.skills), row.town, row.village, row.at_door, row.age_min, row.age_max, row.physical,
            row.night_shift, row.days, row.season)))
    return jobs


def open_jobs(session: Session) -> OpenJobs:
    """Every open job (past its end date or not: the caller knows the day), kept in memory."""
    return kept(session, "job", _load)


@dataclass(frozen=True)
class JobMatch:
    job_id: int
    public_welfare: bool
    fit: Fit


def jobs_for(session: Session, *, worker: Worker, today: date, terms: Terms) -> list[JobMatch]:
    """Open jobs not past their end date that suit the worker, best first (newest first among equals)."""
    near = worker.town if worker.travel_range != "county" and worker.town else None
    person = view(worker)
    # a job shares a skill with the worker, or the worker said 啥都行 (then any job may do)
    skills = None if ANYTHING in person.skills else person.skills
    matches = []
    for job in open_jobs(session).near(near, skills):
        if job.end_date is not None and job.end_date < today:
            continue
        found = fit(job.facts, person, year=today.year, terms=terms)
        if found:
            matches.append(JobMatch(job.id, job.public_welfare, found))
    matches.sort(key=lambda m: (-m.fit.score, -m.job_id))
    return matches

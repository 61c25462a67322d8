"""Which workers a job suits, and which jobs suit a worker, with a score and the reasons.

The rules live once, in `fit`: skills, place against the worker's travel range (same
village > same town > neighbouring town > elsewhere in the county), age range, and the
elderly rule (no heavy work and no night shifts from 60 on), daytime-only people and night
shifts. The SQL in `matching_workers` only narrows 100,000 workers down cheaply (skills by
index, the push wish, the town) before `fit` decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select, true
from sqlmodel import Session, col
from sqlmodel import select as select_models

from storage.models import Job, Worker, WorkerSkill
from storage.sql import table_of

ELDERLY_AGE = 60
PLACE_SCORE = {"village": 40, "town": 30, "neighbour": 20, "county": 10}
HEAVY = "重"


@dataclass(frozen=True)
class WorkerView:
    """The worker fields matching reads (a row or a `Worker` alike)."""

    id: int
    town: str | None
    village: str | None
    birth_year: int | None
    skills: Sequence[str]
    availability: Sequence[str]
    travel_range: str


@dataclass(frozen=True)
class Fit:
    score: int
    place: str  # village / town / neighbour / county
    skills: tuple[str, ...]  # the job's skills the worker has


def _place(job: Job, worker: WorkerView, neighbours: Mapping[str, Sequence[str]]) -> str | None:
    if job.town and worker.town == job.town:
        same_village = bool(job.village) and worker.village == job.village
        if same_village:
            return "village"
        return None if worker.travel_range == "village" else "town"
    if worker.travel_range != "county":
        return None
    return "neighbour" if job.town and worker.town in neighbours.get(job.town, ()) else "county"


def fit(job: Job, worker: WorkerView, *, year: int, neighbours: Mapping[str, Sequence[str]]) -> Fit | None:
    """How well the job suits the worker, or None when a rule rules it out."""
    wanted = [s for s in job.skills if s != "other"]
    shared = tuple(s for s in wanted if s in worker.skills)
    if wanted and not shared:
        return None
    place = _place(job, worker, neighbours)
    if place is None:
        return None
    if worker.birth_year is None:
        return None
    age = year - worker.birth_year
    if (job.age_min and age < job.age_min) or (job.age_max and age > job.age_max):
        return None
    if age >= ELDERLY_AGE and (job.physical == HEAVY or job.night_shift):
        return None
    if job.night_shift and "daytime" in worker.availability:
        return None
    score = PLACE_SCORE[place] + (30 if shared else 10)
    if job.season and job.season == "春茶季" and "spring_tea" in worker.availability:
        score += 10
    elif "anytime" in worker.availability:
        score += 5
    if age >= ELDERLY_AGE and job.physical == "轻":
        score += 5
    return Fit(score, place, shared)


@dataclass(frozen=True)
class WorkerMatch:
    worker_id: int
    fit: Fit


def matching_workers(session: Session, *, job: Job, year: int,
                     neighbours: Mapping[str, Sequence[str]]) -> list[WorkerMatch]:
    """Every subscribed worker who wants job pushes and whom the job suits, best first."""
    w, ws = table_of(Worker), table_of(WorkerSkill)
    conditions: list[Any] = [w.c.subscribed == true(), w.c.want_job_push == true()]
    wanted = [s for s in job.skills if s != "other"]
    if wanted:
        conditions.append(exists().where(ws.c.worker_id == w.c.id, ws.c.skill.in_(wanted)))
    if job.town:
        conditions.append(or_(w.c.travel_range == "county", w.c.town == job.town))
    else:
        conditions.append(w.c.travel_range == "county")
    rows = session.connection().execute(
        select(w.c.id, w.c.town, w.c.village, w.c.birth_year, w.c.skills, w.c.availability, w.c.travel_range)
        .where(*conditions)
    )
    matches = []
    for row in rows:
        found = fit(job, WorkerView(*row), year=year, neighbours=neighbours)
        if found:
            matches.append(WorkerMatch(row[0], found))
    matches.sort(key=lambda m: (-m.fit.score, m.worker_id))
    return matches


@dataclass(frozen=True)
class JobMatch:
    job: Job
    fit: Fit


def view(worker: Worker) -> WorkerView:
    assert worker.id is not None
    return WorkerView(worker.id, worker.town, worker.village, worker.birth_year, worker.skills,
                      worker.availability, worker.travel_range)


def jobs_for(session: Session, *, worker: Worker, year: int,
             neighbours: Mapping[str, Sequence[str]]) -> list[JobMatch]:
    """Open jobs that suit the worker, best first (newest first among equals)."""
    stmt = select_models(Job).where(col(Job.status) == "open")
    if worker.travel_range != "county" and worker.town:
        stmt = stmt.where(col(Job.town) == worker.town)
    person = view(worker)
    matches = []
    for job in session.exec(stmt):
        found = fit(job, person, year=year, neighbours=neighbours)
        if found:
            matches.append(JobMatch(job, found))
    matches.sort(key=lambda m: (-m.fit.score, -(m.job.id or 0)))
    return matches

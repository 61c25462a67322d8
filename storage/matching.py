"""Which workers a job suits, and how well a job suits a worker, with a score and the reasons.

The rules live once, in `fit`: the kind of work (a trade only for people who have it; other
work also for people who said 啥都行; an unclassified job only for them), the place against
the worker's travel range (own village > material brought to the door > own town > a
county-wide job > neighbouring town > elsewhere in the county), age range, the elderly rule
(no heavy work and no night shifts from 60 on), daytime-only people and night work, the
days a job wants against the days a person is free, and a job's season against someone
free only in one season. The SQL in `matching_workers` only narrows 100,000 workers down
cheaply (skills by index, the push wish, the town) before `fit` decides; the other way
round, storage.job_search ranks the open jobs for one worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, or_, select, true
from sqlmodel import Session

from storage.models import Job, Worker, WorkerSkill
from storage.sql import table_of

ELDERLY_AGE = 60
ANYTHING = "other"  # the answer 啥都行
PLACE_SCORE = {"village": 40, "door": 38, "town": 30, "county_wide": 25, "neighbour": 20, "county": 10}
HEAVY = "重"
_DAY_OPTIONS = {"anytime", "weekdays", "weekends", "daytime"}  # free-time answers that are not one season only


@dataclass(frozen=True)
class Terms:
    """What matching knows of places and kinds of work; built from the knowledge base by the caller
    (handlers.terms), so that storage reads no data files."""

    neighbours: Mapping[str, Sequence[str]]  # town → its neighbouring towns
    skilled: frozenset[str]  # kinds of work only people who have them may take (not 啥都行)
    season_free: Mapping[str, str]  # a job's season → the free-time answer that means that season
    village_key: Callable[[str | None], str]  # "下溪" and "下溪村" → one key


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
    place: str  # village / door / town / county_wide / neighbour / county
    skills: tuple[str, ...]  # the job's skills the worker has


class JobFacts(NamedTuple):
    """The job fields matching reads, read off the row once rather than for every worker."""

    skills: tuple[str, ...]
    town: str | None
    village: str | None
    at_door: bool
    age_min: int | None
    age_max: int | None
    physical: str
    night_shift: bool
    days: str | None
    season: str | None

    @classmethod
    def of(cls, job: Job) -> JobFacts:
        return cls(tuple(job.skills), job.town, job.village, job.at_door, job.age_min, job.age_max, job.physical,
                   job.night_shift, job.days, job.season)


def _open_to_anyone(job: JobFacts, terms: Terms) -> bool:
    """Someone who said 啥都行 may take it: no trade one must have learnt, or no kind known."""
    return not job.skills or any(k not in terms.skilled for k in job.skills)


def _place(job: JobFacts, worker: WorkerView, terms: Terms) -> str | None:
    if job.town is None:  # the whole county
        if job.at_door:
            return "door"
        return None if worker.travel_range == "village" else "county_wide"
    if worker.town == job.town:
        if job.village and terms.village_key(worker.village) == terms.village_key(job.village):
            return "village"
        if job.at_door:
            return "door"
        return None if worker.travel_range == "village" else "town"
    if worker.travel_range != "county":
        return None
    return "neighbour" if worker.town in terms.neighbours.get(job.town, ()) else "county"


def _when_free(job: JobFacts, availability: Sequence[str], terms: Terms) -> bool:
    """The job's days and season against the times the person said they are free."""
    free = set(availability)
    if job.days and not free & {"anytime", job.days} and free & {"weekdays", "weekends"}:
        return False
    if job.season and free and not free & _DAY_OPTIONS:
        return terms.season_free.get(job.season) in free
    return True


def fit(job: Job | JobFacts, worker: WorkerView, *, year: int, terms: Terms) -> Fit | None:
    """How well the job suits the worker, or None when a rule rules it out."""
    if isinstance(job, Job):
        job = JobFacts.of(job)
    shared = tuple(s for s in job.skills if s in worker.skills)
    if not shared and not (ANYTHING in worker.skills and _open_to_anyone(job, terms)):
        return None
    place = _place(job, worker, terms)
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
    if not _when_free(job, worker.availability, terms):
        return None
    score = PLACE_SCORE[place] + (30 if shared else 20 if job.skills else 10)
    if job.season == "春茶季" and "spring_tea" in worker.availability:
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


def matching_workers(session: Session, *, job: Job, year: int, terms: Terms) -> list[WorkerMatch]:
    """Every subscribed worker who wants job pushes and whom the job suits, best first."""
    if not job.skills:
        return []  # unclassified: staff pick its kind first
    w, ws = table_of(Worker), table_of(WorkerSkill)
    conditions: list[Any] = [w.c.subscribed == true(), w.c.want_job_push == true()]
    wanted = [*job.skills, ANYTHING] if _open_to_anyone(JobFacts.of(job), terms) else list(job.skills)
    conditions.append(exists().where(ws.c.worker_id == w.c.id, ws.c.skill.in_(wanted)))
    if job.town:
        here = w.c.town == job.town
        if not (job.village or job.at_door):
            here = and_(here, w.c.travel_range != "village")
        conditions.append(or_(w.c.travel_range == "county", here))
    elif not job.at_door:
        conditions.append(w.c.travel_range != "village")
    oldest = min(a for a in (job.age_max, ELDERLY_AGE - 1 if job.physical == HEAVY or job.night_shift else None,
                             200) if a)
    conditions.append(w.c.birth_year >= year - oldest)
    if job.age_min:
        conditions.append(w.c.birth_year <= year - job.age_min)
    rows = session.connection().execute(
        select(w.c.id, w.c.town, w.c.village, w.c.birth_year, w.c.skills, w.c.availability, w.c.travel_range)
        .where(*conditions)
    )
    matches = []
    facts = JobFacts.of(job)
    for row in rows:
        found = fit(facts, WorkerView(*row), year=year, terms=terms)
        if found:
            matches.append(WorkerMatch(row[0], found))
    matches.sort(key=lambda m: (-m.fit.score, m.worker_id))
    return matches


def view(worker: Worker) -> WorkerView:
    assert worker.id is not None
    return WorkerView(worker.id, worker.town, worker.village, worker.birth_year, worker.skills,
                      worker.availability, worker.travel_range)

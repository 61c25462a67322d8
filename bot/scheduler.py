"""Periodic upkeep on APScheduler with its job store in our own database, so the schedule
survives restarts: expiring jobs past their end date, pruning the inbound log, and the
fixed fairs of the 8th and 18th generated ahead with their reminders queued; and the closed
loop's course reminders, graduates' job recommendations, elderly matching and policy pushes.

One process among all the servers on the database runs the schedule (bot/leader.py), and
each run first claims its tick in the database (storage.schedule_runs), so a task runs once
per tick however many servers there are; the tasks are idempotent besides. Tasks are stored
by reference ("module:function"); what they need at run time (engine, services) is set once
per process by `start`.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.outreach.courses import queue_reminders
from bot.outreach.fairs import fair_upkeep
from bot.services import Services
from bot.settings import Settings
from handlers.followup import queue_follow_ups
from handlers.graduates import recommend_due
from handlers.policy_push import check_everyone
from handlers.silver import match_all
from storage.db import session_scope
from storage.inbound import prune_messages
from storage.jobs import expire_jobs
from storage.schedule_runs import claim_run

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
INBOUND_KEPT = timedelta(days=7)
T = TypeVar("T")


@dataclass(frozen=True)
class Periodic:
    """A task to run every `seconds`: `func` is "module:function", called with no arguments."""

    id: str
    func: str
    seconds: int


TASKS: list[Periodic] = []

_runtime: dict[str, tuple[Engine, Services]] = {}


def process_name() -> str:
    """This process among all servers on the database: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def periodic(task_id: str, seconds: int) -> Callable[[Callable[[], T]], Callable[[], T | None]]:
    """Register a task run every `seconds`; each run first claims its tick in the database,
    and a tick already claimed (by this or another process) is skipped."""

    def register(func: Callable[[], T]) -> Callable[[], T | None]:
        @functools.wraps(func)
        def run() -> T | None:
            engine, services = _context()
            interval = interval_seconds(services.settings, seconds)
            with session_scope(engine) as session:
                claimed = claim_run(session, task=task_id, owner=process_name(), now=services.clock(),
                                    min_gap=timedelta(seconds=interval / 2))
            if not claimed:
                log.info("scheduled task %s skipped: it last started under half an interval ago", task_id)
                return None
            return func()

        TASKS.append(Periodic(task_id, f"{__name__}:{func.__name__}", seconds))
        return run

    return register


def interval_seconds(settings: Settings, seconds: int) -> int:
    """A task's interval: its own, or the tick that the settings impose on every task (tests)."""
    return settings.schedule_tick_seconds or seconds


@periodic("expire-jobs", 3600)
def expire_task() -> int:
    engine, services = _context()
    with session_scope(engine) as session:
        expired = expire_jobs(session, today=services.local_now().date(), now=services.clock())
    if expired:
        log.info("%d jobs past their end date closed", expired)
    return expired


@periodic("prune-inbound", 6 * 3600)
def prune_task() -> int:
    engine, services = _context()
    with session_scope(engine) as session:
        return prune_messages(session, older_than=services.clock() - INBOUND_KEPT)


@periodic("fairs", 600)
def fairs_task() -> dict[str, int]:
    """Generate the fixed fairs ahead and queue the reminders now due."""
    engine, services = _context()
    with session_scope(engine) as session:
        return fair_upkeep(session, services.clock(), services.tz, services.settings)


@periodic("course-reminders", 1800)
def course_reminders_task() -> int:
    """Queue the reminders of courses starting tomorrow (培训)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return queue_reminders(session, services)


@periodic("graduate-recommendations", 3600)
def graduates_task() -> int:
    """One more job recommendation for each returning graduate still owed one (of three)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return recommend_due(session, services)


@periodic("silver-matching", 3600)
def silver_task() -> int:
    """Match the open elderly needs to the elderly maps again (表图对接)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return match_all(session, now=services.clock())


@periodic("policy-push", 600)
def policy_task() -> int:
    """Policies that find people (政策找人): queue each rule for whoever newly fits it."""
    engine, services = _context()
    with session_scope(engine) as session:
        return check_everyone(session, services)


@periodic("job-follow-ups", 3600)
def follow_up_task() -> int:
    """找到活了吗: ask each applicant once, a few days after 报名."""
    engine, services = _context()
    with session_scope(engine) as session:
        return queue_follow_ups(session, services)


def _context() -> tuple[Engine, Services]:
    return _runtime["context"]


def start(engine: Engine, services: Services, tasks: list[Periodic] | None = None) -> BackgroundScheduler:
    """Start the schedule for this process; jobs already stored keep their next run time."""
    _runtime["context"] = (engine, services)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=services.settings.timezone,
    )
    scheduler.start()
    for task in tasks if tasks is not None else TASKS:
        seconds = interval_seconds(services.settings, task.seconds)
        job = scheduler.get_job(task.id)
        if job is None:
            scheduler.add_job(task.func, "interval", seconds=seconds, id=task.id,
                              next_run_time=datetime.now(UTC))
        elif job.trigger.interval != timedelta(seconds=seconds):
            scheduler.reschedule_job(task.id, trigger="interval", seconds=seconds)
    return scheduler

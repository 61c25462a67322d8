"""Periodic upkeep on APScheduler with its job store in our own database, so the schedule
survives restarts: expiring jobs past their end date, pruning the inbound log, and the
fixed fairs of the 8th and 18th generated ahead with their reminders queued; and the closed
loop's course reminders, graduates' job recommendations, elderly matching and policy pushes.

Each task is idempotent, so two server processes that both run the schedule do no harm.
Tasks are stored by reference ("module:function"); what they need at run time (engine,
services) is set once per process by `start`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from bot.services import Services
from handlers.followup import queue_follow_ups
from handlers.graduates import recommend_due
from handlers.policy_push import check_everyone
from handlers.silver import match_all
from handlers.training import queue_reminders
from storage.db import session_scope
from storage.fairs import fair_upkeep
from storage.inbound import prune_messages
from storage.jobs import expire_jobs

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
INBOUND_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class Periodic:
    """A task to run every `seconds`: `func` is "module:function" taking (engine, services)."""

    id: str
    func: str
    seconds: int


TASKS: list[Periodic] = [
    Periodic("expire-jobs", "bot.scheduler:expire_task", 3600),
    Periodic("prune-inbound", "bot.scheduler:prune_task", 6 * 3600),
    Periodic("fairs", "bot.scheduler:fairs_task", 600),
    Periodic("course-reminders", "bot.scheduler:course_reminders_task", 1800),
    Periodic("graduate-recommendations", "bot.scheduler:graduates_task", 3600),
    Periodic("silver-matching", "bot.scheduler:silver_task", 3600),
    Periodic("policy-push", "bot.scheduler:policy_task", 600),
    Periodic("job-follow-ups", "bot.scheduler:follow_up_task", 3600),
]

_runtime: dict[str, object] = {}


def expire_task() -> int:
    engine, services = _context()
    with session_scope(engine) as session:
        expired = expire_jobs(session, today=services.local_now().date(), now=services.clock())
    if expired:
        log.info("%d jobs past their end date closed", expired)
    return expired


def prune_task() -> int:
    engine, services = _context()
    with session_scope(engine) as session:
        return prune_messages(session, older_than=services.clock() - INBOUND_KEPT)


def fairs_task() -> dict[str, int]:
    """Generate the fixed fairs ahead and queue the reminders now due."""
    engine, services = _context()
    with session_scope(engine) as session:
        return fair_upkeep(session, services.clock(), services.tz, services.settings)


def course_reminders_task() -> int:
    """Queue the reminders of courses starting tomorrow (培训)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return queue_reminders(session, services)


def graduates_task() -> int:
    """One more job recommendation for each returning graduate still owed one (of three)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return recommend_due(session, services)


def silver_task() -> int:
    """Match the open elderly needs to the elderly maps again (表图对接)."""
    engine, services = _context()
    with session_scope(engine) as session:
        return match_all(session, now=services.clock())


def policy_task() -> int:
    """Policies that find people (政策找人): queue each rule for whoever newly fits it."""
    engine, services = _context()
    with session_scope(engine) as session:
        return check_everyone(session, services)


def follow_up_task() -> int:
    """找到活了吗: ask each applicant once, a few days after 报名."""
    engine, services = _context()
    with session_scope(engine) as session:
        return queue_follow_ups(session, services)


def _context() -> tuple[Engine, Services]:
    return _runtime["engine"], _runtime["services"]  # type: ignore[return-value]


def start(engine: Engine, services: Services, tasks: list[Periodic] | None = None) -> BackgroundScheduler:
    """Start the schedule for this process; jobs already stored keep their next run time."""
    _runtime.update(engine=engine, services=services)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=services.settings.timezone,
    )
    scheduler.start()
    for task in tasks if tasks is not None else TASKS:
        if scheduler.get_job(task.id) is None:
            scheduler.add_job(task.func, "interval", seconds=task.seconds, id=task.id,
                              next_run_time=datetime.now(timezone.utc))
    return scheduler

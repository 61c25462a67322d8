"""Which server process runs the schedule: every process on the database is a candidate, the
one holding the leader lock (storage.leader_lock) runs it, and the others keep trying, so
that when the leader dies another takes over within `leader_check_seconds` of the lock
being dropped. A leader whose lock is lost (its database connection broke) stops its
schedule at the next heartbeat."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine

from bot import scheduler
from bot.services import Services
from storage.leader_lock import LeaderLock, leader_lock

log = logging.getLogger(__name__)

LOCK_NAME = "jobbot.schedule"


class ScheduleLeader:
    """Runs the schedule in this process while it leads; `start` and `stop` with the server."""

    def __init__(self, engine: Engine, services: Services, *, lock: LeaderLock | None = None):
        self._engine = engine
        self._services = services
        self._name = scheduler.process_name()
        self._lock = lock or leader_lock(services.settings.db_url, name=LOCK_NAME, holder=self._name)
        self._every = services.settings.leader_check_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedule-leader", daemon=True)
        self._schedule: BaseScheduler | None = None

    @property
    def leading(self) -> bool:
        return self._schedule is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._check()
                except Exception:
                    log.exception("schedule leadership check failed")
                self._stop.wait(self._every)
        finally:
            self._step_down()
            self._lock.release()

    def _check(self) -> None:
        if self._schedule is None:
            if self._lock.try_acquire():
                self._schedule = scheduler.start(self._engine, self._services)
                log.info("this process (%s) leads: it runs the schedule", self._name)
        elif not self._lock.holding():
            log.warning("this process (%s) lost the lead: its schedule stops", self._name)
            self._step_down()

    def _step_down(self) -> None:
        schedule, self._schedule = self._schedule, None
        if schedule is not None:
            schedule.shutdown(wait=False)

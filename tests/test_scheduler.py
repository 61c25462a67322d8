"""The schedule lives in the database: a restarted process finds its tasks with the run times
they had, and each task does its upkeep (expiring jobs past their end date)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from conftest import ChatHarness, advance
from sqlmodel import Session, select

from bot import scheduler
from bot.outreach.jobs import post_job
from storage.db import session_scope
from storage.models import Job


def _stored(chat: ChatHarness) -> dict[str, datetime]:
    store = SQLAlchemyJobStore(engine=chat.engine, tablename=scheduler.JOBSTORE_TABLE)
    store.start(None, "default")
    return {job.id: job.next_run_time for job in store.get_all_jobs()}


def test_the_schedule_survives_a_restart(chat: ChatHarness) -> None:
    services = chat.dispatcher.services
    first = scheduler.start(chat.engine, services)
    deadline = time.monotonic() + 10
    while any(job.next_run_time <= datetime.now(UTC) for job in first.get_jobs()):
        assert time.monotonic() < deadline, "the tasks did not run at start"
        time.sleep(0.05)
    first.shutdown(wait=True)
    stored = _stored(chat)
    assert set(stored) == {task.id for task in scheduler.TASKS}
    assert all(at > datetime.now(UTC) for at in stored.values())

    second = scheduler.start(chat.engine, services)
    try:
        assert {job.id: job.next_run_time for job in second.get_jobs()} == stored
    finally:
        second.shutdown(wait=False)


def test_jobs_past_their_end_date_are_closed(sqlite_chat: ChatHarness) -> None:
    services = sqlite_chat.dispatcher.services
    today = services.local_now().date()
    with session_scope(sqlite_chat.engine) as session:
        post_job(session, services, {"title": "过期的", "employer": "示范茶场", "town": "华埠",
                                     "end_date": today.isoformat()})
        post_job(session, services, {"title": "还开着", "employer": "示范茶场", "town": "华埠",
                                     "end_date": (today + timedelta(days=1)).isoformat()})
    advance(services, timedelta(days=1))
    running = scheduler.start(sqlite_chat.engine, services, tasks=[])
    try:
        assert scheduler.expire_task() == 1
    finally:
        running.shutdown(wait=False)
    with Session(sqlite_chat.engine) as session:
        assert {j.title: j.status for j in session.exec(select(Job))} == {"过期的": "expired", "还开着": "open"}
    assert isinstance(today, date)

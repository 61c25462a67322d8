"""Each scheduled task's last start, claimed with one conditional statement: a task runs only
when its previous start (in any process) is at least `min_gap` old, so a tick is never run
twice even while a deposed leader and its successor overlap for a moment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from storage.models import ScheduleRun
from storage.sql import insert_ignore


def claim_run(session: Session, *, task: str, owner: str, now: datetime, min_gap: timedelta) -> bool:
    """Record that `owner` starts `task` now; False when it already started less than `min_gap` ago."""
    if insert_ignore(session, ScheduleRun, {"task": task, "last_started_at": now, "owner": owner, "runs": 1}):
        return True
    stmt = (
        update(ScheduleRun)
        .where(col(ScheduleRun.task) == task, col(ScheduleRun.last_started_at) <= now - min_gap)
        .values(last_started_at=now, owner=owner, runs=col(ScheduleRun.runs) + 1)
        .returning(col(ScheduleRun.task))
    )
    return session.connection().execute(stmt).first() is not None

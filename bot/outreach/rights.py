"""Tell a person that their 维权 case moved on: one push per status change staff make, queued
once (the change is the key), on whatever channel reaches the person."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import cases as store
from storage.models import RightsCase, RightsCaseEvent, saved_id
from storage.outbox import Push, enqueue

PUSH_KIND = "case"


def status_push(case: RightsCase, event: RightsCaseEvent) -> tuple[str, ...]:
    note = f"\n{event.note}" if event.note else ""
    return (f"您的维权（编号 {case.number}）有新进展：{store.STATUSES.get(event.status, event.status)}。{note}\n"
            "回复“查进度”可以随时看。",)


def notify(session: Session, *, case: RightsCase, event: RightsCaseEvent, now: datetime) -> int:
    """Queue the change for the person once; 0 when they cannot be reached (`storage.cases.reach`
    says why)."""
    worker_id, _ = store.reach(session, case)
    if worker_id is None or event.id is None:
        return 0
    return enqueue(session, [Push(key=store.push_key(saved_id(case), event.id), worker_id=worker_id,
                                  kind=PUSH_KIND, ref_id=case.id, texts=status_push(case, event))], now=now)

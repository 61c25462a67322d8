"""Remind people the day before their course (培训) starts: one push per person and course,
whatever channel reaches them; a cancelled sign-up's reminder is cancelled in storage."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.services import Services
from handlers.training import day_text, place_text
from storage import courses as store
from storage.models import Course, saved_id
from storage.outbox import Push, enqueue


def reminder(course: Course) -> tuple[str, ...]:
    return (f"提醒：明天（{day_text(course.starts_on)}）开始培训：{course.title}。\n地点：{place_text(course)}。\n"
            "记得按时去。不去了，回复“取消报名”。",)


def reminder_fields(course: Course) -> dict[str, str]:
    """The course's facts for a channel with fixed templates (SMS): what, which day, where."""
    return {"title": course.title, "date": day_text(course.starts_on), "place": place_text(course)}


def queue_reminders(session: Session, services: Services) -> int:
    """Queue tomorrow's course reminders; each person is reminded of a course once."""
    tomorrow = services.local_now().date() + timedelta(days=1)
    now = services.clock()
    return sum(enqueue(session, (Push(key=store.reminder_key(saved_id(due.course), w), worker_id=w,
                                      kind=store.REMINDER_KIND, ref_id=due.course.id, texts=reminder(due.course),
                                      params=reminder_fields(due.course))
                                 for w in due.worker_ids), now=now)
               for due in store.reminders_due(session, starting_on=tomorrow))

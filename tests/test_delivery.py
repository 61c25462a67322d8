"""The delivery worker's rules: quiet hours, the daily cap and digest, 退订, retries,
permanent failures, and never twice — with two workers racing on one database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ChatHarness, Clock, make_settings
from sqlmodel import Session, col, select

from bot.channels.base import Outcome, PushMessage, SendResult
from bot.delivery import Deliverer, quiet_until
from bot.outreach.jobs import post_job
from bot.services import Services
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import Outbox, Worker, saved_id

TZ = ZoneInfo("Asia/Shanghai")
REGISTER = ["登记", "华埠", "金星村", "45", "采茶", "1", "3", "1", "1", "1"]


def local(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class RecordingSender:
    """A channel that records what it was asked to send and answers as told."""

    sent: list[tuple[str, list[str]]] = field(default_factory=list)
    answers: list[SendResult] = field(default_factory=list)

    async def send(self, message: PushMessage) -> SendResult:
        self.sent.append((message.user_id, list(message.texts)))
        return self.answers.pop(0) if self.answers else SendResult(Outcome.SENT)


def deliver(chat: ChatHarness, sender: RecordingSender, **kw: Any) -> int:
    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": sender}, **kw)
    total = 0
    while taken := asyncio.run(deliverer.run_once()):
        total += taken
    return total


def post(chat: ChatHarness, n: int = 1, **spec: str) -> None:
    with session_scope(chat.engine) as session:
        for i in range(n):
            post_job(session, chat.dispatcher.services, {"title": f"采茶工{i}", "employer": "示范茶场", "town": "华埠",
                                                          "skills": "采茶", "pay": "150元/天", **spec})


def statuses(chat: ChatHarness) -> list[str]:
    with Session(chat.engine) as session:
        return [r.status for r in session.exec(select(Outbox).order_by(col(Outbox.id)))]


@pytest.mark.parametrize("at,until", [
    ((21, 30), (8, 0, 11)), ((23, 59), (8, 0, 11)), ((0, 10), (8, 0, 10)), ((7, 59), (8, 0, 10)),
])
def test_quiet_hours_across_midnight(at: tuple[int, int], until: tuple[int, int, int]) -> None:
    start, end = datetime.strptime("21:00", "%H:%M").time(), datetime.strptime("08:00", "%H:%M").time()
    wake = quiet_until(local(*at).astimezone(TZ), start, end)
    assert wake == datetime(2026, 3, until[2], until[0], until[1], tzinfo=TZ)


@pytest.mark.parametrize("at", [(8, 0), (12, 0), (20, 59)])
def test_outside_quiet_hours(at: tuple[int, int]) -> None:
    start, end = datetime.strptime("21:00", "%H:%M").time(), datetime.strptime("08:00", "%H:%M").time()
    assert quiet_until(local(*at).astimezone(TZ), start, end) is None


def test_a_push_at_night_waits_for_the_morning(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(22, 30)
    post(chat)
    sender = RecordingSender()
    deliver(chat, sender)
    assert sender.sent == [] and statuses(chat) == ["pending"]
    clock.now = local(8, 1, day=11)
    deliver(chat, sender)
    assert len(sender.sent) == 1 and statuses(chat) == ["sent"]


def test_elderly_people_have_longer_quiet_hours(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*["登记", "华埠", "金星村", "66", "采茶", "1", "3", "1", "1", "1"])
    clock.now = local(8, 30)
    post(chat)
    sender = RecordingSender()
    deliver(chat, sender)
    assert sender.sent == []
    clock.now = local(9, 0)
    deliver(chat, sender)
    assert len(sender.sent) == 1


def test_the_daily_cap_turns_the_rest_into_one_digest(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(10)
    post(chat, 5)
    sender = RecordingSender()
    deliver(chat, sender)
    assert len(sender.sent) == 3
    assert sorted(statuses(chat)) == ["held", "held", "pending", "sent", "sent", "sent"]
    clock.now = local(9, 0, day=11)
    deliver(chat, sender)
    assert len(sender.sent) == 4
    assert "今天还有2个新活儿" in sender.sent[-1][1][0]
    assert sorted(statuses(chat)) == ["digested", "digested", "sent", "sent", "sent", "sent"]


def test_unsubscribe_stops_everything_at_once(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(10)
    post(chat, 2)
    chat.say("退订")
    sender = RecordingSender()
    deliver(chat, sender)
    assert sender.sent == [] and statuses(chat) == ["skipped", "skipped"]


def test_erased_people_are_never_pushed(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(10)
    post(chat)
    chat.conversation("注销", "1")
    sender = RecordingSender()
    deliver(chat, sender)
    assert sender.sent == [] and statuses(chat) == ["cancelled"]  # cancelled by 注销 itself


def test_transient_errors_retry_with_backoff_and_permanent_ones_stop(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(10)
    post(chat, 2)
    sender = RecordingSender(answers=[SendResult(Outcome.RETRY, "timeout"), SendResult(Outcome.PERMANENT, "43004")])
    deliver(chat, sender)
    assert sorted(statuses(chat)) == ["failed", "pending"]
    clock.now = local(10, 30)
    deliver(chat, sender)
    assert sorted(statuses(chat)) == ["failed", "sent"]
    assert len(sender.sent) == 3


def test_a_row_left_sending_by_a_dead_process_is_never_sent_again(chat: ChatHarness, clock: Clock) -> None:
    chat.conversation(*REGISTER)
    clock.now = local(10)
    post(chat, 2)
    with session_scope(chat.engine) as session:
        rows = outbox.claim_due(session, now=clock.now, limit=10, lease=timedelta(minutes=5))
        outbox.mark_sending(session, outbox_id=saved_id(rows[0]))
    clock.now = local(10, 10)
    sender = RecordingSender()
    deliverer = Deliverer(chat.engine, chat.dispatcher.services, {"console": sender})
    assert asyncio.run(deliverer.recover()) == (1, 1)
    deliver(chat, sender)
    assert sorted(statuses(chat)) == ["doubt", "sent"] and len(sender.sent) == 1


def test_two_delivery_workers_never_send_a_row_twice(db_url: str, tmp_path: Path, clock: Clock) -> None:
    from bot.app import build_dispatcher

    engine = make_engine(db_url)
    chat = ChatHarness(build_dispatcher(make_settings(db_url, tmp_path, job_daily_cap=1000), engine=engine,
                                        clock=clock))
    clock.now = local(10)
    for n in range(40):
        chat.conversation(*REGISTER, user=f"p{n}")
    post(chat, 5)
    sender = RecordingSender()
    other_engine = make_engine(db_url)
    services = chat.dispatcher.services
    first = Deliverer(engine, services, {"console": sender}, batch=7)
    second = Deliverer(other_engine, Services(settings=services.settings, clock=clock), {"console": sender}, batch=7)

    async def race() -> None:
        while sum(await asyncio.gather(first.run_once(), second.run_once())):
            pass

    asyncio.run(race())
    keys = [(user, texts[0]) for user, texts in sender.sent]
    assert len(keys) == 200 and len(set(keys)) == 200
    with Session(engine) as session:
        assert {r.status for r in session.exec(select(Outbox))} == {"sent"}
        assert len(session.exec(select(Worker)).all()) == 40
    engine.dispose()
    other_engine.dispose()

"""The reply budget any channel may use (bot.reply_budget): a reply ready in time goes in the
answer; a slow one is acknowledged and sent later through the channel's own sending, once,
also when a retry of the message overruns the budget as well."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.channels.base import Outcome, SendResult
from bot.dispatch import SORRY
from bot.messages import Reply, Update
from bot.reply_budget import Dispatched, ReplyBudget
from storage.db import make_engine
from storage.late_replies import is_late
from storage.models import InboundMessage

CHANNEL = "somechat"  # no channel of ours: the budget knows none by name
UPDATE = Update(channel=CHANNEL, user_id="user-1", text="慢慢来", dedup_key="user-1:42")
SLOW = "让您久等了，这是回复。"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def budget_for(engine: Engine, seconds: float, sent: list[tuple[str, str]]) -> ReplyBudget:
    async def send(user_id: str, text: str) -> SendResult:
        sent.append((user_id, text))
        return SendResult(Outcome.SENT)

    return ReplyBudget(channel=CHANNEL, seconds=seconds, engine=engine, send=send, mask=lambda user_id: "…")


def finished(reply: Reply) -> asyncio.Future[Dispatched]:
    future: asyncio.Future[Dispatched] = asyncio.get_running_loop().create_future()
    future.set_result((reply, False))
    return future


async def test_a_reply_ready_in_time_goes_in_the_answer(engine: Engine) -> None:
    sent: list[tuple[str, str]] = []
    budget = budget_for(engine, 1.0, sent)
    reply = await budget.answer(UPDATE, finished(Reply.of("好的")))
    assert reply is not None and reply.as_text() == "好的"
    await budget.drain()
    assert sent == []


async def test_an_overrun_is_sent_later_once_even_when_its_retry_overruns_too(engine: Engine) -> None:
    sent: list[tuple[str, str]] = []
    budget = budget_for(engine, 0.05, sent)
    loop = asyncio.get_running_loop()
    first: asyncio.Future[Dispatched] = loop.create_future()
    retry: asyncio.Future[Dispatched] = loop.create_future()
    assert await budget.answer(UPDATE, first) is None  # acknowledged only
    assert await budget.answer(UPDATE, retry) is None  # the platform's retry overran as well
    first.set_result((Reply.of(SLOW), False))
    retry.set_result((Reply.of(SLOW), False))
    await budget.drain()
    assert sent == [("user-1", SLOW)]
    with Session(engine) as session:
        assert is_late(session, channel=CHANNEL, dedup_key="user-1:42")
        marks = session.exec(select(col(InboundMessage.status)).where(col(InboundMessage.channel) == CHANNEL)).all()
    assert sorted(marks) == ["late", "sent"]
    # a later retry, answered in time from the stored reply, is acknowledged only: no second copy
    assert await budget.answer(UPDATE, finished(Reply.of(SLOW))) is None


async def test_a_failed_dispatch_is_answered_with_an_apology(engine: Engine) -> None:
    budget = budget_for(engine, 1.0, [])
    failed: asyncio.Future[Dispatched] = asyncio.get_running_loop().create_future()
    failed.set_exception(RuntimeError("boom"))
    assert await budget.answer(UPDATE, failed) == Reply.of(SORRY)

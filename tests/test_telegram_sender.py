"""TelegramSender against the fake Bot API: flood waits, blocked users, network errors and
the rate limits, timed with small numbers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import touch_account
from fakes.telegram_api import FakeTelegram
from sqlmodel import Session, select

from bot.channels.base import Outcome
from bot.channels.telegram import RateLimits, TelegramSender, make_bot
from bot.channels.telegram.ratelimit import RateLimiter
from bot.messages import Reply
from bot.settings import Settings
from storage.db import make_engine, session_scope
from storage.models import ChatAccount

UNLIMITED = RateLimits(per_chat=1000, per_chat_burst=100, overall=1000, overall_burst=100)
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeTelegram) -> AsyncIterator[Any]:
    bot = make_bot(Settings(telegram_token=api.token, telegram_api_base=api.url))
    yield bot
    await bot.request.shutdown()


def sender(bot: Any, limits: RateLimits = UNLIMITED, **kw: Any) -> TelegramSender:
    return TelegramSender(bot, limits=limits, backoff=0.01, **kw)


async def test_a_reply_arrives_as_messages_with_its_keyboard(bot: Any, api: FakeTelegram) -> None:
    result = await sender(bot).send(42, Reply.of("您好", "请问您想做什么？", choices=["登记找活", "我的信息"]))
    assert result.delivered and result.sent == 2
    first, last = api.sent(42)
    assert first.params["text"] == "您好" and "reply_markup" not in first.params
    assert last.params["reply_markup"]["keyboard"] == [[{"text": "1 登记找活"}], [{"text": "2 我的信息"}]]


async def test_429_waits_retry_after_and_sends_once(bot: Any, api: FakeTelegram) -> None:
    api.flood(retry_after=1, chat_id=42)
    started = time.monotonic()
    result = await sender(bot).send(42, Reply.of("招聘会提醒"))
    assert result.delivered
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in api.calls_to("sendMessage")] == [429, 200]
    assert api.texts(42) == ["招聘会提醒"]
    attempts = api.calls_to("sendMessage")
    assert attempts[1].at - attempts[0].at >= 1.0


async def test_a_long_flood_wait_is_handed_back_not_waited(bot: Any, api: FakeTelegram) -> None:
    api.flood(retry_after=120, chat_id=42)
    started = time.monotonic()
    result = await sender(bot, max_flood_wait=60).send(42, Reply.of("x"))
    assert result.outcome is Outcome.RETRY and result.retry_after == 120
    assert time.monotonic() - started < 5
    assert len(api.calls_to("sendMessage")) == 1


async def test_a_blocked_user_is_marked_unreachable_and_not_retried(db_url: str, bot: Any, api: FakeTelegram) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        touch_account(session, channel="telegram", user_id="4242", now=NOW)
        touch_account(session, channel="telegram", user_id="4343", now=NOW)
    api.block(4242)

    result = await sender(bot, engine=engine).send(4242, Reply.of("有新岗位", "第二条"))

    assert result.outcome is Outcome.PERMANENT and result.permanent and result.sent == 0
    assert "blocked" in (result.reason or "")
    assert len(api.calls_to("sendMessage")) == 1
    with Session(engine) as session:
        reachable = {a.user_id: a.reachable for a in session.exec(select(ChatAccount))}
    assert reachable == {"4242": False, "4343": True}
    engine.dispose()


async def test_chat_not_found_is_permanent(sqlite_url: str, bot: Any, api: FakeTelegram) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        touch_account(session, channel="telegram", user_id="55", now=NOW)
    api.fail("sendMessage", status=400, description="Bad Request: chat not found", chat_id=55)
    result = await sender(bot, engine=engine).send(55, Reply.of("x"))
    assert result.outcome is Outcome.PERMANENT and len(api.calls_to("sendMessage")) == 1
    with Session(engine) as session:
        assert not session.exec(select(ChatAccount)).one().reachable
    engine.dispose()


async def test_network_errors_are_retried_a_few_times(bot: Any, api: FakeTelegram) -> None:
    api.fail("sendMessage", status=502, description="Bad Gateway", times=2)
    assert (await sender(bot, network_retries=3).send(42, Reply.of("x"))).delivered
    assert [c.status for c in api.calls_to("sendMessage")] == [502, 502, 200]

    api.fail("sendMessage", status=502, description="Bad Gateway", times=100)
    result = await sender(bot, network_retries=3).send(43, Reply.of("y"))
    assert result.outcome is Outcome.RETRY and not result.permanent
    assert len([c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 43]) == 4


async def test_unreachable_api_is_a_transient_failure() -> None:
    bot = make_bot(Settings(telegram_token="1:x", telegram_api_base="http://127.0.0.1:9"))
    result = await sender(bot, network_retries=1).send(42, Reply.of("x"))
    await bot.request.shutdown()
    assert result.outcome is Outcome.RETRY


async def test_one_chat_gets_at_most_its_rate(bot: Any, api: FakeTelegram) -> None:
    limits = RateLimits(per_chat=10, per_chat_burst=1, overall=1000, overall_burst=100)
    texts = [f"第{i}条" for i in range(6)]
    assert (await sender(bot, limits).send(42, Reply.of(*texts))).delivered
    times = [c.at for c in api.sent(42)]
    assert api.texts(42) == texts
    # every run of k gaps spans k tenths of a second, less what a loaded machine's arrivals may jitter (a
    # burst would put two or more within a few milliseconds)
    assert all(times[j] - times[i] >= 0.1 * (j - i) - 0.05 for i in range(len(times)) for j in range(i + 1, len(times)))
    assert times[-1] - times[0] >= 0.45


async def test_a_slow_chat_does_not_hold_up_others(bot: Any, api: FakeTelegram) -> None:
    limits = RateLimits(per_chat=5, per_chat_burst=1, overall=1000, overall_burst=100)
    shared = sender(bot, limits)
    started = time.monotonic()
    busy = asyncio.create_task(shared.send(1, Reply.of(*"abcde")))
    await asyncio.sleep(0.05)
    assert (await shared.send(2, Reply.of("插队"))).delivered
    assert time.monotonic() - started < 0.5
    assert (await busy).delivered and time.monotonic() - started >= 0.75


async def test_all_chats_together_get_at_most_the_overall_rate(bot: Any, api: FakeTelegram) -> None:
    limits = RateLimits(per_chat=1000, per_chat_burst=100, overall=20, overall_burst=1)
    shared = sender(bot, limits)
    results = await asyncio.gather(*(shared.send(chat, Reply.of("群发")) for chat in range(100, 110)))
    assert all(r.delivered for r in results)
    times = sorted(c.at for c in api.sent())
    assert len(times) == 10
    assert times[-1] - times[0] >= 0.4  # 10 messages at 20 a second


async def test_the_limiter_hands_out_turns_in_order() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))

    limiter = RateLimiter(RateLimits(per_chat=1, per_chat_burst=3, overall=30, overall_burst=1),
                          clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await limiter.acquire("a")
    # chat a: three at once, then one a second; overall: one every 1/30 s
    assert waits == [0.033, 0.067, 1.0, 0.1, 2.0, 0.133]
    waits.clear()
    now[0] = 10.0
    await limiter.acquire("a")
    await limiter.acquire("b")
    assert waits == [0.033]

"""Messages dispatched as a batch (one transaction) behave exactly as one by one: order,
retries, one person twice, a failing handler; and the thread hand-off that forms batches."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from conftest import Clock, broken_router, make_settings
from sqlalchemy import event, func
from sqlmodel import Session, col, select

from bot.app import build_dispatcher
from bot.batches import Batcher
from bot.dispatch import SORRY, Dispatcher
from bot.messages import Kind, Reply, Update
from bot.router import Ctx, Router
from storage.db import make_engine
from storage.models import Conversation, InboundMessage, Worker

REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]


def text(channel: str, user: str, said: str, key: str | None = None) -> Update:
    return Update(channel, user, Kind.TEXT, said, dedup_key=key)


def texts(replies: list[Reply | None]) -> list[str]:
    """Each reply's text; the test fails on a message that got no reply."""
    out = []
    for reply in replies:
        assert reply is not None, "a message got no reply"
        out.append(reply.as_text())
    return out


@pytest.fixture
def dispatcher(db_url: str, tmp_path: Path, clock: Clock):
    engine = make_engine(db_url)
    yield build_dispatcher(make_settings(db_url, tmp_path), engine=engine, clock=clock)
    engine.dispose()


def test_a_batch_answers_as_one_by_one_would(dispatcher: Dispatcher, sqlite_url: str, tmp_path: Path,
                                             clock: Clock) -> None:
    alone = build_dispatcher(make_settings(sqlite_url, tmp_path / "alone"), engine=make_engine(sqlite_url),
                             clock=clock)
    people = ["甲", "乙", "丙"]
    for step, said in enumerate(REGISTRATION):
        batch = [text("wechat", person, said, f"{person}{step}") for person in people]
        assert texts(dispatcher.dispatch_many(batch)) == texts([alone.dispatch(u) for u in batch])
    with Session(dispatcher.engine) as session:
        assert session.exec(select(func.count()).select_from(Worker)).one() == 3
        assert set(session.exec(select(col(InboundMessage.status)))) == {"done"}


def test_one_person_twice_in_a_batch_is_answered_in_order(dispatcher: Dispatcher) -> None:
    replies = texts(dispatcher.dispatch_many([text("wechat", "甲", "登记", "m1"), text("wechat", "乙", "登记", "m2"),
                                              text("wechat", "甲", "华埠", "m3")]))
    assert "哪个乡镇" in replies[0] and "哪个乡镇" in replies[1]
    assert "哪个村" in replies[2]
    with Session(dispatcher.engine) as session:
        steps = dict(session.exec(select(col(Conversation.user_id), col(Conversation.step))).all())
    assert steps == {"甲": "village", "乙": "town"}


def test_a_sign_up_is_seen_by_the_same_persons_next_message_in_the_batch(dispatcher: Dispatcher) -> None:
    for step, said in enumerate(REGISTRATION[:-1]):
        dispatcher.dispatch(text("wechat", "甲", said, f"r{step}"))
    signed_up, info, erase, confirm_erase, after = texts(dispatcher.dispatch_many([
        text("wechat", "甲", "1", "c1"), text("wechat", "甲", "我的信息", "c2"), text("wechat", "甲", "注销", "c3"),
        text("wechat", "甲", "1", "c4"), text("wechat", "甲", "我的信息", "c5")]))
    assert "登记好了" in (signed_up or "") and "华埠镇 金星村" in (info or "")
    assert "已删除" in (confirm_erase or "") and "还没有登记" in (after or "")
    with Session(dispatcher.engine) as session:
        assert session.exec(select(func.count()).select_from(Worker)).one() == 0


def test_a_batch_reads_its_peoples_workers_in_one_statement(dispatcher: Dispatcher) -> None:
    people = ["甲", "乙", "丙"]
    for step, said in enumerate(REGISTRATION):
        dispatcher.dispatch_many([text("wechat", person, said, f"{person}{step}") for person in people])
    reads: list[str] = []

    @event.listens_for(dispatcher.engine, "before_cursor_execute")
    def worker_read(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if re.search(r"FROM worker\s+WHERE worker\.id", statement):
            reads.append(statement)

    replies = texts(dispatcher.dispatch_many([text("wechat", p, "我的信息", f"{p}-info") for p in people]))
    assert all("您的登记信息" in reply and "金星村" in reply for reply in replies)
    assert len(reads) == 1, reads


def test_a_retry_inside_the_same_batch_is_handled_once(db_url: str, tmp_path: Path, clock: Clock) -> None:
    counting = Router("counting")
    calls: list[str] = []

    @counting.command("数一下")
    def count(ctx: Ctx) -> Reply:
        calls.append(ctx.update.dedup_key or "")
        return Reply.of(f"第{len(calls)}次")

    engine = make_engine(db_url)
    dispatcher = build_dispatcher(make_settings(db_url, tmp_path), engine=engine, clock=clock,
                                  extra_routers=[counting])
    replies = texts(dispatcher.dispatch_many([text("wechat", "甲", "数一下", "m1"),
                                              text("wechat", "甲", "数一下", "m1"),
                                              text("wechat", "甲", "数一下", "m2")]))
    assert replies == ["第1次", "第1次", "第2次"] and calls == ["m1", "m2"]
    assert texts(dispatcher.dispatch_many([text("wechat", "甲", "数一下", "m1")])) == ["第1次"]
    assert calls == ["m1", "m2"]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(InboundMessage)).one() == 2
    engine.dispose()


def test_a_failing_handler_costs_only_its_own_message(db_url: str, tmp_path: Path, clock: Clock) -> None:
    engine = make_engine(db_url)
    dispatcher = build_dispatcher(make_settings(db_url, tmp_path), engine=engine, clock=clock,
                                  extra_routers=[broken_router()])
    dispatcher.dispatch_many([text("wechat", "甲", "登记", "a0"), text("wechat", "乙", "登记", "b0")])
    replies = texts(dispatcher.dispatch_many([text("wechat", "甲", "华埠", "a1"), text("wechat", "乙", "出错", "b1"),
                                              text("wechat", "甲", "金星村", "a2")]))
    assert "哪个村" in replies[0] and replies[1] == SORRY and "岁数" in replies[2]
    with Session(engine) as session:
        states = {c.user_id: c for c in session.exec(select(Conversation))}
        keys = set(session.exec(select(col(InboundMessage.dedup_key))))
    assert states["甲"].step == "age" and states["乙"].step == "town" and "half" not in states["乙"].data
    assert keys == {"a0", "b0", "a1", "a2"}  # the failed one is not kept: WeChat's retry is handled afresh
    assert texts(dispatcher.dispatch_many([text("wechat", "乙", "华埠", "b1")])) != [SORRY]
    engine.dispose()


def test_the_batcher_runs_what_arrived_while_a_lane_was_busy() -> None:
    seen: list[tuple[int, list[int]]] = []

    async def run(lane: int, items: list[int]) -> list[int]:
        seen.append((lane, items))
        await asyncio.sleep(0.05)
        return [item * 10 for item in items]

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(run, lanes=1)
        first = batcher.submit(1)
        await asyncio.sleep(0.01)  # the lane is now busy with [1]
        rest = [batcher.submit(n) for n in range(2, 6)]
        return list(await asyncio.gather(first, *rest))

    assert asyncio.run(main()) == [10, 20, 30, 40, 50]
    assert seen == [(0, [1]), (0, [2, 3, 4, 5])]


def test_the_batcher_keeps_each_lane_to_one_batch_and_caps_its_size() -> None:
    busy: set[int] = set()
    seen: list[list[int]] = []

    async def run(lane: int, items: list[int]) -> list[int]:
        assert lane not in busy
        busy.add(lane)
        seen.append(items)
        await asyncio.sleep(0.02)
        busy.discard(lane)
        return items

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(run, lanes=2, max_batch=3)
        return list(await asyncio.gather(*(batcher.submit(n) for n in range(8))))

    assert asyncio.run(main()) == list(range(8))
    assert seen == [[0, 1, 2], [3, 4, 5], [6, 7]]


def test_a_failed_batch_is_run_again_one_by_one_so_a_bad_item_costs_only_itself() -> None:
    calls: list[list[int]] = []

    async def run(lane: int, items: list[int]) -> list[int]:
        calls.append(items)
        if 13 in items:  # e.g. an item that cannot be handed to the dispatch process
            raise RecursionError("maximum recursion depth exceeded while pickling")
        return [n * 10 for n in items]

    async def main() -> list[BaseException | int]:
        batcher: Batcher[int, int] = Batcher(run)
        return list(await asyncio.gather(*(batcher.submit(n) for n in (1, 13, 2)), return_exceptions=True))

    outcome = asyncio.run(main())
    assert outcome[0] == 10 and isinstance(outcome[1], RecursionError) and outcome[2] == 20
    assert calls == [[1, 13, 2], [1], [13], [2]]  # in their order, so one person's messages stay in order


def test_the_batcher_reports_a_failure_to_the_caller_and_goes_on() -> None:
    failures = [RuntimeError("database gone")]

    async def run(lane: int, items: list[int]) -> list[int]:
        if failures:
            raise failures.pop()
        return items

    async def main() -> list[BaseException | int]:
        batcher: Batcher[int, int] = Batcher(run)
        failed = await asyncio.gather(batcher.submit(1), return_exceptions=True)
        return [*failed, await batcher.submit(3)]

    outcome = asyncio.run(main())
    assert type(outcome[0]) is RuntimeError and outcome[1] == 3


def test_a_message_whose_claim_cannot_be_stored_costs_only_itself(dispatcher: Dispatcher) -> None:
    """A key longer than the inbound log's column fails the claim insert on PostgreSQL (and
    any other database error would too); the others in the batch are still handled."""
    batch = [text("telegram", "甲", "登记", "k1"), text("telegram", "乙", "登记", "x" * 400),
             text("telegram", "丙", "登记", "k3")]
    replies = texts(dispatcher.dispatch_many(batch))
    assert "哪个乡镇" in replies[0] and "哪个乡镇" in replies[2]
    assert replies[1] in (SORRY, replies[0])  # SQLite does not enforce the column's length
    with Session(dispatcher.engine) as session:
        done = set(session.exec(select(col(InboundMessage.dedup_key)).where(col(InboundMessage.status) == "done")))
        kept = set(session.exec(select(col(InboundMessage.dedup_key))))
    assert {"k1", "k3"} <= done
    assert "x" * 160 not in kept  # never stored cut to the column's length, where another key could meet it

"""The webhook with its dispatcher in a child process (as `jobbot serve` runs it): villagers
register at once over real HTTP, and a child killed in the middle loses and repeats nothing."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from itertools import count
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest
from conftest import make_settings
from sqlalchemy import func
from sqlmodel import Session, col, select
from test_wechat_support import StartWebhook, fake_api, webhook_factory  # noqa: F401  (fixtures)

from bot.channels.wechat.webhook import dispatch_batch
from bot.dispatch_process import DispatchProcess, ProcessDied
from storage.models import InboundMessage, Worker

REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]
DONE = "登记好了"


def children() -> list[BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.name == "jobbot-dispatch"]


async def test_villagers_register_at_once_through_the_dispatch_process(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory(dispatch_processes=1)
    assert len(children()) == 1  # started with the server, before the first message
    people = [f"oVillager{n:02d}" for n in range(8)]

    async def register(openid: str) -> str | None:
        for said in REGISTRATION:
            posted = await hook.wechat.text(openid, said)
            assert posted.status == 200
        return posted.reply

    replies = await asyncio.gather(*(register(p) for p in people))
    assert all(reply and DONE in reply for reply in replies)
    with Session(hook.engine) as session:
        assert session.exec(select(func.count()).select_from(Worker)).one() == len(people)
        assert session.exec(select(func.count()).select_from(InboundMessage)).one() == len(people) * len(REGISTRATION)


async def test_a_killed_dispatch_process_is_replaced_and_nothing_is_handled_twice(
        webhook_factory: StartWebhook) -> None:
    hook = webhook_factory(dispatch_processes=1)
    people = [f"oVillager{n:02d}" for n in range(6)]
    ids = count(7_000_000)
    sent: list[tuple[str, str, int]] = []

    async def say(openid: str, text: str, msg_id: int) -> None:
        posted = await hook.wechat.text(openid, text, msg_id=msg_id)
        assert posted.status == 200  # a reply, or "success" for a message whose reply was lost

    async def kill_soon() -> None:
        await asyncio.sleep(0.3)
        os.kill(children()[0].pid or 0, signal.SIGKILL)

    async def register(openid: str) -> None:
        for said in REGISTRATION[:5]:
            sent.append((openid, said, next(ids)))
            await say(*sent[-1])

    await asyncio.gather(kill_soon(), *(register(p) for p in people))
    for openid, said, msg_id in sent:  # WeChat retries every message: each is answered, none redone
        await say(openid, said, msg_id)
    assert len(children()) == 1
    with Session(hook.engine) as session:
        # on a busy machine the restart overruns the reply budget: "late"/"sent" marks join the log
        statuses = session.exec(select(col(InboundMessage.status)).where(
            col(InboundMessage.status).not_in(("late", "sent")))).all()
        assert len(statuses) == len(sent) and set(statuses) == {"done"}
    for openid in people:  # each villager's registration went on from where it was
        assert "去多远" in ((await hook.wechat.text(openid, "1")).reply or "")  # 有空的时间 → 多远


class _Unreadable:
    """Pickles in the server; unpickling it in the child raises (as a call too deep or too odd would)."""

    def __reduce__(self):
        return int, ("not a number",)


async def test_a_call_the_child_cannot_read_fails_alone_and_the_child_lives_on(sqlite_url: str,
                                                                              tmp_path: Path) -> None:
    child = DispatchProcess(make_settings(sqlite_url, tmp_path))
    await child.start()
    try:
        pid = children()[0].pid
        with pytest.raises(RuntimeError, match="ValueError"):
            await child.call(dispatch_batch, _Unreadable())
        assert await child.call(dispatch_batch, [], [], False) == []
        assert children()[0].pid == pid
    finally:
        await child.stop()


async def test_a_child_killed_while_idle_is_replaced_at_the_next_call(sqlite_url: str, tmp_path: Path) -> None:
    child = DispatchProcess(make_settings(sqlite_url, tmp_path))
    await child.start()
    try:
        first = children()[0]
        os.kill(first.pid or 0, signal.SIGKILL)
        await asyncio.to_thread(first.join, 5)
        with pytest.raises(ProcessDied):  # the webhook hands the batch to the new child
            await child.call(dispatch_batch, [], [], False)
        assert await child.call(dispatch_batch, [], [], False) == []
        assert [c.pid for c in children()] != [first.pid]
    finally:
        await child.stop()


def _echo(_dispatcher: object, payload: bytes) -> bytes:
    return payload


def test_calls_and_answers_larger_than_a_pipe_holds_cross_under_uvloop(sqlite_url: str, tmp_path: Path) -> None:
    # `jobbot serve` runs on uvloop when it is installed, whose add_reader makes the pipe non-blocking:
    # a message the pipe cannot hold at once must still be read and written whole.
    uvloop = pytest.importorskip("uvloop")

    async def main() -> None:
        child = DispatchProcess(make_settings(sqlite_url, tmp_path))
        await child.start()
        try:
            payload = os.urandom(4 << 20)
            assert await child.call(_echo, payload) == payload
            assert children()[0].is_alive()
        finally:
            await child.stop()

    uvloop.run(main())

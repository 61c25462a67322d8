"""Messages in hand when a process dies on PostgreSQL are handled by the next retry at once.

`jobbot serve` (a real subprocess with its dispatch child) is killed with SIGKILL while a
burst of new villagers' 登记 is being handled, then started again: WeChat's retries, which
come within about 15 seconds, are each handled — a conversation and the right reply — and
none is answered with an empty `success` because a dead process's claim stood in its way.
Then the same rule for Telegram's redeliveries, over HTTP, and at the storage level.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Clock, _truncate_all
from fakes.server import serving
from fakes.telegram_api import FakeTelegram
from fakes.telegram_chat import telegram_chat
from sqlalchemy import Engine, func, text
from sqlmodel import Session, col, select

from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from bot.channels.sandbox.simulator import Posted, WeChatSimulator
from storage.db import make_engine, session_scope, throwaway_engine
from storage.inbound import STALE_CLAIM, claim_messages
from storage.models import Conversation, InboundMessage

TOKEN, APPID, SECRET = "crash-token-0123", "wx_crash_claims", "crash-claims-secret"
PEOPLE = 64
ASKED = "哪个乡镇"  # the first question of 登记


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """The run's PostgreSQL database, emptied afterwards (what a dead process can strand exists
    only there: SQLite's claims share the handling's transaction)."""
    yield postgres_url
    engine = throwaway_engine(postgres_url)
    _truncate_all(engine)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, api: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOBBOT_DATABASE_URL": db_url, "JOBBOT_DATA_DIR": str(log.parent),
           "JOBBOT_PORT": str(port), "JOBBOT_WECHAT_TOKEN": TOKEN, "JOBBOT_WECHAT_APPID": APPID,
           "JOBBOT_WECHAT_SECRET": SECRET, "JOBBOT_WECHAT_API_BASE": api, "JOBBOT_DISPATCH_PROCESSES": "1",
           "JOBBOT_BACKGROUND": "false"}
    env.pop("JOBBOT_TELEGRAM_TOKEN", None)
    with log.open("ab") as out:  # its own session: one signal reaches the server and its children
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=out, stderr=out,
                                  start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "jobbot serve did not start:\n" + log.read_text()
        time.sleep(0.1)


def kill(server: subprocess.Popen[bytes]) -> None:
    with_children = server.pid
    os.killpg(with_children, signal.SIGKILL)
    server.wait(10)


def count(engine: Engine, status: str) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(InboundMessage)
                            .where(col(InboundMessage.status) == status)).one()


async def burst_until_claims_are_in_hand(wechat: WeChatSimulator, engine: Engine, server: subprocess.Popen[bytes],
                                         people: list[str], first_id: int) -> list[tuple[str, int, int]]:
    """Everyone sends 登记 at once; the server is killed as soon as claims are committed and
    not yet finished. The messages sent (openid, MsgId, CreateTime)."""
    created = int(time.time())
    sent = [(openid, first_id + n, created) for n, openid in enumerate(people)]
    posts = [asyncio.create_task(wechat.text(openid, "登记", msg_id=msg_id, created=created))
             for openid, msg_id, created in sent]
    deadline = time.monotonic() + 30
    while not await asyncio.to_thread(count, engine, "processing"):
        assert time.monotonic() < deadline, "no message was ever in hand"
        await asyncio.sleep(0.002)
    kill(server)
    await asyncio.gather(*posts, return_exceptions=True)  # their connections broke
    return sent


def handled(engine: Engine, fake: FakeWeChat, openid: str, posted: Posted) -> bool:
    """The person got the first question (passively, or later through the API) and has a conversation."""
    late = any(ASKED in m.text for m in fake.messages_for(openid))
    with Session(engine) as session:
        conversation = session.exec(select(Conversation).where(col(Conversation.user_id) == openid)).first()
    return (ASKED in (posted.reply or "") or late) and conversation is not None and conversation.flow == "registration"


async def test_retries_after_a_crash_are_handled_at_once(pg_url: str, tmp_path: Path) -> None:
    fake = FakeWeChat(APPID, SECRET)
    engine = make_engine(pg_url)
    port, log = free_port(), tmp_path / "serve.log"
    with serving(create_fake_api(fake)) as api:
        wechat = WeChatSimulator(f"http://127.0.0.1:{port}/wechat", TOKEN, appid=APPID, fake=fake)
        for attempt in range(3):  # a kill can land just after the claims were finished: try again
            people = [f"oCrashVillager{attempt}{n:04d}" for n in range(PEOPLE)]
            server = start_server(pg_url, api, port, log)
            sent = await burst_until_claims_are_in_hand(wechat, engine, server, people, 8_100_000 + 1000 * attempt)
            killed_at = time.monotonic()
            if stranded := count(engine, "processing"):
                break
        else:
            pytest.fail("every kill came after the claims in hand were finished")

        server = start_server(pg_url, api, port, log)
        try:
            retries = await asyncio.gather(*(wechat.text(openid, "登记", msg_id=msg_id, created=created)
                                             for openid, msg_id, created in sent))
            retried_after = time.monotonic() - killed_at
            deadline = time.monotonic() + 15  # a reply that overran the budget goes out through the API
            while missed := [p for p, posted in zip(people, retries, strict=False)
                             if not handled(engine, fake, p, posted)]:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
        finally:
            kill(server)
            await wechat.aclose()
    # A retry later than STALE_CLAIM would be taken over by the clock alone and prove nothing.
    assert retried_after < STALE_CLAIM.total_seconds(), retried_after
    assert missed == [], f"{len(missed)} of {stranded} messages in hand at the kill were lost"
    assert count(engine, "processing") == 0
    engine.dispose()


# --- Telegram's redelivery, and the rule itself -----------------------------------------------------
def claim_in_a_process(url: str, *messages: tuple[str, str, str]) -> tuple[Engine, Any, int]:
    """Messages claimed (committed) by another process's connection, left open: (its engine,
    the open connection, the connection's backend pid)."""
    other = throwaway_engine(url)
    connection = other.connect()
    with session_scope(connection) as session:
        claim_messages(session, messages)
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    connection.commit()
    return other, connection, pid


def die(engine: Engine, other: Engine, connection: Any, pid: int) -> None:
    """The other process ends: its connection closes, and its server process leaves."""
    connection.close()
    other.dispose()
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
            assert time.monotonic() < deadline
            time.sleep(0.01)


def test_a_claim_is_taken_over_once_its_process_is_gone(pg_url: str) -> None:
    engine = make_engine(pg_url)
    other, connection, pid = claim_in_a_process(pg_url, ("wechat", "m-dead", "u"))
    with session_scope(engine) as session:  # still alive: in hand, so not now
        assert not claim_messages(session, [("wechat", "m-dead", "u")])[("wechat", "m-dead")].fresh
    die(engine, other, connection, pid)
    with session_scope(engine) as session:
        assert claim_messages(session, [("wechat", "m-dead", "u")])[("wechat", "m-dead")].fresh
    with session_scope(engine) as session:  # the new claim is ours, and we live
        assert not claim_messages(session, [("wechat", "m-dead", "u")])[("wechat", "m-dead")].fresh
    engine.dispose()


def test_telegram_redelivers_an_update_a_dead_process_had_in_hand(pg_url: str, tmp_path: Path,
                                                                  clock: Clock) -> None:
    with FakeTelegram() as api, telegram_chat(pg_url, tmp_path, api, clock) as tg:
        user = str(tg.chat_id)
        other, connection, pid = claim_in_a_process(pg_url, ("telegram", "950", user), ("telegram", "951", user))
        assert tg.send("登记", update_id=950) == []  # its process lives: the update is in hand there
        die(tg.engine, other, connection, pid)
        assert any("开始登记" in t for t in tg.send("登记", update_id=950))
        assert any("村" in t for t in tg.send("华埠", update_id=951))
        assert tg.send("华埠", update_id=951) == []  # handled now: a further redelivery is not

"""Shared pieces of the WeChat tests (no tests here): live servers on free loopback ports,
the fake WeChat API, and a webhook server wired to it. Everything crosses real HTTP."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from conftest import STAFF_TOKEN, Clock, make_settings
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.app import build_dispatcher
from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from bot.channels.sandbox.simulator import Posted, WeChatSimulator
from bot.channels.wechat import WeChatChannel
from bot.console import console_routes
from bot.router import Router
from bot.settings import Settings
from bot.web import create_app
from storage.db import make_engine
from storage.models import ChatAccount, Conversation

TOKEN = "test-token-0123"
APPID = "wx_test_appid"
SECRET = "test-secret-4567"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat gives it
OPENID = "oTestUser_0000000000000001"


class _QuickServer(uvicorn.Server):
    """uvicorn, noticing a stop request within 10 ms instead of its 100 ms tick."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            for _ in range(10):
                await asyncio.sleep(0.01)
                if self.should_exit:
                    return
            counter = (counter + 1) % 864000


class LiveServer:
    """An ASGI app served by uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(self, app: Any):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        self.server = _QuickServer(uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60  # start-up loads the knowledge base first
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def signal(self) -> None:
        """Ask the server to stop (several can wind down at once); `stop` waits for it."""
        if self.server is not None:
            self.server.should_exit = True

    def stop(self) -> None:
        self.signal()
        if self.thread is not None:
            self.thread.join(timeout=15)
        self.sock.close()


@dataclass
class FakeApi:
    fake: FakeWeChat
    url: str
    server: LiveServer


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    """The fake WeChat API on its own loopback port."""
    fake = FakeWeChat(APPID, SECRET)
    server = LiveServer(create_fake_api(fake)).start()
    yield FakeApi(fake, server.url, server)
    server.stop()


@dataclass
class Webhook:
    """A running `jobbot serve` app and a simulator playing WeChat's server against it."""

    url: str
    channel: WeChatChannel
    engine: Engine
    settings: Settings
    fake: FakeWeChat
    wechat: WeChatSimulator

    def account(self, openid: str = OPENID) -> ChatAccount | None:
        with Session(self.engine) as session:
            return session.exec(select(ChatAccount).where(col(ChatAccount.user_id) == openid)).first()

    def stored_account(self, openid: str = OPENID) -> ChatAccount:
        """The person's chat account; the test fails when there is none."""
        account = self.account(openid)
        assert account is not None, openid
        return account

    def conversation(self, openid: str = OPENID) -> Conversation | None:
        with Session(self.engine) as session:
            return session.exec(select(Conversation).where(col(Conversation.user_id) == openid)).first()


StartWebhook = Callable[..., Webhook]


def said(posted: Posted) -> str:
    """The passive reply's text; the test fails when the webhook answered none."""
    assert posted.reply is not None, posted.body
    return posted.reply


def start_webhook(stack: list[Callable[[], None]], db_url: str, tmp_path: Path, fake_api: FakeApi, *,
                  routers: tuple[Router, ...] = (), clock: Callable[[], Any] | None = None,
                  recognizer: Any = None, **overrides: Any) -> Webhook:
    values: dict[str, Any] = {"wechat_token": TOKEN, "wechat_appid": APPID, "wechat_secret": SECRET,
                              "wechat_api_base": fake_api.url, **overrides}
    settings = make_settings(db_url, tmp_path, **values)
    engine = make_engine(db_url)
    kwargs: dict[str, Any] = {"engine": engine, "extra_routers": list(routers)}
    if clock is not None:
        kwargs["clock"] = clock
    dispatcher = build_dispatcher(settings, **kwargs)
    channel = WeChatChannel(settings, dispatcher, recognizer=recognizer)
    server = LiveServer(create_app(settings, dispatcher, channels=[channel])).start()
    wechat = WeChatSimulator(server.url + "/wechat", TOKEN, appid=APPID, aes_key=settings.wechat_aes_key,
                             fake=fake_api.fake)
    stack.append(engine.dispose)
    stack.append(server.stop)
    stack.append(fake_api.server.signal)  # both servers wind down together
    stack.append(server.signal)
    return Webhook(server.url + "/wechat", channel, engine, settings, fake_api.fake, wechat)


async def _webhooks(url: str, tmp_path: Path, fake_api: FakeApi) -> AsyncIterator[StartWebhook]:
    stack: list[Callable[[], None]] = []
    started: list[Webhook] = []

    def start(**kw: Any) -> Webhook:
        started.append(start_webhook(stack, url, tmp_path, fake_api, **kw))
        return started[-1]

    yield start
    for hook in started:
        await hook.wechat.aclose()
    for undo in reversed(stack):
        undo()


@pytest.fixture
async def webhook_factory(db_url: str, tmp_path: Path, fake_api: FakeApi) -> AsyncIterator[StartWebhook]:
    """Start the webhook (SQLite and PostgreSQL) with settings overrides and extra routers."""
    async for start in _webhooks(db_url, tmp_path, fake_api):
        yield start


@pytest.fixture
async def sqlite_webhook_factory(sqlite_url: str, tmp_path: Path, fake_api: FakeApi) -> AsyncIterator[StartWebhook]:
    """The same on SQLite only, for tests about the protocol rather than storage."""
    async for start in _webhooks(sqlite_url, tmp_path, fake_api):
        yield start


@pytest.fixture
def staff_for() -> Iterator[Callable[[Webhook], TestClient]]:
    """The staff console API over a running webhook's database: `staff_for(hook).get(...)`."""
    clients: list[TestClient] = []

    def make(hook: Webhook) -> TestClient:
        settings = hook.settings.model_copy(update={"admin_token": STAFF_TOKEN})
        app = Starlette(routes=console_routes(settings, hook.engine, hook.channel.dispatcher.services))
        client = TestClient(app, headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


__all__ = ["AES_KEY", "APPID", "OPENID", "SECRET", "TOKEN", "Clock", "FakeApi", "LiveServer", "StartWebhook",
           "Webhook", "fake_api", "sqlite_webhook_factory", "staff_for", "webhook_factory"]

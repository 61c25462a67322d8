"""A job posted while `jobbot serve`'s app runs reaches the registered villager on WeChat:
registration, matching, the outbox, the background delivery worker and the WeChat API client,
end to end over real HTTP to the fake WeChat API."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ChatHarness, make_settings
from fakes.server import serving
from sqlalchemy import Engine

from bot.app import build_dispatcher
from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from bot.dispatch import Dispatcher
from bot.outreach.jobs import post_job
from bot.web import create_app
from storage.db import make_engine, session_scope

APPID, SECRET, OPENID = "wx_e2e", "e2e-secret", "oE2eVillager000000000001"


@contextmanager
def _bot(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[FakeWeChat, Engine, Dispatcher]]:
    """The fake WeChat API, and a dispatcher for a server with background work on it (no quiet
    hours) with the villager registered to pick tea in 华埠 金星村, declining fair reminders (on a fair's
    eve the schedule's own reminder would reach them beside the job: CI failed so on 12-07)."""
    fake = FakeWeChat(APPID, SECRET)
    with serving(create_fake_api(fake)) as api:
        settings = make_settings(sqlite_url, tmp_path, background=True, wechat_token="t0ken", wechat_appid=APPID,
                                 wechat_secret=SECRET, wechat_api_base=api, quiet_start="00:00", quiet_end="00:00",
                                 elderly_quiet_start="00:00", elderly_quiet_end="00:00")
        engine = make_engine(sqlite_url)
        dispatcher = build_dispatcher(settings, engine=engine)
        ChatHarness(dispatcher, channel="wechat", user=OPENID).conversation(
            "登记", "华埠", "金星村", "45", "采茶", "1", "2", "1", "2", "1")
        fake.user_wrote(OPENID)
        try:
            yield fake, engine, dispatcher
        finally:
            engine.dispose()


def _post_tea_job(engine: Engine, dispatcher: Dispatcher) -> None:
    with session_scope(engine) as session:
        post_job(session, dispatcher.services, {"title": "春茶采摘工", "employer": "示范茶场", "town": "华埠",
                                                "skills": "采茶", "pay": "150元/天"})


def _wait_for_push(fake: FakeWeChat) -> None:
    deadline = time.monotonic() + 60  # the delivery process starts first (spawn, imports)
    while not fake.messages_for(OPENID) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_posted_job_is_pushed_to_the_matching_villager(sqlite_url: str, tmp_path: Path) -> None:
    with _bot(sqlite_url, tmp_path) as (fake, engine, dispatcher):
        ChatHarness(dispatcher, channel="wechat", user="oFarAway").conversation(
            "登记", "马金", "跳过", "45", "采茶", "1", "2", "1", "2", "1")
        fake.user_wrote("oFarAway")
        with serving(create_app(dispatcher.services.settings, dispatcher)):
            _post_tea_job(engine, dispatcher)
            _wait_for_push(fake)
        [push] = fake.messages_for(OPENID)
        assert "春茶采摘工" in push.text and "每天150元" in push.text and push.kind == "custom"
        assert fake.messages_for("oFarAway") == []


def _delivery_child() -> multiprocessing.process.BaseProcess | None:
    return next((p for p in multiprocessing.active_children() if p.name == "jobbot-deliver"), None)


def test_a_delivery_process_that_dies_is_replaced(sqlite_url: str, tmp_path: Path) -> None:
    with _bot(sqlite_url, tmp_path) as (fake, engine, dispatcher):
        with serving(create_app(dispatcher.services.settings, dispatcher)):
            first = _delivery_child()
            assert first is not None and first.pid is not None
            os.kill(first.pid, signal.SIGKILL)
            _post_tea_job(engine, dispatcher)
            _wait_for_push(fake)
            second = _delivery_child()
        assert second is not None and second.pid != first.pid
        [push] = fake.messages_for(OPENID)
        assert "春茶采摘工" in push.text
        assert _delivery_child() is None  # stopped with the server

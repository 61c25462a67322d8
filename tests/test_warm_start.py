"""Start-up: the server loads what handlers would load on first use (the knowledge base and
its index, jieba, data tables) before it accepts requests, in the server process and in each
dispatch process, so that the first WeChat message after a start is answered in the HTTP
reply like any other; /healthz says ready only then."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import make_settings
from starlette.testclient import TestClient
from test_settings import free_port
from test_wechat_support import OPENID, StartWebhook, fake_api, sqlite_webhook_factory  # noqa: F401  (fixtures)

from bot.app import build_dispatcher
from bot.channels.sandbox.simulator import WeChatSimulator
from bot.web import create_app
from storage.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
QUESTION, ANSWER = "创业贷款能贷多少", "2100"


def cold_load_seconds() -> float:
    """How long building the knowledge base takes on this machine right now in a process that has
    loaded nothing yet (this one has jieba's dictionary in memory already), which is what a first
    message would wait for if nothing had been loaded at start-up."""
    timed = ("import time; from knowledge.policy import PolicyBase; started = time.perf_counter(); "
             "PolicyBase.load(); print(time.perf_counter() - started)")
    done = subprocess.run([sys.executable, "-c", timed], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


async def assert_answered_at_once(simulator: WeChatSimulator) -> None:
    started = time.perf_counter()
    posted = await simulator.text(OPENID, QUESTION)
    took = time.perf_counter() - started
    assert posted.status == 200 and posted.reply is not None and ANSWER in posted.reply
    cold = cold_load_seconds()  # measured afterwards, under the same load as the message
    assert took < cold / 2, f"the first message took {took:.2f} s; loading the knowledge base takes {cold:.2f} s"


async def test_the_first_message_is_answered_at_once_by_a_new_dispatch_process(
        sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(dispatch_processes=1)
    await assert_answered_at_once(hook.wechat)


async def test_the_first_message_is_answered_at_once_by_the_server_process(
        sqlite_webhook_factory: StartWebhook, tmp_path: Path) -> None:
    # An added document gives this server a knowledge base of its own, loaded by nobody before.
    (tmp_path / "policies").mkdir()
    shutil.copy(ROOT / "tests" / "data" / "policy_second_plan.txt", tmp_path / "policies")
    hook = sqlite_webhook_factory(dispatch_processes=0)
    await assert_answered_at_once(hook.wechat)


def test_healthz_says_ready_only_once_started(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path)
    engine = make_engine(sqlite_url)
    app = create_app(settings, build_dispatcher(settings, engine=engine))
    not_started = TestClient(app).get("/healthz")  # no lifespan: nothing started, nothing warmed
    assert (not_started.status_code, not_started.json()["ready"]) == (503, False)
    with TestClient(app) as client:
        started = client.get("/healthz")
        assert (started.status_code, started.json()) == (200, {"status": "ok", "ready": True})
    assert TestClient(app).get("/healthz").status_code == 503  # stopped again
    engine.dispose()


def test_jobbot_demo_on_a_chosen_port_answers_its_first_message_at_once(tmp_path: Path) -> None:
    demo_port = free_port()
    token = "demo-test-token"
    env = {**os.environ, "JOBBOT_DATA_DIR": str(tmp_path / "data"), "JOBBOT_WECHAT_TOKEN": token,
           "PYTHONPATH": str(ROOT)}
    for name in ("JOBBOT_DATABASE_URL", "JOBBOT_WECHAT_AES_KEY", "JOBBOT_HOST", "JOBBOT_PORT"):
        env.pop(name, None)
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "demo", "--port", str(demo_port),
                                    "--host", "127.0.0.1"], cwd=tmp_path, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{demo_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = httpx.get(url + "/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert health.json()["ready"] is True

        async def ask() -> None:
            simulator = WeChatSimulator(url + "/wechat", token)
            try:
                await assert_answered_at_once(simulator)
            finally:
                await simulator.aclose()

        asyncio.run(ask())
    finally:
        process.terminate()
        process.wait(timeout=20)
    printed = log.read_text()
    assert f"{url}/sandbox/" in printed and f"{url}/console/" in printed
    assert "DEBUG" not in printed

"""The hostile tester's list (issue 16) against a real `jobbot serve` subprocess over HTTP, on
SQLite and on PostgreSQL: bad messages in a batch of good ones, replayed signatures (old, or
reused for another message), plaintext
in safe mode, absurd console input, 绑定 codes guessed from many accounts, NaN locations; and
the demo's sandbox routes from another origin. Each gets a 4xx or a polite answer, never a 500,
and the bystanders get their right answers."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import _truncate_all
from fakes.server import jobbot_running
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from test_wechat_support import AES_KEY, APPID, SECRET, TOKEN, LiveServer

from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api
from bot.channels.sandbox.simulator import WeChatSimulator, message_xml, sign
from storage.accounts import LINK_ALL_GUESSES
from storage.db import make_engine
from storage.models import ChatAccount, InboundMessage

ADMIN = "hostile-admin-token-0123456789"
REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@contextmanager
def running(command: str, tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """`jobbot <command>` until the block ends; its base URL. Its log must show no unhandled error."""
    with jobbot_running(command, tmp_path, env) as started:
        yield started.url
    printed = started.log.read_text()
    assert "Traceback" not in printed and "Exception in ASGI application" not in printed, printed[-4000:]


@dataclass
class Server:
    """A `jobbot serve` the module's tests share (each uses people of its own): starting one
    takes seconds."""

    base: str
    engine: Engine
    fake: FakeWeChat


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           sqlite_template: Path) -> Iterator[Server]:
    """`jobbot serve` (one dispatch process, as in production) on a fresh database of each kind."""
    tmp_path = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "jobbot.sqlite3")
        url = f"sqlite:///{tmp_path / 'jobbot.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    fake = FakeWeChat(APPID, SECRET)
    api = LiveServer(create_fake_api(fake)).start()
    env = {"JOBBOT_DATABASE_URL": url, "JOBBOT_WECHAT_TOKEN": TOKEN, "JOBBOT_WECHAT_APPID": APPID,
           "JOBBOT_WECHAT_SECRET": SECRET, "JOBBOT_WECHAT_API_BASE": api.url, "JOBBOT_ADMIN_TOKEN": ADMIN,
           "JOBBOT_BACKGROUND": "false", "JOBBOT_DISPATCH_PROCESSES": "1"}
    engine = make_engine(url)
    try:
        with running("serve", tmp_path, env) as base:
            yield Server(base, engine, fake)
    finally:
        api.stop()
        if request.param == "postgresql":
            _truncate_all(engine)  # the next module's tests start from an empty database
        engine.dispose()


@dataclass
class Served:
    base: str
    wechat: WeChatSimulator
    http: httpx.AsyncClient
    engine: Engine

    async def raw(self, openid: str, xml: str) -> httpx.Response:
        """A message body of our own making, signed (and sealed) as WeChat would send it."""
        body, query = self.wechat.envelope(xml, openid)
        return await self.http.post(self.base + "/wechat", params=query, content=body.encode())


@pytest.fixture
async def served(server: Server) -> AsyncIterator[Served]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield Served(server.base, WeChatSimulator(server.base + "/wechat", TOKEN, appid=APPID, fake=server.fake,
                                                  http=http), http, server.engine)


def stored_for(engine: Engine, openid: str) -> bool:
    with Session(engine) as session:
        return bool(session.exec(select(InboundMessage).where(col(InboundMessage.user_id) == openid)).first()
                    or session.exec(select(ChatAccount).where(col(ChatAccount.user_id) == openid)).first())


def text_xml(openid: str, content: str, **override: Any) -> str:
    xml = message_xml(openid, "text", {"Content": "PLACEHOLDER"}, created=int(time.time()), msg_id=int(time.time_ns()))
    xml = xml.replace("<![CDATA[PLACEHOLDER]]>", content)
    for name, value in override.items():
        xml = re.sub(fr"<{name}>.*?</{name}>", f"<{name}>{value}</{name}>", xml)
    return xml


# --- items 3, 5 and 8: a bad message among good ones ------------------------------------------------------
DEEP = "<a>" * 5000 + "x" + "</a>" * 5000
HOSTILE = {
    "Content nested thousands deep": lambda o: text_xml(o, DEEP),
    "Content with an element inside": lambda o: text_xml(o, "<b>菜单</b>"),
    "MsgId of 200 digits": lambda o: text_xml(o, "菜单", MsgId="9" * 200),
    "CreateTime of 400 digits": lambda o: text_xml(o, "菜单", CreateTime="9" * 400),
    "Location of NaN": lambda o: message_xml(o, "location", {"Location_X": "NaN", "Location_Y": "118.4",
                                                             "Scale": 15, "Label": "x"},
                                             created=int(time.time()), msg_id=int(time.time_ns())),
    "LOCATION event at infinity": lambda o: message_xml(o, "event", {"Event": "LOCATION", "Latitude": "inf",
                                                                     "Longitude": "118.4", "Precision": "1"},
                                                        created=int(time.time()), msg_id=None),
}


async def test_a_bad_message_costs_only_itself_and_the_bystanders_get_their_answers(served: Served) -> None:
    long_sender = "o" + "x" * 200  # FromUserName longer than the accounts' column
    first: list[str] = []
    for round_, (name, make) in enumerate(HOSTILE.items()):
        openid = f"oHostile_{round_:02d}_0000000000000000"
        bystanders = [f"oBystander_{round_:02d}_{n:02d}_00000000000" for n in range(10)]
        first = first or bystanders
        (hostile, long_one), replies = await asyncio.gather(  # all at once
            asyncio.gather(served.raw(openid, make(openid)), served.raw(long_sender, text_xml(long_sender, "菜单"))),
            asyncio.gather(*(served.wechat.text(p, "登记") for p in bystanders)))
        assert hostile.status_code == 400, name
        assert long_one.status_code == 400
        assert all(r.status == 200 and "哪个乡镇" in (r.reply or "") for r in replies), (name, replies)
        assert not stored_for(served.engine, openid) and not stored_for(served.engine, long_sender)
    for openid in first:  # each registration goes on from where it was
        assert "哪个村" in ((await served.wechat.text(openid, "华埠")).reply or "")


# --- item 4: signatures -----------------------------------------------------------------------------------
async def test_a_signature_outside_the_time_window_is_refused(served: Served) -> None:
    old = str(int(time.time()) - 30 * 24 * 3600)  # a month-old query, as found in a proxy log
    query = {"signature": sign(TOKEN, old, "n0nce"), "timestamp": old, "nonce": "n0nce"}
    openid = "oReplayed_0000000000000000001"
    posted = await served.http.post(served.base + "/wechat", params={**query, "openid": openid},
                                    content=text_xml(openid, "注销").encode())
    echo = await served.http.get(served.base + "/wechat", params={**query, "echostr": "hello"})
    assert posted.status_code == 403 and echo.status_code == 403
    assert not stored_for(served.engine, openid)
    assert (await served.wechat.text(openid, "菜单")).status == 200  # a fresh signature still works

    now = str(int(time.time()))  # a query seen in a log a moment ago, reused for another message
    query = {"signature": sign(TOKEN, now, "n0nce"), "timestamp": now, "nonce": "n0nce"}
    first = await served.http.post(served.base + "/wechat", params=query, content=text_xml(openid, "菜单").encode())
    victim = "oVictim_000000000000000000001"
    reused = await served.http.post(served.base + "/wechat", params=query, content=text_xml(victim, "注销").encode())
    assert first.status_code == 200 and reused.status_code == 403 and not stored_for(served.engine, victim)


@pytest.fixture
async def safe_mode(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    env = {"JOBBOT_DATABASE_URL": sqlite_url, "JOBBOT_WECHAT_TOKEN": TOKEN, "JOBBOT_WECHAT_AES_KEY": AES_KEY,
           "JOBBOT_WECHAT_APPID": APPID, "JOBBOT_BACKGROUND": "false", "JOBBOT_DISPATCH_PROCESSES": "0"}
    engine = make_engine(sqlite_url)
    with running("serve", tmp_path, env) as base:
        async with httpx.AsyncClient(timeout=30) as http:
            yield Served(base, WeChatSimulator(base + "/wechat", TOKEN, appid=APPID, aes_key=AES_KEY, http=http),
                         http, engine)
    engine.dispose()


async def test_safe_mode_refuses_plaintext_bodies(safe_mode: Served) -> None:
    sealed = await safe_mode.wechat.text("oSafe_000000000000000000001", "菜单")
    assert sealed.status == 200 and "请问您想做什么" in (sealed.reply or "")
    safe_mode.wechat.crypto = None  # the signed query with a plaintext body of one's own
    plain = await safe_mode.wechat.text("oSafe_000000000000000000002", "我的信息")
    assert plain.status == 403 and not stored_for(safe_mode.engine, "oSafe_000000000000000000002")


# --- item 5: the console ----------------------------------------------------------------------------------
JOB = {"title": "春茶采摘工", "employer": "某茶场", "town": "华埠", "pay": "150元/天"}
ABSURD = [
    ("GET", "/console/api/jobs?page=99999999999999999999", None),
    ("GET", "/console/jobs?page=99999999999999999999", None),
    ("GET", "/console/api/fairs?from=9999-12-31", None),
    ("GET", "/console/api/fairs/99999999999999999999", None),
    ("POST", "/console/api/jobs/99999999999999999999/close", {}),
    ("GET", "/console/api/workers/99999999999999999999/contact", None),
    ("POST", "/console/api/jobs", {**JOB, "headcount": 1e23}),
    ("POST", "/console/api/fairs/1/offer", {"job_ids": list(range(1, 200_001))}),
]


async def test_absurd_console_input_gets_a_400_in_chinese(served: Served) -> None:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    for method, path, body in ABSURD:
        response = await served.http.request(method, served.base + path, json=body, headers=headers)
        assert response.status_code == 400, (path, response.status_code, response.text[:200])
        assert CHINESE.search(response.text), path


# --- item 7: 绑定 codes guessed from many accounts ----------------------------------------------------------
async def test_link_codes_guessed_from_sixty_accounts(served: Served) -> None:
    owner = "oOwner_00000000000000000001"
    for said in REGISTRATION:
        await served.wechat.text(owner, said)
    code = re.search(r"绑定码：(\d+)", (await served.wechat.text(owner, "绑定")).reply or "")
    assert code, "no code"

    async def guesses(n: int) -> list[str]:
        openid = f"oGuesser_{n:03d}_0000000000000"
        return [(await served.wechat.text(openid, f"绑定 {(int(code.group(1)) + 1 + n * 5 + k) % 10**8:08d}")).reply
                or "" for k in range(5)]

    answers = [a for batch in await asyncio.gather(*(guesses(n) for n in range(60))) for a in batch]
    assert sum("不对" in a for a in answers) <= LINK_ALL_GUESSES  # 300 guesses; then everyone waits
    assert all(re.search("不对|人太多|输错太多次", a) for a in answers)
    fresh = await served.wechat.text("oFresh_00000000000000000001", f"绑定 {code.group(1)}")
    assert "绑定好了" not in (fresh.reply or "")


# --- the demo's sandbox -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `jobbot demo` for the sandbox tests (starting one takes seconds): one chats as a
    villager, the other uses the phone, so neither sees the other's messages."""
    with running("demo", tmp_path_factory.mktemp("demo"), {"JOBBOT_WECHAT_APPID": APPID,
                                                         "JOBBOT_WECHAT_SECRET": SECRET}) as base:
        yield base


def test_the_sandbox_answers_only_its_own_page_on_this_machine(demo: str) -> None:
    send = demo + "/sandbox/api/send"
    action = {"openid": "o_sandbox_zhangdabo_0001", "type": "text", "text": "菜单"}
    with httpx.Client(timeout=30) as http:
        assert http.post(send, json=action, headers={"Origin": demo}).status_code == 200  # the page itself
        assert http.post(send, json=action, headers={"Origin": "https://evil.example"}).status_code == 403
        assert http.post(send, json=action, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        plain = http.post(send, content=b'{"openid": "o_x", "text": "\\u6ce8\\u9500"}',
                          headers={"Content-Type": "text/plain"})
        assert plain.status_code in (403, 415)
        rebound = http.post(send, json=action, headers={"Host": "evil.example"})  # DNS rebinding
        assert rebound.status_code == 403

        messages = demo + "/fake-wechat/_sandbox/messages?openid=o_sandbox_zhangdabo_0001"
        assert http.get(messages).status_code == 200
        assert http.get(messages, headers={"Origin": "https://evil.example"}).status_code == 403
        assert http.get(messages, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert http.get(messages, headers={"Host": "evil.example"}).status_code == 403


def test_the_sandbox_phone_and_the_fake_provider_refuse_strangers(demo: str) -> None:
    messages = demo + "/sandbox/api/phone/messages?phone=13905701234&after=0"
    reply = demo + "/sandbox/api/phone/reply"
    with httpx.Client(timeout=30) as http:
        assert http.get(messages).json() == {"phones": ["13905701234", "13905705678"], "messages": []}
        assert http.get(messages, headers={"Origin": "https://evil.example"}).status_code == 403
        assert http.get(messages, headers={"Host": "evil.example"}).status_code == 403
        assert http.get(demo + "/sandbox/api/phone/messages?phone=1&after=x").status_code == 400
        assert http.post(reply, json={"phone": "13905701234", "text": "T"},
                         headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        for bad in ({"phone": "110", "text": "T"}, {"phone": "13905701234", "text": " "}, {"text": "T"}, [1], "x"):
            assert http.post(reply, json=bad).status_code == 400, bad
        assert http.post(reply, content=b"T", headers={"Content-Type": "text/plain"}).status_code == 415
        sent = http.post(reply, json={"phone": "13905701234", "text": "T"})
        assert sent.status_code == 200 and isinstance(sent.json()["status"], int)
        assert [m["kind"] for m in http.get(messages).json()["messages"]] == ["up"]

        # the fake provider at / takes only the SDK's signed calls; a GET is still the redirect
        unsigned = http.post(demo + "/", params={"Action": "SendSms", "PhoneNumbers": "13905701234"})
        assert unsigned.status_code == 400 and unsigned.json()["Code"] == "IncompleteSignature"
        forged = http.post(demo + "/", headers={"Authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,"
                                                                 "Signature=00", "x-acs-action": "SendSms"})
        assert forged.status_code == 404 and forged.json()["Code"] == "InvalidAccessKeyId.NotFound"
        assert http.get(demo + "/", follow_redirects=False).status_code in (302, 307)

"""Hostile input at /wechat: forged signatures, malformed XML, entity bombs, oversized bodies.

Each gets a clear 4xx (never a 500), changes nothing, and is logged once without secrets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import xmltodict
from sqlmodel import Session, select
from test_wechat_support import (  # noqa: F401  (fixtures)
    AES_KEY,
    APPID,
    OPENID,
    SECRET,
    TOKEN,
    StartWebhook,
    Webhook,
    fake_api,
    said,
    sqlite_webhook_factory,
    webhook_factory,
)
from wechatpy.crypto import WeChatCrypto

from bot.channels.sandbox.simulator import message_xml, sign
from storage.models import ChatAccount, InboundMessage

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>oTestUser_0000000000000001</FromUserName>
<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oTestUser_0000000000000001</FromUserName>
<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


def signed() -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "n0nce"
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": OPENID}


def nothing_stored(hook: Webhook) -> bool:
    with Session(hook.engine) as session:
        return not session.exec(select(InboundMessage)).all() and not session.exec(select(ChatAccount)).all()


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused WeChat")]


def assert_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing the server logged shows a secret or the full openid (the test's own client is
    left out: its request lines show the query it sent)."""
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "storage", "handlers", "uvicorn")]
    text = "\n".join(r.getMessage() for r in ours)
    assert ours
    for secret in (TOKEN, SECRET, AES_KEY, OPENID):
        assert secret not in text


@pytest.mark.parametrize(("name", "body", "query", "status"), [
    ("forged signature", "<xml/>", {**signed(), "signature": "f" * 40}, 403),
    ("no signature", "<xml/>", {"timestamp": "1", "nonce": "n"}, 403),
    ("malformed XML", "<xml><MsgType>text</MsgType", None, 400),
    ("not XML at all", "hello, world", None, 400),
    ("no MsgType", "<xml><FromUserName>oTestUser_0000000000000001</FromUserName></xml>", None, 400),
    ("no sender", "<xml><MsgType>text</MsgType><Content>hi</Content></xml>", None, 400),
    ("billion laughs", BILLION_LAUGHS, None, 400),
    ("external entity", EXTERNAL_ENTITY, None, 400),
    ("doctype only", '<!DOCTYPE xml SYSTEM "http://evil/x.dtd"><xml><MsgType>text</MsgType></xml>', None, 400),
    ("bad CreateTime", "<xml><FromUserName>oTestUser_0000000000000001</FromUserName><CreateTime>soon</CreateTime>"
                       "<MsgType>text</MsgType><Content>hi</Content><MsgId>3</MsgId></xml>", None, 400),
    ("no CreateTime", "<xml><FromUserName>oTestUser_0000000000000001</FromUserName><MsgType>event</MsgType>"
                      "<Event>subscribe</Event></xml>", None, 400),
    ("bad MsgId", "<xml><FromUserName>oTestUser_0000000000000001</FromUserName><CreateTime>1</CreateTime>"
                  "<MsgType>text</MsgType><Content>hi</Content><MsgId>x1</MsgId></xml>", None, 400),
    ("not UTF-8", "<xml><Content>\u4f60\u597d</Content></xml>".encode("utf-16"), None, 400),
])
async def test_hostile_bodies_are_refused_and_logged_once(
        sqlite_webhook_factory: StartWebhook, caplog: pytest.LogCaptureFixture,
        name: str, body: str | bytes, query: dict[str, str] | None, status: int) -> None:
    hook = sqlite_webhook_factory()
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    async with httpx.AsyncClient() as http:
        response = await http.post(hook.url, params=query or signed(), content=body)
    assert response.status_code == status, name
    assert time.monotonic() - started < 2
    assert nothing_stored(hook)
    [refusal] = refusals(caplog)
    if "<!DOCTYPE" in str(body):  # refused before any parser saw it
        assert "DOCTYPE or ENTITY declaration" in refusal
    assert_no_secrets(caplog)


async def test_a_body_over_the_limit_is_413_by_content_length(sqlite_webhook_factory: StartWebhook,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    hook = sqlite_webhook_factory()
    caplog.set_level(logging.INFO)
    big = b"<xml><Content>" + b"a" * (1024 * 1024) + b"</Content></xml>"
    async with httpx.AsyncClient() as http:
        response = await http.post(hook.url, params=signed(), content=big)
        fine = await http.post(hook.url, params=signed(), content=b"<xml>" + b" " * 1000 + b"</xml>")
    assert response.status_code == 413
    assert fine.status_code == 400  # under the limit it is read (and is merely malformed)
    assert len(refusals(caplog)) == 2


async def test_a_streamed_body_over_the_limit_is_413_while_reading(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_max_body=64 * 1024)
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked transfer
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b"<xml>" + b"x" * 16 * 1024

    async with httpx.AsyncClient() as http:
        response = await http.post(hook.url, params=signed(), content=chunks())
    assert response.status_code == 413
    assert nothing_stored(hook)


async def test_a_bad_content_length_is_400(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    url = httpx.URL(hook.url, params=signed())
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\n"
                 "Content-Length: 6x\r\nConnection: close\r\n\r\n<xml/>".encode())
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"400"


async def test_entities_inside_an_encrypted_body_are_refused(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory(wechat_aes_key=AES_KEY)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    now = str(int(time.time()))
    sealed = xmltodict.parse(crypto.encrypt_message(BILLION_LAUGHS, "n1", now))["xml"]
    body = f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    query = {"signature": sign(TOKEN, now, "n1"), "timestamp": now, "nonce": "n1",
             "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    async with httpx.AsyncClient() as http:
        response = await http.post(hook.url, params=query, content=body)
        garbage = await http.post(hook.url, params={**query, "msg_signature": sign(TOKEN, now, "n1", "zz")},
                                  content="<xml><Encrypt>zz</Encrypt></xml>")
    assert response.status_code == 400
    assert garbage.status_code == 400  # signed but not decryptable
    assert nothing_stored(hook)


async def test_a_message_for_another_appid_is_refused(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_aes_key=AES_KEY)
    crypto = WeChatCrypto(TOKEN, AES_KEY, "wx_someone_else")
    now = str(int(time.time()))
    xml = message_xml(OPENID, "text", {"Content": "hi"}, created=int(now), msg_id=5)
    sealed = xmltodict.parse(crypto.encrypt_message(xml, "n1", now))["xml"]
    query = {"signature": sign(TOKEN, now, "n1"), "timestamp": now, "nonce": "n1",
             "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    async with httpx.AsyncClient() as http:
        response = await http.post(hook.url, params=query, content=f"<xml><Encrypt>{sealed['Encrypt']}</Encrypt></xml>")
    assert response.status_code == 400


async def test_without_a_token_everything_is_refused(sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory(wechat_token=None)
    posted = await hook.wechat.text(OPENID, "菜单")
    assert posted.status == 403


async def test_state_survives_hostile_input_mid_flow(webhook_factory: StartWebhook) -> None:
    hook = webhook_factory()
    await hook.wechat.text(OPENID, "登记")
    async with httpx.AsyncClient() as http:
        for body in (BILLION_LAUGHS, "<xml><MsgType>", "x" * 10):
            assert (await http.post(hook.url, params=signed(), content=body)).status_code == 400
    assert "好的，华埠镇" in said(await hook.wechat.text(OPENID, "华埠"))


async def test_a_signed_query_carries_only_the_message_it_first_came_with(
        sqlite_webhook_factory: StartWebhook) -> None:
    hook = sqlite_webhook_factory()
    query = signed()
    now = int(time.time())
    mine = message_xml(OPENID, "text", {"Content": "菜单"}, created=now, msg_id=31)
    forged = message_xml("oSomeoneElse_000000000000001", "text", {"Content": "注销"}, created=now, msg_id=32)
    async with httpx.AsyncClient() as http:
        first = await http.post(hook.url, params=query, content=mine)
        reused = await http.post(hook.url, params=query, content=forged)
        retry = await http.post(hook.url, params=query, content=mine)  # WeChat's retry, if it keeps the query
    assert first.status_code == 200 and reused.status_code == 403
    content = [xmltodict.parse(r.text)["xml"]["Content"] for r in (first, retry)]
    assert retry.status_code == 200 and content[0] == content[1] and "请问您想做什么" in content[0]
    with Session(hook.engine) as session:
        assert [a.user_id for a in session.exec(select(ChatAccount))] == [OPENID]

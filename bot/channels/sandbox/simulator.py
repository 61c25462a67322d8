"""WeChat's server, played locally: messages built, signed (and encrypted) as WeChat sends them.

The sandbox page's backend, the tests and the benchmark all reach /wechat through this,
so what the webhook sees is exactly what WeChat would post: XML with CDATA fields, the
signature/timestamp/nonce query, and in safe mode `encrypt_type=aes` with `msg_signature`
and an <Encrypt> body. It also tells the fake API that the person wrote (the 48-hour window).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.channels.sandbox.fake_api import FakeWeChat

ACCOUNT = "gh_jobbot_sandbox"  # the official account's own id (ToUserName)
_ids = itertools.count(int(time.time() * 1000) * 1000)


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sign(token: str, *parts: str) -> str:
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def message_xml(openid: str, msg_type: str, fields: dict[str, Any], *, created: int, msg_id: int | None,
                account: str = ACCOUNT) -> str:
    """A message as WeChat posts it; `fields` in order, strings as CDATA, numbers bare."""
    parts = [f"<ToUserName>{cdata(account)}</ToUserName>", f"<FromUserName>{cdata(openid)}</FromUserName>",
             f"<CreateTime>{created}</CreateTime>", f"<MsgType>{cdata(msg_type)}</MsgType>"]
    for name, value in fields.items():
        parts.append(f"<{name}>{cdata(value) if isinstance(value, str) else value}</{name}>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


@dataclass(frozen=True)
class Posted:
    """What the webhook answered: HTTP status, the raw body, and the passive reply's text."""

    status: int
    body: str
    reply: str | None  # None when the answer was "success"/empty or not a text reply
    msg_id: int | None = None
    created: int = 0


class WeChatSimulator:
    def __init__(self, webhook_url: str, token: str, *, appid: str = "", aes_key: str | None = None,
                 fake: FakeWeChat | None = None, http: httpx.AsyncClient | None = None):
        self.url = webhook_url
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self.fake = fake
        self.http = http or httpx.AsyncClient(timeout=30.0)

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- what a person can do ------------------------------------------------------------------
    async def text(self, openid: str, content: str, **kw: Any) -> Posted:
        return await self.message(openid, "text", {"Content": content}, **kw)

    async def voice(self, openid: str, recognition: str | None, **kw: Any) -> Posted:
        fields: dict[str, Any] = {"MediaId": "media_" + secrets.token_hex(8), "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return await self.message(openid, "voice", fields, **kw)

    async def location(self, openid: str, latitude: float, longitude: float, label: str = "", **kw: Any) -> Posted:
        return await self.message(openid, "location", {
            "Location_X": latitude, "Location_Y": longitude, "Scale": 15, "Label": label}, **kw)

    async def image(self, openid: str, **kw: Any) -> Posted:
        return await self.message(openid, "image", {
            "PicUrl": "http://mmbiz.qpic.cn/sandbox.jpg", "MediaId": "media_" + secrets.token_hex(8)}, **kw)

    async def event(self, openid: str, event: str, key: str | None = None, *, created: int | None = None,
                    **fields: Any) -> Posted:
        """subscribe, unsubscribe, CLICK (key), VIEW (key = url), LOCATION (Latitude=…, Longitude=…)."""
        body: dict[str, Any] = {"Event": event}
        if key is not None:
            body["EventKey"] = key
        body.update(fields)
        if self.fake is not None:
            if event == "unsubscribe":
                self.fake.unfollow(openid)
            elif event in ("subscribe", "CLICK"):
                self.fake.user_wrote(openid)
        return await self.post(openid, "event", body, created=created, msg_id=None)

    async def message(self, openid: str, msg_type: str, fields: dict[str, Any], *, msg_id: int | None = None,
                      created: int | None = None) -> Posted:
        if self.fake is not None:
            self.fake.user_wrote(openid)
        return await self.post(openid, msg_type, fields, created=created,
                               msg_id=msg_id if msg_id is not None else next(_ids))

    # --- the wire ------------------------------------------------------------------------------
    async def post(self, openid: str, msg_type: str, fields: dict[str, Any], *, created: int | None,
                   msg_id: int | None) -> Posted:
        created = created or int(time.time())
        xml = message_xml(openid, msg_type, fields, created=created, msg_id=msg_id)
        body, query = self.envelope(xml, openid)
        response = await self.http.post(self.url, params=query, content=body.encode("utf-8"),
                                        headers={"Content-Type": "text/xml"})
        return Posted(response.status_code, response.text, self.reply_text(response), msg_id, created)

    def envelope(self, xml: str, openid: str) -> tuple[str, dict[str, str]]:
        """The body and query WeChat would send for this message XML."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                 "openid": openid}
        if self.crypto is None:
            return xml, query
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        query.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName>"
                f"<Encrypt>{cdata(sealed['Encrypt'])}</Encrypt></xml>"), query

    def reply_text(self, response: httpx.Response) -> str | None:
        text = response.text
        if response.status_code != 200 or not text.startswith("<xml>"):
            return None
        if self.crypto is not None and "<Encrypt>" in text:
            sealed = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
        reply = xmltodict.parse(text)["xml"]
        return reply.get("Content") if reply.get("MsgType") == "text" else None

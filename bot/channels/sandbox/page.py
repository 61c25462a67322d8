"""The sandbox page: a phone-like chat in the browser, talking to /wechat as WeChat would,
and beside it a plain mobile phone that receives the bot's SMS and calls.

The page (static HTML/CSS/JS) posts what the person does to `/api/send` (this machine and
this page only: `guard`); this backend
turns it into a signed WeChat message through the simulator, posts it to the real
webhook, and gives back the passive reply. Later replies and pushes reach the fake API,
which the page polls for the chosen openid. The phone polls `/api/phone/messages` (what
the fake SMS/voice provider received for a number) and sends its SMS replies through
`/api/phone/reply`, which the fake provider POSTs to the bot as its uplink callback.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.sandbox.fake_aliyun import MOBILE, FakeAliyun
from bot.channels.sandbox.fake_api import FakeWeChat
from bot.channels.sandbox.guard import refusal
from bot.channels.sandbox.simulator import Posted, WeChatSimulator
from bot.channels.wechat.menu import MENU
from knowledge.places import gazetteer

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
USERS = [  # people to chat as; the page can add more
    {"openid": "o_sandbox_zhangdabo_0001", "name": "张大伯"},
    {"openid": "o_sandbox_liayi_000002", "name": "李阿姨"},
    {"openid": "o_sandbox_wangshifu_003", "name": "王师傅"},
]
MAX_TEXT = 600
PHONES = ["13905701234", "13905705678"]  # numbers the phone offers before any has been sent to


def create_sandbox_app(simulator: WeChatSimulator, fake: FakeWeChat, phone: FakeAliyun, *,
                       fake_api_path: str) -> Starlette:
    """The page's static files and its small backend; mount it (the demo uses /sandbox)."""

    async def config(request: Request) -> JSONResponse:
        towns = [{"name": t.name, "lat": t.lat, "lon": t.lon} for t in gazetteer().towns]
        return JSONResponse({"users": USERS, "menu": fake.menu or MENU, "towns": towns,
                             "messages_url": f"{fake_api_path}/_sandbox/messages"})

    async def send(request: Request) -> JSONResponse:
        if refused := refusal(request, json_body=True):
            return refused
        try:
            action: dict[str, Any] = await request.json()
            openid = str(action["openid"])[:64]
            posted = await _perform(simulator, openid, action)
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": f"bad request: {type(exc).__name__}"}, status_code=400)
        return JSONResponse({"status": posted.status, "reply": posted.reply,
                             "passive": posted.body if posted.reply is None else None})

    async def new_user(request: Request) -> JSONResponse:
        if refused := refusal(request, json_body=True):
            return refused
        return JSONResponse({"openid": "o_sandbox_" + secrets.token_hex(7), "name": "新用户"})

    async def phone_messages(request: Request) -> JSONResponse:
        if refused := refusal(request):  # what the bot sent to a number: this machine's page only
            return refused
        after = request.query_params.get("after", "0") or "0"
        if not after.isdigit() or len(after) > 9:
            return JSONResponse({"error": "after must be a message number"}, status_code=400)
        number = request.query_params.get("phone", "")
        return JSONResponse({"phones": list(dict.fromkeys(PHONES + phone.phones())),
                             "messages": [m.to_dict() for m in phone.sent_to(number, int(after))]})

    async def phone_reply(request: Request) -> JSONResponse:
        if refused := refusal(request, json_body=True):
            return refused
        try:
            action: dict[str, Any] = await request.json()
            number, text = str(action["phone"]), str(action["text"]).strip()[:MAX_TEXT]
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": f"bad request: {type(exc).__name__}"}, status_code=400)
        if not MOBILE.fullmatch(number) or not text:
            return JSONResponse({"error": "bad request: a mobile number and a text"}, status_code=400)
        try:
            return JSONResponse({"status": await phone.reply(number, text)})
        except httpx.TransportError:
            return JSONResponse({"status": 502})

    return Starlette(routes=[
        Route("/api/config", config),
        Route("/api/send", send, methods=["POST"]),
        Route("/api/new-user", new_user, methods=["POST"]),
        Route("/api/phone/messages", phone_messages),
        Route("/api/phone/reply", phone_reply, methods=["POST"]),
        Mount("/", StaticFiles(directory=STATIC, html=True)),
    ])


async def _perform(simulator: WeChatSimulator, openid: str, action: dict[str, Any]) -> Posted:
    kind = action.get("type", "text")
    if kind == "text":
        return await simulator.text(openid, str(action.get("text", ""))[:MAX_TEXT])
    if kind == "voice":
        return await simulator.voice(openid, str(action.get("text", ""))[:MAX_TEXT] or None)
    if kind == "location":
        return await simulator.location(openid, float(action["latitude"]), float(action["longitude"]),
                                        str(action.get("label", ""))[:64])
    if kind == "image":
        return await simulator.image(openid)
    if kind == "click":
        return await simulator.event(openid, "CLICK", str(action["key"])[:128])
    if kind in ("subscribe", "unsubscribe"):
        return await simulator.event(openid, kind)
    raise ValueError(kind)

"""A fake WeChat API server for the demo and the tests, speaking the real API's JSON.

It issues access tokens (stable_token and the legacy /cgi-bin/token), takes customer-service
and template messages and the custom menu, and answers with WeChat's error codes: 40001 /
42001 / 41001 for bad tokens, 45015 outside the 48-hour window, 45047 past the 5-message
quota, 43004 for people who unfollowed, 40003 for unknown openids, 40037 for a missing
template, 40016-40019 for a bad menu, -1 when a fault is injected. It plays WeChat's side
of the conversation too: `user_wrote` opens a person's window, as a message to the
account does. Tests inject faults with `fail()` and read what arrived in `messages`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.sandbox.guard import refusal

WINDOW_SECONDS = 48 * 3600
WINDOW_SENDS = 5
TOKEN_TTL = 7200
OLD_TOKEN_GRACE = 300  # a new legacy token leaves the old one valid for 5 minutes
STABLE_RENEW_BEFORE = 300  # stable_token hands out a new token in the last 5 minutes
TEMPLATE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "short_thing": 5}

ERRMSG = {
    0: "ok", -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type", 40003: "invalid openid", 40013: "invalid appid", 40016: "invalid button size",
    40017: "invalid button type", 40018: "invalid button name size", 40019: "invalid button key size",
    40037: "invalid template_id", 40125: "invalid appsecret", 41001: "access_token missing",
    42001: "access_token expired", 43004: "require subscribe", 44002: "empty post data",
    45015: "response out of time limit or subscription is canceled", 45047: "out of response count limit",
    47001: "data format error", 47003: "argument invalid!",
}


def _openid(body: dict[str, Any]) -> str:
    """The addressee; \"\" when missing or not text (refused as an invalid openid)."""
    touser = body.get("touser")
    return touser if isinstance(touser, str) else ""


@dataclass
class Sent:
    """One message the fake API accepted."""

    seq: int
    openid: str
    kind: str  # "custom" or "template"
    text: str
    at: float
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "openid": self.openid, "kind": self.kind, "text": self.text, "at": self.at}


@dataclass
class Call:
    path: str
    errcode: int
    force_refresh: bool = False


class FakeWeChat:
    """The state behind the fake API; safe to read from a test while the server runs."""

    def __init__(self, appid: str, secret: str, *, clock: Callable[[], float] = time.time):
        self.appid, self.secret = appid, secret
        self.clock = clock
        self._lock = threading.RLock()
        self.tokens: dict[str, float] = {}  # token → expires at
        self.stable: str | None = None
        self.messages: list[Sent] = []
        self.calls: list[Call] = []
        self.menu: dict[str, Any] | None = None
        self.last_inbound: dict[str, float] = {}
        self.window_sends: dict[str, int] = {}
        self.followers: set[str] = set()
        self.unfollowed: set[str] = set()
        self._faults: dict[str, list[int]] = {}
        self.token_delay = 0.0  # seconds each token request takes (tests of concurrent refreshes)

    # --- WeChat's side of the conversation and test controls ---------------------------------
    def user_wrote(self, openid: str, at: float | None = None) -> None:
        """The person sent a message (or clicked the menu, or followed): the window opens."""
        with self._lock:
            self.followers.add(openid)
            self.unfollowed.discard(openid)
            self.last_inbound[openid] = self.clock() if at is None else at
            self.window_sends[openid] = 0

    def unfollow(self, openid: str) -> None:
        with self._lock:
            self.followers.discard(openid)
            self.unfollowed.add(openid)

    def fail(self, path: str, *errcodes: int) -> None:
        """The next calls to `path` answer these errcodes (500/502/503 mean that HTTP status)."""
        with self._lock:
            self._faults.setdefault(path, []).extend(errcodes)

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working (as after a refresh elsewhere)."""
        with self._lock:
            self.tokens.clear()
            self.stable = None

    def token_fetches(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path in ("/cgi-bin/stable_token", "/cgi-bin/token") and not c.errcode]

    def calls_to(self, path: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == path]

    def messages_for(self, openid: str, after: int = 0) -> list[Sent]:
        with self._lock:
            return [m for m in self.messages if m.openid == openid and m.seq > after]

    # --- the API ----------------------------------------------------------------------------
    def _take_fault(self, path: str) -> int | None:
        faults = self._faults.get(path)
        return faults.pop(0) if faults else None

    def _new_token(self) -> str:
        token = "ACCESS_TOKEN_" + secrets.token_urlsafe(24)
        self.tokens[token] = self.clock() + TOKEN_TTL
        return token

    def _check_token(self, token: str | None) -> int:
        if not token:
            return 41001
        expires = self.tokens.get(token)
        if expires is None:
            return 40001
        return 42001 if expires <= self.clock() else 0

    def _credentials(self, grant_type: Any, appid: Any, secret: Any) -> int:
        if grant_type != "client_credential":
            return 40002
        if appid != self.appid:
            return 40013
        return 40125 if secret != self.secret else 0

    def stable_token(self, body: dict[str, Any]) -> dict[str, Any]:
        force = bool(body.get("force_refresh"))
        errcode = self._credentials(body.get("grant_type"), body.get("appid"), body.get("secret"))
        if errcode:
            return self._record("/cgi-bin/stable_token", errcode, force_refresh=force)
        now = self.clock()
        if force and self.stable:
            self.tokens.pop(self.stable, None)  # force_refresh invalidates the previous token
        if force or not self.stable or self.tokens.get(self.stable, 0) - now <= STABLE_RENEW_BEFORE:
            self.stable = self._new_token()
        self.calls.append(Call("/cgi-bin/stable_token", 0, force))
        return {"access_token": self.stable, "expires_in": int(self.tokens[self.stable] - now)}

    def legacy_token(self, query: dict[str, str]) -> dict[str, Any]:
        errcode = self._credentials(query.get("grant_type"), query.get("appid"), query.get("secret"))
        if errcode:
            return self._record("/cgi-bin/token", errcode)
        now = self.clock()
        for token, expires in self.tokens.items():
            self.tokens[token] = min(expires, now + OLD_TOKEN_GRACE)
        token = self._new_token()
        self.calls.append(Call("/cgi-bin/token", 0))
        return {"access_token": token, "expires_in": TOKEN_TTL}

    def _reachable(self, openid: Any) -> int:
        if not isinstance(openid, str) or not openid:
            return 40003
        if openid in self.unfollowed:
            return 43004
        return 0 if openid in self.followers else 40003

    def custom_send(self, body: dict[str, Any]) -> dict[str, Any]:
        path = "/cgi-bin/message/custom/send"
        openid = _openid(body)
        content = (body.get("text") or {}).get("content") if body.get("msgtype") == "text" else None
        if not isinstance(content, str) or not content:
            return self._record(path, 47001)
        errcode = self._reachable(openid)
        if errcode:
            return self._record(path, errcode)
        if self.clock() - self.last_inbound.get(openid, float("-inf")) > WINDOW_SECONDS:
            return self._record(path, 45015)
        if self.window_sends.get(openid, 0) >= WINDOW_SENDS:
            return self._record(path, 45047)
        self.window_sends[openid] = self.window_sends.get(openid, 0) + 1
        self._deliver(openid, "custom", content)
        return self._record(path, 0)

    def template_send(self, body: dict[str, Any]) -> dict[str, Any]:
        path = "/cgi-bin/message/template/send"
        openid, template_id, data = _openid(body), body.get("template_id"), body.get("data")
        if not template_id:
            return self._record(path, 40037)
        if not isinstance(data, dict) or not data:
            return self._record(path, 47003)
        values: dict[str, str] = {}
        for name, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            limit = TEMPLATE_LIMITS.get(name.rstrip("0123456789"))
            if not isinstance(value, str) or (limit is not None and len(value) > limit):
                return {**self._record(path, 47003), "errmsg": f"argument invalid! data.{name}.value invalid"}
            values[name] = value
        errcode = self._reachable(openid)
        if errcode:
            return self._record(path, errcode)
        sent = self._deliver(openid, "template", "".join(values.values()), data=values)
        return {**self._record(path, 0), "msgid": sent.seq}

    def menu_create(self, body: dict[str, Any]) -> dict[str, Any]:
        path = "/cgi-bin/menu/create"
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return self._record(path, 40016)
        for button in buttons:
            subs = button.get("sub_button")
            if len(button.get("name", "").encode()) > 16 or not button.get("name"):
                return self._record(path, 40018)
            if subs:
                if len(subs) > 5:
                    return self._record(path, 40016)
                items = subs
            else:
                items = [button]
            for item in items:
                if item.get("type") not in ("click", "view", "miniprogram"):
                    return self._record(path, 40017)
                if not item.get("name") or len(item["name"].encode()) > 60:
                    return self._record(path, 40018)
                if item["type"] == "click" and not 0 < len(item.get("key", "").encode()) <= 128:
                    return self._record(path, 40019)
        self.menu = body
        return self._record(path, 0)

    def _deliver(self, openid: str, kind: str, text: str, data: dict[str, Any] | None = None) -> Sent:
        sent = Sent(len(self.messages) + 1, openid, kind, text, self.clock(), data or {})
        self.messages.append(sent)
        return sent

    def _record(self, path: str, errcode: int, *, force_refresh: bool = False) -> dict[str, Any]:
        self.calls.append(Call(path, errcode, force_refresh))
        return {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}


def create_fake_api(fake: FakeWeChat) -> Starlette:
    """The fake API as an ASGI app: mount it anywhere, or serve it on its own port."""

    def endpoint(path: str) -> Callable[[Request], Any]:
        async def api(request: Request) -> Response:
            if request.method == "GET":  # the legacy /cgi-bin/token
                with fake._lock:
                    fault = fake._take_fault(path)
                    return _answer(fault, lambda: fake.legacy_token(dict(request.query_params)), fake, path)
            raw = await request.body()
            try:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                with fake._lock:
                    return JSONResponse(fake._record(path, 47001 if raw else 44002))
            with fake._lock:
                fault = fake._take_fault(path)
            if path == "/cgi-bin/stable_token" and fake.token_delay:
                await asyncio.sleep(fake.token_delay)
            with fake._lock:
                if path == "/cgi-bin/stable_token":
                    return _answer(fault, lambda: fake.stable_token(body), fake, path)
                errcode = fake._check_token(request.query_params.get("access_token"))
                if errcode and fault is None:
                    return JSONResponse(fake._record(path, errcode))
                handler = {"/cgi-bin/message/custom/send": fake.custom_send,
                           "/cgi-bin/message/template/send": fake.template_send,
                           "/cgi-bin/menu/create": fake.menu_create}[path]
                return _answer(fault, lambda: handler(body), fake, path)

        return api

    async def sandbox_messages(request: Request) -> JSONResponse:
        if refused := refusal(request):  # what the bot sent to anyone: this machine's sandbox page only
            return refused
        openid = request.query_params.get("openid", "")
        after = request.query_params.get("after", "0") or "0"
        if not after.isdigit() or len(after) > 9:
            return JSONResponse({"error": "after must be a message number"}, status_code=400)
        return JSONResponse({"messages": [m.to_dict() for m in fake.messages_for(openid, int(after))]})

    async def sandbox_menu(request: Request) -> JSONResponse:
        return JSONResponse({"menu": fake.menu})

    api_paths = ["/cgi-bin/message/custom/send", "/cgi-bin/message/template/send", "/cgi-bin/menu/create",
                 "/cgi-bin/stable_token"]
    return Starlette(routes=[
        *(Route(p, endpoint(p), methods=["POST"]) for p in api_paths),
        Route("/cgi-bin/token", endpoint("/cgi-bin/token"), methods=["GET"]),
        Route("/_sandbox/messages", sandbox_messages),
        Route("/_sandbox/menu", sandbox_menu),
    ])


def _answer(fault: int | None, call: Callable[[], dict[str, Any]], fake: FakeWeChat, path: str) -> Response:
    if fault is None:
        return JSONResponse(call())
    if 500 <= fault <= 599:
        fake.calls.append(Call(path, fault))
        return Response("server error", status_code=fault)
    return JSONResponse(fake._record(path, fault))

"""A fake Telegram Bot API: a real HTTP server on a free 127.0.0.1 port, run by uvicorn in a
thread, answering POST /bot<token>/<method> with the Bot API's JSON.

It speaks getMe, sendMessage, setWebhook, deleteWebhook, getWebhookInfo, getUpdates and
setMyCommands, records every call, and can be told to fail: `fail(...)` scripts a 429 with
retry_after or any other error, `block(chat)` answers 403 as for a person who blocked the
bot, `down = True` answers 502 to everything (the API unreachable).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.server import serving

TOKEN = "123456:TEST-fake-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "开化零工助手", "username": "kaihua_jobbot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_PARAMS = ("reply_markup", "allowed_updates", "commands", "entities", "link_preview_options")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int  # the HTTP status we answered
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    method: str
    status: int
    description: str
    chat_id: int | None = None
    retry_after: int | None = None
    times: int = 1


class FakeTelegram:
    """Start with `with FakeTelegram() as api:`; point PTB at `api.url`."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[Call] = []
        self.blocked: set[int] = set()
        self.down = False
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: list[dict[str, Any]] | None = None
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self._message_id = 0
        self._serving: Any = None
        self.url = ""  # http://127.0.0.1:<port> once started

    # --- server -------------------------------------------------------------------------------
    def __enter__(self) -> FakeTelegram:
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        self._serving = serving(app, lifespan="off")
        self.url = self._serving.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._serving.__exit__(None, None, None)

    # --- scripting and inspection -------------------------------------------------------------
    def fail(self, method: str, *, status: int, description: str, chat_id: int | None = None,
             retry_after: int | None = None, times: int = 1) -> None:
        with self._lock:
            self._failures.append(Failure(method, status, description, chat_id, retry_after, times))

    def flood(self, *, retry_after: int = 1, chat_id: int | None = None, times: int = 1) -> None:
        self.fail("sendMessage", status=429, description=f"Too Many Requests: retry after {retry_after}",
                  chat_id=chat_id, retry_after=retry_after, times=times)

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """The sendMessage calls that succeeded, to one chat or all."""
        return [c for c in self.calls_to("sendMessage")
                if c.status == 200 and (chat_id is None or c.params["chat_id"] == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params["text"] for c in self.sent(chat_id)]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("the fake Telegram API did not see what the test waited for")
            time.sleep(0.02)

    # --- the API --------------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await _params(request)
        if request.path_params["token"] != self.token:
            status, body = _error(401, "Unauthorized")
        else:
            status, body = await self._answer(method, params)
        with self._lock:
            self.calls.append(Call(method, params, status))
        return JSONResponse(body, status_code=status)

    async def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.down:
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        failure = self._take_failure(method, params.get("chat_id"))
        if failure is not None:
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "sendMessage":
            return self._send_message(params)
        if method == "setWebhook":
            self.webhook = params
            return _ok(True)
        if method == "deleteWebhook":
            self.webhook = None
            return _ok(True)
        if method == "getWebhookInfo":
            return _ok({"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                        "pending_update_count": len(self.updates)})
        if method == "setMyCommands":
            self.commands = params.get("commands")
            return _ok(True)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _take_failure(self, method: str, chat_id: Any) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == method and failure.chat_id in (None, chat_id) and failure.times > 0:
                    failure.times -= 1
                    return failure
        return None

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id, text = params.get("chat_id"), params.get("text")
        if chat_id is None:
            return _error(400, "Bad Request: chat_id is empty")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        with self._lock:
            self._message_id += 1
            message_id = self._message_id
        return _ok({"message_id": message_id, "date": int(time.time()), "text": text, "from": BOT_USER,
                    "chat": {"id": chat_id, "type": "private", "first_name": "测试"}})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates)
            if pending or time.monotonic() >= deadline:
                return pending
            await asyncio.sleep(0.02)


async def _params(request: Request) -> dict[str, Any]:
    raw = await request.body()
    params: dict[str, Any]
    if request.headers.get("content-type", "").startswith("application/json"):
        params = json.loads(raw or b"{}")
    else:
        params = dict[str, Any](parse_qsl(raw.decode())) | dict(request.query_params)
        for name in JSON_PARAMS:
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
    if isinstance(params.get("chat_id"), str) and params["chat_id"].lstrip("-").isdigit():
        params["chat_id"] = int(params["chat_id"])
    return params


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _error(status: int, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def message_update(update_id: int, chat_id: int, *, text: str | None = None, chat_type: str = "private",
                   **fields: Any) -> dict[str, Any]:
    """An update as Telegram posts it: a message in a chat, with text or other fields
    (location={...}, sticker={...}, photo=[...])."""
    message: dict[str, Any] = {
        "message_id": update_id * 10, "date": 1773108000,
        "chat": {"id": chat_id, "type": chat_type, "first_name": "测试"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "测试", "language_code": "zh-hans"},
        **fields,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}

"""The outbound WeChat API client (httpx, async): token, timeouts, retries, error codes.

Kept apart from message parsing, as wechatpy does. We use httpx directly instead of
wechatpy's client because that one is synchronous (requests), keeps its token in its own
session storage, and has no stable_token call; here the token lives in our database
(`TokenCache`) and calls never block the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from bot.channels.wechat.token import TokenCache, TokenUnavailable
from bot.settings import Settings
from storage.models import utcnow

log = logging.getLogger(__name__)


class _RedactToken(logging.Filter):
    """httpx logs each request's URL, and WeChat wants the access_token in the query."""

    _token = re.compile(r"(access_token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message:
            record.msg, record.args = self._token.sub(r"\1***", message), None
        return True


logging.getLogger("httpx").addFilter(_RedactToken())

TOKEN_REJECTED = {40001, 42001, 40014}  # invalid, expired, malformed access_token
SYSTEM_BUSY = -1
# Network errors after which the request surely never reached WeChat: safe to repeat any call.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_GATEWAY = {502, 503, 504}


class ApiError(Exception):
    """WeChat answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class ApiUnavailable(Exception):
    """WeChat could not be reached or kept failing after the retries."""


class WeChatClient:
    """Calls the official-account API at `settings.wechat_api_base` with the shared token."""

    def __init__(self, settings: Settings, engine: Engine, *, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], datetime] = utcnow, attempts: int = 3, backoff: float = 0.2):
        if not (settings.wechat_appid and settings.wechat_secret):
            raise ValueError("JOBBOT_WECHAT_APPID and JOBBOT_WECHAT_SECRET are needed to call the WeChat API")
        self.appid, self._secret = settings.wechat_appid, settings.wechat_secret
        self.base = settings.wechat_api_base.rstrip("/")
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=3.0),
                                              limits=httpx.Limits(max_connections=50))
        self.attempts, self.backoff = attempts, backoff
        self.tokens = TokenCache(engine, self._fetch_token, name=f"wechat:{self.appid}", clock=clock)

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- the API calls we use ---------------------------------------------------------------
    async def send_custom_text(self, openid: str, text: str) -> dict[str, Any]:
        """A customer-service text message (message/custom/send)."""
        return await self.call("/cgi-bin/message/custom/send",
                               {"touser": openid, "msgtype": "text", "text": {"content": text}}, idempotent=False)

    async def send_template(self, openid: str, template_id: str, data: dict[str, str]) -> dict[str, Any]:
        """A template message (message/template/send); `data` maps keyword fields to values."""
        return await self.call("/cgi-bin/message/template/send", {
            "touser": openid, "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
        }, idempotent=False)

    async def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        return await self.call("/cgi-bin/menu/create", menu)

    # --- plumbing ---------------------------------------------------------------------------
    async def call(self, path: str, payload: dict[str, Any], *, idempotent: bool = True) -> dict[str, Any]:
        """POST JSON with the access token; a rejected token is refreshed once and the call repeated."""
        token = await self._token(self.tokens.get())
        try:
            return await self._post(path, payload, token=token, idempotent=idempotent)
        except ApiError as exc:
            if exc.errcode not in TOKEN_REJECTED:
                raise
            log.info("access token rejected (errcode %s), refreshing once", exc.errcode)
        token = await self._token(self.tokens.refresh(stale=token))
        return await self._post(path, payload, token=token, idempotent=idempotent)

    @staticmethod
    async def _token(getting: Awaitable[str]) -> str:
        try:
            return await getting
        except ApiError as exc:  # wrong appid/secret, IP not whitelisted …
            raise TokenUnavailable(f"token refused: errcode {exc.errcode} {exc.errmsg}") from exc
        except ApiUnavailable as exc:
            raise TokenUnavailable(f"token endpoint unreachable: {exc}") from exc

    async def _fetch_token(self, force_refresh: bool) -> tuple[str, int]:
        body = await self._post("/cgi-bin/stable_token", {
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret,
            "force_refresh": force_refresh,
        }, token=None, idempotent=True)
        return str(body["access_token"]), int(body.get("expires_in", 7200))

    async def _post(self, path: str, payload: dict[str, Any], *, token: str | None,
                    idempotent: bool) -> dict[str, Any]:
        """One API call with retries on transient failures; returns the JSON of errcode 0."""
        params = {"access_token": token} if token else None
        last: str = ""
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random()))
            try:
                response = await self.http.post(self.base + path, params=params, json=payload)
            except _NOT_SENT as exc:
                last = f"{type(exc).__name__}"
                continue
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}"
                if idempotent:
                    continue
                raise ApiUnavailable(f"{last} after the request was sent; not repeated") from exc
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                if idempotent or response.status_code in _GATEWAY:
                    continue
                raise ApiUnavailable(last)
            try:
                body: dict[str, Any] = response.json()
            except ValueError as exc:
                raise ApiUnavailable(f"HTTP {response.status_code}, not JSON") from exc
            errcode = int(body.get("errcode") or 0)
            if errcode == SYSTEM_BUSY:
                last = "errcode -1 (system busy)"
                continue
            if errcode:
                raise ApiError(errcode, str(body.get("errmsg", "")))
            return body
        log.warning("WeChat API %s failed after %d attempts: %s", path, self.attempts, last)
        raise ApiUnavailable(last)

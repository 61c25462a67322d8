"""The Telegram webhook, POST /telegram on `jobbot serve`.

Checks, in order: the channel is configured (else 404); a webhook secret is configured and
the X-Telegram-Bot-Api-Secret-Token header matches it (else 403); the body is at most 1 MB
(else 413) and is a JSON update (else 400). Then the update is handled before we answer
200, so a crash mid-way makes Telegram deliver it again (and the inbound log keeps that
from being acted on twice). While the Bot API cannot be reached yet, 503 asks Telegram to
deliver the update later.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import telegram
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Channel, Sender
from bot.channels.telegram.application import TelegramChannel
from bot.channels.telegram.sender import TelegramPushes, open_sender
from bot.dispatch import Dispatcher
from bot.settings import Settings

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
NO_SECRET = "JOBBOT_TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook refuses every request"


class BodyTooLarge(Exception):
    pass


class TelegramWebhook(Channel):
    """The /telegram route, and the channel started and stopped with the server."""

    name = "telegram"

    def __init__(self, settings: Settings, channel: TelegramChannel | None, *, max_body: int = MAX_BODY):
        self.settings = settings
        self.secret = settings.telegram_webhook_secret or ""
        self.channel = channel
        self.max_body = max_body
        self._warned = False

    @classmethod
    def from_settings(cls, settings: Settings, dispatcher: Dispatcher) -> TelegramWebhook:
        return cls(settings, TelegramChannel.from_settings(settings, dispatcher))

    def routes(self) -> list[BaseRoute]:
        return [Route(PATH, self.handle, methods=["POST"])]

    def sender(self) -> Sender | None:
        return TelegramPushes(self.channel.sender) if self.channel is not None else None

    @asynccontextmanager
    async def pushing(self) -> AsyncIterator[Sender | None]:
        """A sender with connections of its own, without the Application (no updates come in)."""
        if self.channel is None:
            yield None
            return
        async with open_sender(self.settings, engine=self.channel.dispatcher.engine) as sender:
            yield TelegramPushes(sender)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if self.channel is not None:
            if not self.secret:
                log.warning(NO_SECRET)
            await self.channel.start()
        try:
            yield
        finally:
            if self.channel is not None:
                await self.channel.stop()

    async def handle(self, request: Request) -> Response:
        channel = self.channel
        if channel is None:
            return PlainTextResponse("Telegram is not configured on this server.", 404)
        if not self.secret:
            if not self._warned:
                log.warning(NO_SECRET)
                self._warned = True
            return PlainTextResponse("Forbidden", 403)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return PlainTextResponse("Forbidden", 403)
        try:
            body = await self._read_body(request)
        except BodyTooLarge:
            return PlainTextResponse("Request body too large", 413)
        data = _json_update(body)
        if data is None:
            return PlainTextResponse("Body is not a Telegram update", 400)
        try:
            update = telegram.Update.de_json(data, channel.application.bot)
        except Exception:  # PTB raises whatever the malformed fields cause
            return PlainTextResponse("Body is not a Telegram update", 400)
        if not await channel.ensure_ready():
            return PlainTextResponse("Telegram channel not ready, try again later", 503)
        await channel.process(update)
        return Response(status_code=200)

    async def _read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise BodyTooLarge
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body:
                raise BodyTooLarge
        return bytes(body)


def _not_json(constant: str) -> float:
    """NaN and Infinity, which Python reads but JSON does not have (a NaN location)."""
    raise ValueError(f"{constant} is not JSON")


def _json_update(body: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return data

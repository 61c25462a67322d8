"""The voice channel on the common interface: its push sender when an access key and a fair
template are set, and /voice/report, the provider's call reports."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import Channel, Sender
from bot.channels.phone import Budget, accepted, read_callback
from bot.channels.voice.provider import VoiceProvider, VoiceReport, parse_reports
from bot.channels.voice.sender import CHANNEL, VoicePushes
from bot.dispatch import Dispatcher
from bot.settings import Settings
from storage import phone
from storage.db import session_scope


class VoiceChannel(Channel):
    name = CHANNEL

    def __init__(self, settings: Settings, dispatcher: Dispatcher) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self._sender: VoicePushes | None = None

    @property
    def configured(self) -> bool:
        key = self.settings.voice_access_key_id or self.settings.sms_access_key_id
        return bool(key and self.settings.voice_template_fair)

    def routes(self) -> list[BaseRoute]:
        return [Route("/voice/report", self.report, methods=["POST"])]

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if self.configured:
            budget = Budget(self.dispatcher.engine, self.settings, self.dispatcher.services.clock)
            self._sender = VoicePushes(VoiceProvider.from_settings(self.settings), budget,
                                       price=self.settings.voice_price, tz=ZoneInfo(self.settings.timezone))
        try:
            yield
        finally:
            self._sender = None

    def sender(self) -> Sender | None:
        return self._sender

    async def report(self, request: Request) -> Response:
        reports = await read_callback(request, self.settings, parse_reports)
        if isinstance(reports, Response):
            return reports
        await to_thread.run_sync(self._reports, reports)
        return accepted()

    def _reports(self, reports: list[VoiceReport]) -> None:
        with session_scope(self.dispatcher.engine) as session:
            for item in reports:
                phone.receipt(session, channel=CHANNEL, biz_id=item.call_id, delivered=item.answered,
                              code=item.status_code)

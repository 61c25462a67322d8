"""The voice channel on the common interface: its push sender when an access key and a fair
template are set, and /voice/report, the provider's call reports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.phone import Budget, PhoneChannel, Receipt
from bot.channels.voice.provider import VoiceProvider, parse_reports
from bot.channels.voice.sender import CHANNEL, VoicePushes


class VoiceChannel(PhoneChannel[VoicePushes]):
    name = CHANNEL

    @property
    def configured(self) -> bool:
        key = self.settings.voice_access_key_id or self.settings.sms_access_key_id
        return bool(key and self.settings.voice_template_fair)

    def open_sender(self, budget: Budget) -> VoicePushes:
        return VoicePushes(VoiceProvider.from_settings(self.settings), budget, price=self.settings.voice_price,
                           tz=ZoneInfo(self.settings.timezone))

    def routes(self) -> list[BaseRoute]:
        return [Route("/voice/report", self.report, methods=["POST"])]

    async def report(self, request: Request) -> Response:
        return await self.record(request, parse_reports, lambda r: Receipt(r.call_id, r.answered, r.status_code))

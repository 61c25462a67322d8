"""Alibaba Cloud voice notifications (dyvmsapi 2017-05-25) through its SDK: call a number and
have a TTS template read out (SingleCallByTts), and read the call reports (VoiceReport) that the
provider POSTs to us as a JSON array when a call ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alibabacloud_dyvmsapi20170525.client import Client
from alibabacloud_dyvmsapi20170525.models import SingleCallByTtsRequest

from bot.channels.aliyun import (
    BadCallback,
    ProviderResult,
    parse_array,
    phone,
    request,
    sdk_config,
    template_params,
    text,
)
from bot.channels.phone_templates import TemplateSet
from bot.settings import Settings

__all__ = ["BadCallback", "ProviderResult", "VoiceProvider", "VoiceReport", "parse_reports"]

HEARD = "200000"  # the report's status_code when the person picked up and the text was read


@dataclass(frozen=True)
class VoiceReport:
    """How one call ended."""

    phone: str
    call_id: str
    answered: bool
    status_code: str  # 200000 heard; 200005 no answer, 200002 switched off, 200010 busy …
    status_msg: str = ""
    duration: int = 0  # seconds
    out_id: str = ""
    end_time: str = ""


class VoiceProvider:
    """The voice client for one account, with the account's approved TTS templates."""

    def __init__(self, client: Client, *, show_number: str | None, templates: TemplateSet,
                 play_times: int = 2) -> None:
        self.client = client
        self.show_number = show_number
        self.templates = templates
        self.play_times = play_times  # older people often miss the first reading

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceProvider:
        config = sdk_config(settings.voice_endpoint, settings.voice_access_key_id or settings.sms_access_key_id,
                            settings.voice_access_key_secret or settings.sms_access_key_secret)
        return cls(Client(config), show_number=settings.voice_show_number,
                   templates=TemplateSet.from_settings("voice", settings))

    async def call(self, phone: str, tts_code: str, params: dict[str, Any] | None = None, *,
                   out_id: str | None = None) -> ProviderResult:
        """Ring `phone` and read the template; `biz_id` of the result is the CallId its report names."""
        call = SingleCallByTtsRequest(called_number=phone, called_show_number=self.show_number, tts_code=tts_code,
                                      tts_param=template_params(params), play_times=self.play_times, out_id=out_id)
        return await request("call", phone, lambda: self.client.single_call_by_tts_async(call), "call_id")


def parse_reports(body: bytes) -> list[VoiceReport]:
    """The call reports in a VoiceReport callback body (`BadCallback` when it is not one)."""
    return parse_array(body, _report, "VoiceReport")


def _report(raw: dict[str, Any]) -> VoiceReport:
    status = text(raw, "status_code")
    duration = text(raw, "duration", required=False)
    return VoiceReport(phone=phone(raw, "callee"), call_id=text(raw, "call_id"), answered=status == HEARD,
                       status_code=status, status_msg=text(raw, "status_msg", required=False),
                       duration=int(duration) if duration.isdecimal() else 0,
                       out_id=text(raw, "out_id", required=False), end_time=text(raw, "end_time", required=False))

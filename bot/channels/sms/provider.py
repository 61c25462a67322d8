"""Alibaba Cloud SMS (dysmsapi 2017-05-25) through its SDK: send one template message, ask the
provider how a message fared (polling), and read the delivery receipts (SmsReport) and the
people's replies (SmsUp) that the provider POSTs to us as JSON arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, SendSmsRequest

from bot.channels.aliyun import (
    FAILED,
    BadCallback,
    ProviderResult,
    answered,
    flag,
    parse_array,
    phone,
    raised,
    request,
    sdk_config,
    template_params,
    text,
)
from bot.channels.phone_templates import TemplateSet
from bot.settings import Settings

__all__ = ["BadCallback", "ProviderResult", "SmsProvider", "SmsReport", "SmsUp", "parse_reports", "parse_uplink"]

DELIVERED = "3"  # QuerySendDetails SendStatus: 1 waiting, 2 failed, 3 delivered


@dataclass(frozen=True)
class SmsReport:
    """Whether one message reached the phone (from a receipt or from polling)."""

    phone: str
    biz_id: str
    delivered: bool
    err_code: str  # "DELIVERED" when it arrived, the operator's code otherwise
    err_msg: str = ""
    out_id: str = ""
    report_time: str = ""  # the provider's local time, "2026-12-03 09:00:05"


@dataclass(frozen=True)
class SmsUp:
    """A person's reply to one of our messages."""

    phone: str
    content: str
    send_time: str = ""
    sign_name: str = ""
    dest_code: str = ""
    sequence_id: str = ""  # the provider's id of this reply: the same id again is a repeated POST


class SmsProvider:
    """The SMS client for one account and signature, with the account's approved templates."""

    def __init__(self, client: Client, *, sign_name: str, templates: TemplateSet) -> None:
        self.client = client
        self.sign_name = sign_name
        self.templates = templates

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsProvider:
        config = sdk_config(settings.sms_endpoint, settings.sms_access_key_id, settings.sms_access_key_secret)
        return cls(Client(config), sign_name=settings.sms_sign_name or "",
                   templates=TemplateSet.from_settings("sms", settings))

    async def send(self, phone: str, template_code: str, params: dict[str, Any] | None = None, *,
                   out_id: str | None = None) -> ProviderResult:
        """Send one template message; `out_id` comes back in its receipt."""
        sms = SendSmsRequest(phone_numbers=phone, sign_name=self.sign_name, template_code=template_code,
                             template_param=template_params(params), out_id=out_id)
        return await request("SMS", phone, lambda: self.client.send_sms_async(sms), "biz_id")

    async def status(self, phone: str, biz_id: str, day: date) -> SmsReport | ProviderResult:
        """How the message `biz_id` sent on `day` fared (for when receipts do not come): its report,
        or the provider's refusal. A message still on its way reports `err_code` "WAITING"."""
        query = QuerySendDetailsRequest(phone_number=phone, biz_id=biz_id, send_date=day.strftime("%Y%m%d"),
                                        page_size=10, current_page=1)
        try:
            body = (await self.client.query_send_details_async(query)).body
        except FAILED as error:
            return raised(error)
        if body.code != "OK":
            return answered(body, "request_id")  # a refusal, sorted as a send's would be
        details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
        if not details:
            return ProviderResult(ok=False, code="NotFound", message="没有这条短信")
        found = details[0]
        delivered = str(found.send_status) == DELIVERED
        waiting = str(found.send_status) == "1"
        return SmsReport(phone=phone, biz_id=biz_id, delivered=delivered,
                         err_code="WAITING" if waiting else str(found.err_code or ""),
                         out_id=str(found.out_id or ""), report_time=str(found.receive_date or ""))


def parse_reports(body: bytes) -> list[SmsReport]:
    """The delivery receipts in an SmsReport callback body (`BadCallback` when it is not one)."""
    return parse_array(body, _report, "SmsReport")


def parse_uplink(body: bytes) -> list[SmsUp]:
    """The replies in an SmsUp callback body (`BadCallback` when it is not one)."""
    return parse_array(body, _uplink, "SmsUp")


def _report(raw: dict[str, Any]) -> SmsReport:
    return SmsReport(phone=phone(raw, "phone_number"), biz_id=text(raw, "biz_id"), delivered=flag(raw, "success"),
                     err_code=text(raw, "err_code", required=False), err_msg=text(raw, "err_msg", required=False),
                     out_id=text(raw, "out_id", required=False),
                     report_time=text(raw, "report_time", required=False))


def _uplink(raw: dict[str, Any]) -> SmsUp:
    return SmsUp(phone=phone(raw, "phone_number"), content=text(raw, "content"),
                 send_time=text(raw, "send_time", required=False), sign_name=text(raw, "sign_name", required=False),
                 dest_code=text(raw, "dest_code", required=False),
                 sequence_id=text(raw, "sequence_id", required=False))

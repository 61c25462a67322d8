"""A fake Alibaba Cloud SMS and voice-notification API for the demo and the tests.

It takes the SDK's real requests (RPC style, signed ACS3-HMAC-SHA256; the signature is checked
with the SDK's own signer against the one account it knows) and answers SendSms,
QuerySendDetails and SingleCallByTts as the provider does: "OK" with a BizId / CallId, or a
business code in an HTTP 200 body (isv.SMS_TEMPLATE_ILLEGAL, isv.MOBILE_NUMBER_ILLEGAL,
isv.TEMPLATE_MISSING_PARAMETERS, isv.PARAM_LENGTH_LIMIT for a variable over the provider's limit,
isv.BUSINESS_LIMIT_CONTROL past a number's daily limit …), and HTTP errors for a bad key or
signature and for API throttling (Throttling.User). The variables sent must be the template's
own, each within its limit, as for a real account. Tests script failures with `fail()` and read
what arrived in `received`. It plays the provider's side of the callbacks too: delivery receipts
(SmsReport), people's replies (SmsUp) and call reports (VoiceReport), POSTed as JSON arrays to
the bot's /sms/report, /sms/up and /voice/report.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from alibabacloud_tea_openapi.utils import Utils
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.channels.phone_templates import render, variables

ZONE = ZoneInfo("Asia/Shanghai")
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# characters in one template variable: the provider's rule for most SMS variables, and for TTS ones
PARAM_LIMIT = {"SendSms": 35, "SingleCallByTts": 20}
DAILY_LIMIT = 10  # messages a day to one number, the provider's default for one signature
SIGNING = "ACS3-HMAC-SHA256"
MESSAGES = {
    "OK": "OK",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量中存在未赋值变量",
    "isv.INVALID_PARAMETERS": "模板中没有这个变量",
    "isv.INVALID_JSON_PARAM": "JSON参数不合法，只接受字符串值",
    "isv.PARAM_LENGTH_LIMIT": "参数超出长度限制",
    "isv.BUSINESS_LIMIT_CONTROL": "触发分钟级流控Permits:1",
    "isv.DAY_LIMIT_CONTROL": "触发日发送限额",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.TTS_TEMPLATE_ILLEGAL": "该账号下找不到对应的语音模板",
    "Throttling.User": "Request was denied due to user flow control.",
    "InternalError": "The request processing has failed due to some unknown error.",
}
HTTP_STATUS = {"Throttling.User": 400, "InternalError": 500, "ServiceUnavailable": 503}
_ids = itertools.count(int(time.time()))


@dataclass
class Received:
    """One SMS or call the fake accepted, or a reply a person sent (kind "up")."""

    seq: int
    kind: str  # "sms", "call" or "up"
    phone: str
    text: str  # the message as the phone shows it, the words the call reads, or the reply
    at: float
    template: str = ""
    params: dict[str, str] = field(default_factory=dict)
    biz_id: str = ""  # BizId or CallId
    out_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "phone": self.phone, "text": self.text, "at": self.at}


class FakeAliyun:
    """The state behind the fake API; safe to read from a test while the server runs."""

    def __init__(self, key_id: str, key_secret: str, *, templates: dict[str, str], sign_names: set[str],
                 callback_base: str | None = None, auto_report: bool = False,
                 daily_limit: int = DAILY_LIMIT,
                 clock: Callable[[], float] = time.time) -> None:
        self.key_id, self.key_secret = key_id, key_secret
        self.url = ""  # where it serves, once it does (what JOBBOT_SMS_ENDPOINT points to)
        self.templates = templates  # SMS_… and TTS_… codes → text with ${name} variables
        self.sign_names = sign_names
        # the bot's base URL for receipts, replies and call reports (its query, e.g. a token, is kept)
        self.callback_base = callback_base
        self.auto_report = auto_report  # post each receipt / call report right after the send
        self.daily_limit = daily_limit
        self.clock = clock
        self._lock = threading.RLock()
        self.received: list[Received] = []
        self.calls: list[tuple[str, str]] = []  # (action, code answered), refusals included
        self.callbacks: list[tuple[str, int]] = []  # (path, HTTP status the bot answered)
        self._faults: dict[str, list[str | tuple[str, str]]] = {}

    # --- test controls and the sandbox's phone -------------------------------------------------
    def fail(self, action: str, *codes: str | tuple[str, str]) -> None:
        """The next calls of `action` ("SendSms", "SingleCallByTts") answer these codes (or these
        (code, message) pairs, e.g. the hour-level "触发小时级流控Permits:5")."""
        with self._lock:
            self._faults.setdefault(action, []).extend(codes)

    def sent_to(self, phone: str, after: int = 0) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.phone == phone and r.seq > after]

    def phones(self) -> list[str]:
        """Every number that was sent something, in order of the first message."""
        with self._lock:
            return list(dict.fromkeys(r.phone for r in self.received if r.kind != "up"))

    # --- the provider's side of the callbacks --------------------------------------------------
    async def report(self, sent: Received, *, delivered: bool = True, code: str = "") -> int:
        """The receipt of an SMS, or the report of a call (answered and heard, or `code`)."""
        now = _local(self.clock())
        if sent.kind == "call":
            status = code or ("200000" if delivered else "200005")
            return await self._post("/voice/report", [{
                "status_code": status, "status_msg": "用户听完通知" if status == "200000" else "用户未接听",
                "callee": sent.phone, "caller": "0570000000", "call_id": sent.biz_id, "out_id": sent.out_id,
                "start_time": now, "end_time": now, "duration": 18 if status == "200000" else 0,
                "toll_type": "LOCAL", "voice_type": "tts"}])
        return await self._post("/sms/report", [{
            "phone_number": sent.phone, "send_time": now, "report_time": now, "success": delivered,
            "err_code": code or ("DELIVERED" if delivered else "MK:0001"),
            "err_msg": "用户接收成功" if delivered else "用户手机号停机", "sms_size": "1",
            "biz_id": sent.biz_id, "out_id": sent.out_id}])

    async def reply(self, phone: str, content: str) -> int:
        """A person answers one of our messages (回T退订, a consent code …): SmsUp to the bot."""
        with self._lock:
            up = self._keep("up", phone, content)
            sign = next(iter(self.sign_names), "")
        return await self._post("/sms/up", [{
            "phone_number": phone, "send_time": _local(up.at), "content": content, "sign_name": sign,
            "dest_code": "", "sequence_id": up.seq}])

    async def _post(self, path: str, items: list[dict[str, Any]]) -> int:
        """POST to `path` under the callback base, keeping the base's query (a token, say)."""
        if not self.callback_base:
            raise RuntimeError("the fake provider has no callback URL")
        base = httpx.URL(self.callback_base)
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(base.copy_with(path=base.path.rstrip("/") + path), json=items)
        with self._lock:
            self.callbacks.append((path, answer.status_code))
        return answer.status_code

    # --- the API -------------------------------------------------------------------------------
    def handle(self, action: str, query: dict[str, str]) -> tuple[int, dict[str, Any], Received | None]:
        """HTTP status, body and what was accepted, for one signed call."""
        with self._lock:
            faults = self._faults.get(action)
            if faults:
                fault = faults.pop(0)
                return self._answer(action, *((fault,) if isinstance(fault, str) else fault))
            if action == "SendSms":
                return self._send_sms(query)
            if action == "SingleCallByTts":
                return self._call(query)
            if action == "QuerySendDetails":
                return 200, self._query(query), None
        return 404, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found."}, None

    def _send_sms(self, query: dict[str, str]) -> tuple[int, dict[str, Any], Received | None]:
        number, sign, code = query.get("PhoneNumbers", ""), query.get("SignName", ""), query.get("TemplateCode", "")
        if not MOBILE.fullmatch(number):
            return self._answer("SendSms", "isv.MOBILE_NUMBER_ILLEGAL")
        if sign not in self.sign_names:
            return self._answer("SendSms", "isv.SMS_SIGNATURE_ILLEGAL")
        if not code.startswith("SMS_") or code not in self.templates:
            return self._answer("SendSms", "isv.SMS_TEMPLATE_ILLEGAL")
        today = _local(self.clock())[:10]
        if sum(1 for r in self.received if r.kind == "sms" and r.phone == number
               and _local(r.at)[:10] == today) >= self.daily_limit:
            return self._answer("SendSms", "isv.BUSINESS_LIMIT_CONTROL", f"触发天级流控Permits:{self.daily_limit}")
        return self._accept("SendSms", number, code, query.get("TemplateParam"), query.get("OutId", ""),
                            sign=f"【{sign}】")

    def _call(self, query: dict[str, str]) -> tuple[int, dict[str, Any], Received | None]:
        number, code = query.get("CalledNumber", ""), query.get("TtsCode", "")
        if not MOBILE.fullmatch(number):
            return self._answer("SingleCallByTts", "isv.MOBILE_NUMBER_ILLEGAL")
        if not code.startswith("TTS_") or code not in self.templates:
            return self._answer("SingleCallByTts", "isv.TTS_TEMPLATE_ILLEGAL")
        return self._accept("SingleCallByTts", number, code, query.get("TtsParam"), query.get("OutId", ""))

    def _accept(self, action: str, number: str, code: str, raw_params: str | None, out_id: str, *,
                sign: str = "") -> tuple[int, dict[str, Any], Received | None]:
        """Send it, when the parameters fill the template: an SMS (with its signature) or a call."""
        rendered, refusal = self._render(code, raw_params, PARAM_LIMIT[action])
        if refusal:
            return self._answer(action, refusal)
        kind, id_field = ("call", "CallId") if action == "SingleCallByTts" else ("sms", "BizId")
        sent = self._keep(kind, number, sign + rendered[0], code, rendered[1], out_id)
        sent.biz_id = f"{next(_ids)}^{sent.seq}"
        return 200, {**self._answer(action, "OK")[1], id_field: sent.biz_id}, sent

    def _query(self, query: dict[str, str]) -> dict[str, Any]:
        found = [r for r in self.received if r.kind == "sms" and r.phone == query.get("PhoneNumber")
                 and r.biz_id == query.get("BizId")]
        self.calls.append(("QuerySendDetails", "OK"))
        return {"Code": "OK", "Message": "OK", "RequestId": secrets.token_hex(8), "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": [{
                    "PhoneNum": r.phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": r.template,
                    "Content": r.text, "SendDate": _local(r.at), "ReceiveDate": _local(r.at),
                    "OutId": r.out_id} for r in found]}}

    def _render(self, code: str, raw: str | None, limit: int) -> tuple[tuple[str, dict[str, str]], str | None]:
        """The template with its variables filled in, or the code refusing the parameters: not a
        JSON object of strings, a variable over `limit` characters, one missing, one not its own."""
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            return ("", {}), "isv.INVALID_JSON_PARAM"
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return ("", {}), "isv.INVALID_JSON_PARAM"
        if any(len(v) > limit for v in params.values()):
            return ("", {}), "isv.PARAM_LENGTH_LIMIT"
        names = set(variables(self.templates[code]))
        if names - params.keys():
            return ("", {}), "isv.TEMPLATE_MISSING_PARAMETERS"
        if params.keys() - names:
            return ("", {}), "isv.INVALID_PARAMETERS"
        return (render(self.templates[code], params), params), None

    def _keep(self, kind: str, phone: str, text: str, template: str = "", params: dict[str, str] | None = None,
              out_id: str = "") -> Received:
        sent = Received(len(self.received) + 1, kind, phone, text, self.clock(), template, params or {},
                        out_id=out_id)
        self.received.append(sent)
        return sent

    def _answer(self, action: str, code: str, message: str | None = None) -> tuple[int, dict[str, Any], None]:
        self.calls.append((action, code))
        body = {"Code": code, "Message": message or MESSAGES.get(code, code), "RequestId": secrets.token_hex(8)}
        return HTTP_STATUS.get(code, 200), body, None

    def signature_error(self, request: Request, body: bytes) -> tuple[int, str] | None:
        """Why a request is not signed by our account (HTTP status and the provider's code), or None."""
        scheme, _, rest = request.headers.get("authorization", "").partition(" ")
        parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
        if scheme != SIGNING or not {"Credential", "SignedHeaders", "Signature"} <= parts.keys():
            return 400, "IncompleteSignature"
        if parts["Credential"] != self.key_id:
            return 404, "InvalidAccessKeyId.NotFound"
        payload = request.headers.get("x-acs-content-sha256", "")
        if payload != hashlib.sha256(body).hexdigest():
            return 400, "SignatureDoesNotMatch"
        signed = SimpleNamespace(method=request.method, pathname=request.url.path, query=dict(request.query_params),
                                 headers={h: request.headers.get(h, "") for h in parts["SignedHeaders"].split(";")})
        expected = Utils.get_authorization(signed, SIGNING, payload, self.key_id, self.key_secret)
        if not secrets.compare_digest(expected, request.headers["authorization"]):
            return 400, "SignatureDoesNotMatch"
        return None


def create_fake_aliyun(fake: FakeAliyun) -> Starlette:
    """The fake API as an ASGI app; the SDK posts every action to "/" (serve it on its own port)."""

    async def rpc(request: Request) -> JSONResponse:
        body = await request.body()
        refused = fake.signature_error(request, body)
        if refused:
            status, code = refused
            with fake._lock:
                fake.calls.append((request.headers.get("x-acs-action", ""), code))
            return JSONResponse({"Code": code, "Message": code, "RequestId": secrets.token_hex(8)}, status_code=status)
        action = request.headers.get("x-acs-action") or request.query_params.get("Action", "")
        status, answer, sent = fake.handle(action, dict(request.query_params))
        task = BackgroundTask(fake.report, sent) if sent and fake.auto_report and fake.callback_base else None
        return JSONResponse(answer, status_code=status, background=task)

    return Starlette(routes=[Route("/", rpc, methods=["POST"])])


def _local(at: float) -> str:
    """The provider's way of writing a time: China time, "2026-12-03 09:00:05"."""
    return datetime.fromtimestamp(at, ZONE).strftime("%Y-%m-%d %H:%M:%S")

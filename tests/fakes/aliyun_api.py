"""A fake Alibaba Cloud SMS and voice API: a real HTTP server on a free 127.0.0.1 port that the
SDKs are pointed at (JOBBOT_SMS_ENDPOINT / JOBBOT_VOICE_ENDPOINT = its URL).

It answers SendSms and SingleCallByTts as the provider does (HTTP 200 with a `Code`), records
every message and call, and can be told to refuse the next ones with a provider code
(`refuse("isv.BUSINESS_LIMIT_CONTROL")`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fakes.server import serving


@dataclass(frozen=True)
class Sent:
    action: str  # "sms" or "call"
    phone: str
    template: str
    params: dict[str, Any]
    sign_name: str = ""


class FakeAliyun:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.refusals: list[str] = []
        self._ids = itertools.count(1)
        self.url = ""
        self.delay = 0.0  # seconds each answer takes (a busy provider)

    def refuse(self, *codes: str) -> None:
        self.refusals.extend(codes)

    def sms(self, phone: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.action == "sms" and phone in (None, s.phone)]

    def calls(self, phone: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.action == "call" and phone in (None, s.phone)]

    async def _handle(self, request: Request) -> JSONResponse:
        q = request.query_params
        await asyncio.sleep(self.delay)
        if self.refusals:
            code = self.refusals.pop(0)
            return JSONResponse({"Code": code, "Message": "refused by the fake", "RequestId": "r"})
        n = next(self._ids)
        if "PhoneNumbers" in q:
            self.sent.append(Sent("sms", q["PhoneNumbers"], q.get("TemplateCode", ""),
                                  json.loads(q.get("TemplateParam") or "{}"), q.get("SignName", "")))
            return JSONResponse({"Code": "OK", "Message": "OK", "BizId": f"biz-{n}", "RequestId": "r"})
        self.sent.append(Sent("call", q.get("CalledNumber", ""), q.get("TtsCode", ""),
                              json.loads(q.get("TtsParam") or "{}")))
        return JSONResponse({"Code": "OK", "Message": "OK", "CallId": f"call-{n}", "RequestId": "r"})

    @contextmanager
    def running(self) -> Iterator[FakeAliyun]:
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])
        with serving(app, lifespan="off") as url:
            self.url = url
            yield self

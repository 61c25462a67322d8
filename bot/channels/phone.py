"""What the SMS and voice channels share: the monthly budget (checked before a push is taken,
reserved before the provider is called, given back when it refuses), the guard on the
provider's callbacks (a shared token, a capped body)."""

from __future__ import annotations

import contextlib
import hmac
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from anyio import to_thread
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.channels.aliyun import MAX_CALLBACK_BODY, BadCallback, ProviderResult
from bot.channels.base import Channel, Hold, Outcome, Sender, SendResult
from bot.dispatch import Dispatcher
from bot.settings import Settings
from storage import phone
from storage.db import session_scope

BUDGET_USED = "本月短信/电话预算已用完"
TOKEN_HEADER = "X-Jobbot-Token"
OK = {"code": 0, "msg": "成功"}  # what the provider expects back from a callback
T = TypeVar("T")
S = TypeVar("S", bound=Sender)


def month_of(local: datetime) -> str:
    return local.strftime("%Y-%m")


def next_month(local: datetime) -> datetime:
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first.date(), time(0), local.tzinfo)


class Budget:
    """JOBBOT_PHONE_MONTHLY_BUDGET for SMS and calls together, month by local calendar."""

    def __init__(self, engine: Engine, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.limit = phone.to_milli(settings.phone_monthly_budget)
        self.tz = ZoneInfo(settings.timezone)
        self.clock = clock

    def hold(self, session: Session, cost: int, now: datetime) -> Hold | None:
        """Before a push is taken: wait for next month when even its least cost does not fit."""
        local = now.astimezone(self.tz)
        if phone.spent(session, month=month_of(local)) + cost <= self.limit:
            return None
        return Hold(BUDGET_USED, until=next_month(local))

    async def spend(self, cost: int, *, channel: str, user_id: str, kind: str,
                    send: Callable[[], Awaitable[ProviderResult]]) -> SendResult:
        """Reserve `cost`, call the provider, and settle: spent, or given back when refused."""
        local = self.clock().astimezone(self.tz)
        send_id = await to_thread.run_sync(self._reserve, month_of(local), cost, channel, user_id, kind)
        if send_id is None:
            wait = (next_month(local) - local).total_seconds()
            return SendResult(Outcome.DEFER, reason=BUDGET_USED, retry_after=wait)
        result = await send()
        await to_thread.run_sync(self._settle, send_id, result)
        return outcome(result)

    def _reserve(self, month: str, cost: int, channel: str, user_id: str, kind: str) -> int | None:
        with session_scope(self.engine) as session:
            return phone.reserve(session, month=month, cost=cost, budget=self.limit, channel=channel,
                                 user_id=user_id, kind=kind)

    def _settle(self, send_id: int, result: ProviderResult) -> None:
        with session_scope(self.engine) as session:
            phone.settle(session, send_id=send_id, ok=result.ok, biz_id=result.biz_id, code=result.code or None)


def outcome(result: ProviderResult) -> SendResult:
    """The provider's answer as the channels' send result."""
    if result.ok:
        return SendResult(Outcome.SENT)
    reason = f"{result.code} {result.message}".strip()
    if result.permanent:
        return SendResult(Outcome.PERMANENT, reason=reason, code=result.code)
    return SendResult(Outcome.RETRY, reason=reason, code=result.code, retry_after=result.retry_after)


class CallbackRefused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


async def read_callback(request: Request, settings: Settings, parse: Callable[[bytes], list[T]]) -> list[T] | Response:
    """The items of a provider callback, or the answer refusing it: 403 without our token, 413
    for a body over the cap, 400 for one that is not what the provider sends."""
    try:
        return parse(await callback_body(request, settings))
    except CallbackRefused as error:
        status, why = error.status, str(error)
    except BadCallback as error:
        status, why = 400, str(error)
    return JSONResponse({"code": status, "msg": why}, status_code=status)


async def callback_body(request: Request, settings: Settings) -> bytes:
    """The body of a provider callback that carries our token, at most MAX_CALLBACK_BODY bytes."""
    expected = settings.phone_callback_token or ""
    given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER) or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CallbackRefused(403, "forbidden")
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_CALLBACK_BODY):
        raise CallbackRefused(413, "too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CALLBACK_BODY:
            raise CallbackRefused(413, "too large")
    return bytes(body)


def accepted() -> Response:
    return JSONResponse(OK)


@dataclass(frozen=True)
class Receipt:
    """How one paid send fared, from the provider's receipt or call report."""

    biz_id: str
    delivered: bool
    code: str


class PhoneChannel(Channel, Generic[S]):
    """SMS and voice alike: a push sender while running when the provider is configured, and
    the provider's receipts recorded against the sends they name."""

    def __init__(self, settings: Settings, dispatcher: Dispatcher) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self._sender: S | None = None

    @property
    @abstractmethod
    def configured(self) -> bool: ...

    @abstractmethod
    def open_sender(self, budget: Budget) -> S: ...

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        if self.configured:
            self._sender = self.open_sender(Budget(self.dispatcher.engine, self.settings,
                                                   self.dispatcher.services.clock))
        try:
            yield
        finally:
            self._sender = None

    def sender(self) -> Sender | None:
        return self._sender

    async def record(self, request: Request, parse: Callable[[bytes], list[T]],
                     receipt: Callable[[T], Receipt]) -> Response:
        """A receipts callback: each item's receipt recorded against its send."""
        items = await read_callback(request, self.settings, parse)
        if isinstance(items, Response):
            return items
        await to_thread.run_sync(self._record, [receipt(item) for item in items])
        return accepted()

    def _record(self, receipts: list[Receipt]) -> None:
        with session_scope(self.dispatcher.engine) as session:
            for item in receipts:
                phone.receipt(session, channel=self.name, biz_id=item.biz_id, delivered=item.delivered,
                              code=item.code)


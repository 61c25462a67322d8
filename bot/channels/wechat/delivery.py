"""Sending a text to a person outside a passive reply: `WeChatMessenger.send_text`.

Inside the 48-hour window (and its 5-message quota) the text goes as a customer-service
message; when the window is closed or used up (our count, or WeChat's 45015/45047) it goes
as a template message with the text spread over the configured keyword fields, so it is
not lost. Both return the channels' `SendResult` (bot.channels.base); a window shut with no
template configured is `WAIT`: the push waits for the person's next message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from anyio import to_thread
from sqlalchemy import Engine

from bot.channels.base import Outcome, SendResult
from bot.channels.wechat.client import ApiError, ApiUnavailable, WeChatClient
from bot.channels.wechat.inbound import mask
from bot.channels.wechat.token import TokenUnavailable
from bot.channels.wechat.window import close_window, mark_unreachable, refund_send, reserve_send
from bot.settings import Settings
from storage.db import session_scope
from storage.models import utcnow

log = logging.getLogger(__name__)
Result = TypeVar("Result")

WINDOW_CLOSED = {45015, 45047}  # out of the 48-hour window, quota used
UNREACHABLE = {43004, 40003, 43019}  # unfollowed, invalid openid, blocked the account
# Value limits of template keyword types (characters); legacy "keywordN" fields allow long text.
FIELD_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "short_thing": 5,
                "keyword": 200, "first": 200, "remark": 200}
DEFAULT_FIELD_LIMIT = 20


def template_fields(spec: str) -> list[tuple[str, int]]:
    """`"thing1,thing2:15"` → [("thing1", 20), ("thing2", 15)]: field names and value limits."""
    fields = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, _, limit = item.partition(":")
        if limit.strip().isdigit():
            fields.append((name.strip(), int(limit)))
            continue
        kind = name.strip().rstrip("0123456789")
        fields.append((name.strip(), FIELD_LIMITS.get(kind, DEFAULT_FIELD_LIMIT)))
    return fields


def fill_template(text: str, fields: list[tuple[str, int]]) -> dict[str, str]:
    """Spread the text over the keyword fields in order; the last one ends in "…" when cut."""
    rest = " ".join(text.split())  # template fields show no line breaks
    data: dict[str, str] = {}
    for i, (name, limit) in enumerate(fields):
        last = i == len(fields) - 1
        if last and len(rest) > limit:
            data[name] = rest[: max(limit - 1, 0)] + "…"
        else:
            data[name] = rest[:limit]
        rest = rest[limit:]
        if not rest:
            break
    return data


class WeChatMessenger:
    """Customer-service message first, template message when the window does not allow it."""

    def __init__(self, client: WeChatClient, engine: Engine, settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow):
        self.client = client
        self.engine = engine
        self.template_id = settings.wechat_template_id
        self.fields = template_fields(settings.wechat_template_fields)
        self.clock = clock

    @property
    def has_template(self) -> bool:
        return bool(self.template_id)

    async def send_template_text(self, openid: str, text: str) -> SendResult:
        """Straight to a template message (the window's slots are kept for other messages)."""
        return await self._send_template(openid, text, why="planned past the window")

    async def send_text(self, openid: str, text: str) -> SendResult:
        if not await to_thread.run_sync(self._db, reserve_send, openid, True):
            return await self._send_template(openid, text, why="window closed or used (local count)")
        try:
            await self.client.send_custom_text(openid, text)
            return SendResult(Outcome.SENT)
        except ApiError as exc:
            if exc.errcode in WINDOW_CLOSED:
                await to_thread.run_sync(self._db, close_window, openid)
                return await self._send_template(openid, text, why=f"errcode {exc.errcode}")
            await to_thread.run_sync(self._db, refund_send, openid)
            return await self._failed(openid, "custom", exc)
        except (ApiUnavailable, TokenUnavailable) as exc:
            await to_thread.run_sync(self._db, refund_send, openid)
            log.warning("customer-service message to %s failed: %s", mask(openid), exc)
            return SendResult(Outcome.RETRY, reason=str(exc))

    async def _send_template(self, openid: str, text: str, *, why: str) -> SendResult:
        if not self.template_id:
            log.warning("message to %s not sent: %s and no template configured", mask(openid), why)
            return SendResult(Outcome.WAIT, reason=f"{why}; no template message configured")
        try:
            await self.client.send_template(openid, self.template_id, fill_template(text, self.fields))
            log.info("message to %s sent as a template message (%s)", mask(openid), why)
            return SendResult(Outcome.SENT, reason=why, template=True)
        except ApiError as exc:
            return await self._failed(openid, "template", exc)
        except (ApiUnavailable, TokenUnavailable) as exc:
            log.warning("template message to %s failed: %s", mask(openid), exc)
            return SendResult(Outcome.RETRY, reason=str(exc))

    async def _failed(self, openid: str, how: str, exc: ApiError) -> SendResult:
        permanent = exc.errcode in UNREACHABLE
        if permanent:
            await to_thread.run_sync(self._db, mark_unreachable, openid)
        log.warning("%s message to %s refused: errcode %s %s", how, mask(openid), exc.errcode, exc.errmsg)
        return SendResult(Outcome.PERMANENT if permanent else Outcome.RETRY,
                          reason=f"errcode {exc.errcode}: {exc.errmsg}", code=str(exc.errcode))

    def _db(self, operation: Callable[..., Result], openid: str, with_now: bool = False) -> Result:
        with session_scope(self.engine) as session:
            if with_now:
                return operation(session, user_id=openid, now=self.clock())
            return operation(session, user_id=openid)

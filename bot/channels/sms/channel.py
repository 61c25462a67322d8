"""The SMS channel on the common interface: its push sender when an access key and signature
are set, and the provider's two callbacks.

/sms/report takes delivery receipts. /sms/up takes people's replies: "T", "TD" or "退订" (any
case, full-width too) goes to the dispatcher as 退订 on channel "sms", so the core stops that
person's pushes at once; any other text is kept for staff and not answered (an SMS costs money).
"""

from __future__ import annotations

import logging
import unicodedata

from anyio import to_thread
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.aliyun import mask
from bot.channels.phone import Budget, PhoneChannel, Receipt, accepted, read_callback
from bot.channels.sms.provider import SmsProvider, SmsUp, parse_reports, parse_uplink
from bot.channels.sms.sender import CHANNEL, SmsPushes
from bot.messages import Update
from storage import phone
from storage.db import session_scope
from storage.models import ChatAccount

log = logging.getLogger(__name__)

STOP_WORDS = {"T", "TD", "退订"}


def is_stop(content: str) -> bool:
    """'T', 'td', 'ｔ', ' 退订。' …: a reply that asks to stop."""
    text = unicodedata.normalize("NFKC", content).strip().strip(".。!！,，").upper()
    return text in STOP_WORDS


class SmsChannel(PhoneChannel[SmsPushes]):
    name = CHANNEL

    @property
    def configured(self) -> bool:
        return bool(self.settings.sms_access_key_id and self.settings.sms_access_key_secret
                    and self.settings.sms_sign_name)

    def open_sender(self, budget: Budget) -> SmsPushes:
        return SmsPushes(SmsProvider.from_settings(self.settings), budget, price=self.settings.sms_price)

    def routes(self) -> list[BaseRoute]:
        return [Route("/sms/report", self.report, methods=["POST"]), Route("/sms/up", self.uplink, methods=["POST"])]

    async def report(self, request: Request) -> Response:
        return await self.record(request, parse_reports, lambda r: Receipt(r.biz_id, r.delivered, r.err_code))

    async def uplink(self, request: Request) -> Response:
        replies = await read_callback(request, self.settings, parse_uplink)
        if isinstance(replies, Response):
            return replies
        for reply in replies:
            await to_thread.run_sync(self._reply, reply)
        return accepted()

    def _reply(self, reply: SmsUp) -> None:
        dedup = f"up:{reply.sequence_id}" if reply.sequence_id else None
        with session_scope(self.dispatcher.engine) as session:
            account = session.exec(select(ChatAccount).where(col(ChatAccount.channel) == CHANNEL,
                                                             col(ChatAccount.user_id) == reply.phone)).first()
            worker_id = account.worker_id if account is not None else None
            if not is_stop(reply.content) or account is None:
                phone.keep_uplink(session, user_id=reply.phone, worker_id=worker_id, content=reply.content,
                                  sequence_id=reply.sequence_id, now=self.dispatcher.services.clock())
                return
        log.info("SMS reply from %s asks to stop pushes", mask(reply.phone))
        self.dispatcher.dispatch(Update(channel=CHANNEL, user_id=reply.phone, text="退订", dedup_key=dedup))

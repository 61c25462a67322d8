"""The /wechat webhook: GET answers WeChat's echostr check, POST takes messages.

A message is verified, parsed, turned into an `Update` and dispatched in a dispatch process
(`bot.dispatch_process`; a thread when there is none), together with the other messages that
queued up meanwhile (`bot.batches`: one transaction for the lot). When the handler finishes
within the reply budget (bot.reply_budget: WeChat's 5-second rule, less a margin) the reply
is passive (in the HTTP answer); otherwise we answer "success" at once and send the reply
through the customer-service API when it is ready. Retries are the dispatcher's business
(the inbound log); the late marks keep a retry from repeating a reply that goes out late.
Hostile input gets 403/400/413, each logged once without secrets, never a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qsl

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from wechatpy.messages import BaseMessage
from wechatpy.utils import to_text

from bot.batches import Batcher
from bot.channels.base import Channel, Outcome, Sender, SendResult
from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.delivery import WeChatMessenger
from bot.channels.wechat.envelope import Envelope, Forbidden
from bot.channels.wechat.inbound import CHANNEL, BadMessage, mask, parse, translate
from bot.channels.wechat.pushes import WeChatPushes
from bot.channels.wechat.recognizer import RecognitionField, Recognizer
from bot.channels.wechat.replay import SignedOnce
from bot.dispatch import Dispatcher
from bot.dispatch_process import DispatchProcess, ProcessDied
from bot.messages import Update
from bot.reply_budget import Dispatched, ReplyBudget
from bot.settings import Settings
from storage.db import session_scope
from storage.late_replies import is_late
from storage.models import utcnow

log = logging.getLogger(__name__)

SUCCESS = "success"
# WeChat retries 5 s after CreateTime at the earliest; 2 s leaves room for clock skew.
RETRY_AGE = 2


class TooLarge(Exception):
    """The body is over the configured limit (answered with 413)."""


class ClientGone(Exception):
    """The client hung up before the body was in (nothing to answer)."""


class Answer(NamedTuple):
    """An HTTP answer: status, body and Content-Type."""

    status: int
    body: str
    media_type: bytes


PLAIN, XML = b"text/plain; charset=utf-8", b"application/xml"
ACK = Answer(200, SUCCESS, PLAIN)


class WeChatChannel(Channel):
    """The webhook route plus the outbound client; `running()` is its part of the app lifespan."""

    name = CHANNEL

    def __init__(self, settings: Settings, dispatcher: Dispatcher, *, path: str = "/wechat",
                 recognizer: Recognizer | None = None, clock: Callable[[], datetime] = utcnow):
        self.settings = settings
        self.dispatcher = dispatcher
        self.path = path
        self.envelope = Envelope(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid,
                                 window=settings.wechat_timestamp_window,
                                 compatible=settings.wechat_encrypt_mode == "compatible")
        self.signed_once = SignedOnce(settings.wechat_timestamp_window)
        self.recognizer = recognizer or RecognitionField()
        self.clock = clock
        self.replies = ReplyBudget(channel=CHANNEL, seconds=settings.wechat_reply_budget, engine=dispatcher.engine,
                                   send=self.send_text, mask=mask)
        self.max_body = settings.wechat_max_body
        self.client: WeChatClient | None = None
        self.messenger: WeChatMessenger | None = None
        self._batches: Batcher[tuple[Update, bool], Dispatched] = Batcher(self._run_batch,
                                                                          lanes=dispatch_lanes(settings))
        self._processes: list[DispatchProcess] = []  # lane → child process (with dispatch_processes)
        self._threads: ThreadPoolExecutor | None = None  # lane threads (without)

    def routes(self) -> list[BaseRoute]:
        # The channel is the route's ASGI app; POST and GET mostly come by `direct` instead.
        return [Route(self.path, self, methods=["GET", "POST"])]

    def sender(self) -> Sender | None:
        return WeChatPushes(self.messenger) if self.messenger is not None else None

    @contextlib.asynccontextmanager
    async def pushing(self) -> AsyncIterator[Sender | None]:
        """Only the API client: a push-only process answers no messages."""
        self._open_client()
        try:
            yield self.sender()
        finally:
            await self._close_client()

    def _open_client(self) -> None:
        if self.settings.wechat_appid and self.settings.wechat_secret:
            self.client = WeChatClient(self.settings, self.dispatcher.engine, clock=self.clock)
            self.messenger = WeChatMessenger(self.client, self.dispatcher.engine, self.settings, clock=self.clock)

    async def _close_client(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        self.client = self.messenger = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start the dispatch processes (or threads) and open the API client (when configured)
        for the server's life; drain late replies at the end. Without a token no message gets
        as far as a dispatch, so no process is started (each loads the knowledge base)."""
        if not self.settings.wechat_token:
            log.warning("JOBBOT_WECHAT_TOKEN is not set: /wechat refuses every request")
        self._open_client()
        if self.settings.dispatch_children and self.settings.wechat_token:
            self._processes = [DispatchProcess(self.settings) for _ in range(self.settings.dispatch_children)]
            await asyncio.gather(*(child.start() for child in self._processes))
        else:
            self._threads = ThreadPoolExecutor(dispatch_lanes(self.settings), thread_name_prefix="wechat-dispatch")
        # What start-up loaded (models, knowledge tables: ~360,000 objects) lives as long as the
        # process; out of the collector's sight, a full collection takes ~10 ms instead of the
        # ~130 ms that every request in flight would otherwise wait.
        gc.freeze()
        try:
            yield
        finally:
            await self.replies.drain()
            await asyncio.gather(*(child.stop() for child in self._processes))
            self._processes = []
            if self._threads is not None:
                self._threads.shutdown(wait=False)
            await self._close_client()

    async def send_text(self, openid: str, text: str) -> SendResult:
        """Send a text outside a passive reply (customer-service message, else template)."""
        if self.messenger is None:
            return SendResult(Outcome.RETRY, reason="WeChat API not configured (JOBBOT_WECHAT_APPID/SECRET)")
        return await self.messenger.send_text(openid, text)

    # --- HTTP -------------------------------------------------------------------------------
    def direct(self) -> dict[str, ASGIApp]:
        return {self.path: self}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The webhook as a raw ASGI app: the query string parsed once, the body read straight
        from `receive`, the answer sent in two messages (no Request or Response objects)."""
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        try:
            if scope["method"] == "GET":
                answer = self._echo(query)
            else:
                answer = await self._message(query, scope["headers"], receive)
        except ClientGone:
            return
        except Forbidden as exc:
            answer = _refuse(scope, 403, str(exc))
        except TooLarge as exc:
            answer = _refuse(scope, 413, str(exc))
        except BadMessage as exc:
            answer = _refuse(scope, 400, str(exc))
        status, body, media_type = answer
        content = body.encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(content)).encode()), (b"content-type", media_type)]})
        await send({"type": "http.response.body", "body": content})

    def _echo(self, query: dict[str, str]) -> Answer:
        self.envelope.verify(query)
        echostr = query.get("echostr")
        if echostr is None:
            raise BadMessage("no echostr")
        return Answer(200, echostr, PLAIN)

    async def _message(self, query: dict[str, str], headers: Iterable[tuple[bytes, bytes]],
                       receive: Receive) -> Answer:
        self.envelope.verify(query)  # before reading or parsing anything
        body = await read_limited(headers, receive, self.max_body)
        xml, encrypted = self.envelope.open(body, query)
        message = parse(xml)
        identity = f"{message.source}:{message.time}:{message.id}:{message._data.get('MsgType')}"
        if not self.signed_once.first_use(query["timestamp"], query["nonce"], identity):
            raise Forbidden("a signed query seen before with another message")
        inbound = await translate(message, self.recognizer)
        if inbound.update is None:
            return ACK
        update = inbound.update
        # Only a message old enough to be WeChat's retry can have been answered late elsewhere.
        maybe_retry = time.time() - message.time >= RETRY_AGE
        reply = await self.replies.answer(update, self._batches.submit((update, maybe_retry)))
        if inbound.silent or reply is None or reply.empty:
            return ACK
        xml_reply = passive_text(message, reply.as_text())
        return Answer(200, self.envelope.seal(xml_reply, query, encrypted), XML)

    # --- dispatch ------------------------------------------------------------------------------
    async def _run_batch(self, lane: int, batch: list[tuple[Update, bool]]) -> list[Dispatched]:
        """Dispatch a batch of (update, maybe a retry) on this lane's process or thread."""
        updates, maybe_retry = [update for update, _ in batch], [retry for _, retry in batch]
        if not self._processes:
            return await asyncio.get_running_loop().run_in_executor(
                self._threads, dispatch_batch, self.dispatcher, updates, maybe_retry, False)
        child = self._processes[lane]
        try:
            return await child.call(dispatch_batch, updates, maybe_retry, False)
        except ProcessDied:  # a new child has taken its place; it may take over the batch's claims
            return await child.call(dispatch_batch, updates, maybe_retry, True)


def dispatch_batch(dispatcher: Dispatcher, updates: list[Update], maybe_retry: list[bool],
                   retake: bool) -> list[Dispatched]:
    """Dispatch WeChat updates as one batch (in a dispatch process or thread); with each reply,
    whether the message is a retry whose reply another server process sends late."""
    replies = dispatcher.dispatch_many(updates, retake=retake)
    check = [n for n, (update, reply) in enumerate(zip(updates, replies, strict=False))
             if maybe_retry[n] and update.dedup_key and reply is not None and not reply.empty]
    late: set[int] = set()
    if check:
        with session_scope(dispatcher.engine) as session:
            late = {n for n in check if is_late(session, channel=CHANNEL, dedup_key=updates[n].dedup_key or "")}
    return [(reply, n in late) for n, reply in enumerate(replies)]


def dispatch_lanes(settings: Settings) -> int:
    """How many batches of messages one server process has in hand at once.

    With dispatch processes, one per process. Without, on SQLite one: it has one writer,
    and a dispatch writes from its first statement, so a second thread only waits in
    SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms between tries. On PostgreSQL a few
    threads overlap the round trips; more only fight over the GIL.
    """
    if settings.dispatch_children:
        return settings.dispatch_children
    return 1 if settings.is_sqlite else 4


async def read_limited(headers: Iterable[tuple[bytes, bytes]], receive: Receive, limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over `limit` bytes."""
    declared = next((value for name, value in headers if name == b"content-length"), None)
    if declared is not None:
        if not declared.isdigit():
            raise BadMessage("bad Content-Length")
        if int(declared) > limit:
            raise TooLarge(f"Content-Length {declared.decode()} over {limit}")
    size, chunks, more = 0, [], True
    while more:
        event = await receive()
        if event["type"] == "http.disconnect":
            raise ClientGone
        chunk = event.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
        more = event.get("more_body", False)
    return b"".join(chunks)


def passive_text(message: BaseMessage, text: str) -> str:
    """A passive text reply to `message`, safe for any text (a "]]>" would end the CDATA): the
    XML wechatpy's TextReply renders, written out directly at a fraction of its cost."""
    content = text.replace("]]>", "]]]]><![CDATA[>")
    return (f"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{content}]]></Content>\n"
            f"<FromUserName><![CDATA[{to_text(message.target)}]]></FromUserName>\n"
            f"<ToUserName><![CDATA[{to_text(message.source)}]]></ToUserName>\n"
            f"<CreateTime>{int(time.time())}</CreateTime>\n</xml>")


def _refuse(scope: Scope, status: int, reason: str) -> Answer:
    client = scope["client"][0] if scope.get("client") else "-"
    log.warning("refused WeChat %s from %s: %d %s", scope["method"], client, status, reason)
    return Answer(status, {400: "bad request", 403: "forbidden", 413: "too large"}[status], PLAIN)

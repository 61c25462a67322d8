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
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
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
        return [Route(self.path, self.handle, methods=["GET", "POST"])]

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
    async def handle(self, request: Request) -> Response:
        try:
            if request.method == "GET":
                return self._echo(request)
            return await self._message(request)
        except Forbidden as exc:
            return _refuse(request, 403, str(exc))
        except TooLarge as exc:
            return _refuse(request, 413, str(exc))
        except BadMessage as exc:
            return _refuse(request, 400, str(exc))

    def _echo(self, request: Request) -> Response:
        self.envelope.verify(request.query_params)
        echostr = request.query_params.get("echostr")
        if echostr is None:
            raise BadMessage("no echostr")
        return PlainTextResponse(echostr)

    async def _message(self, request: Request) -> Response:
        query = request.query_params
        self.envelope.verify(query)  # before reading or parsing anything
        body = await read_limited(request, self.max_body)
        xml, encrypted = self.envelope.open(body, query)
        message = parse(xml)
        identity = f"{message.source}:{message.time}:{message.id}:{message._data.get('MsgType')}"
        if not self.signed_once.first_use(query["timestamp"], query["nonce"], identity):
            raise Forbidden("a signed query seen before with another message")
        inbound = await translate(message, self.recognizer)
        if inbound.update is None:
            return PlainTextResponse(SUCCESS)
        update = inbound.update
        # Only a message old enough to be WeChat's retry can have been answered late elsewhere.
        maybe_retry = time.time() - message.time >= RETRY_AGE
        reply = await self.replies.answer(update, self._batches.submit((update, maybe_retry)))
        if inbound.silent or reply is None or reply.empty:
            return PlainTextResponse(SUCCESS)
        xml_reply = passive_text(message, reply.as_text())
        return Response(self.envelope.seal(xml_reply, query, encrypted), media_type="application/xml")

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


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadMessage("bad Content-Length")
        if int(declared) > limit:
            raise TooLarge(f"Content-Length {declared} over {limit}")
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def passive_text(message: BaseMessage, text: str) -> str:
    """A passive text reply to `message`, safe for any text (a "]]>" would end the CDATA): the
    XML wechatpy's TextReply renders, written out directly at a fraction of its cost."""
    content = text.replace("]]>", "]]]]><![CDATA[>")
    return (f"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{content}]]></Content>\n"
            f"<FromUserName><![CDATA[{to_text(message.target)}]]></FromUserName>\n"
            f"<ToUserName><![CDATA[{to_text(message.source)}]]></ToUserName>\n"
            f"<CreateTime>{int(time.time())}</CreateTime>\n</xml>")


def _refuse(request: Request, status: int, reason: str) -> Response:
    client = request.client.host if request.client else "-"
    log.warning("refused WeChat %s from %s: %d %s", request.method, client, status, reason)
    return PlainTextResponse({400: "bad request", 403: "forbidden", 413: "too large"}[status], status_code=status)

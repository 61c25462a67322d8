"""The one interface every channel implements (its routes, its start and stop, its background
tasks, its push sender) and the one send result all of them return.

A channel turns its platform's input into our `Update` for the dispatcher and sends pushes
for the delivery worker; the server (bot.web), the background runner (bot.background) and the
push-only process (bot.senders) loop over the configured channels (bot.channels.registry)
without naming any of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from sqlmodel import Session
from starlette.routing import BaseRoute
from starlette.types import ASGIApp


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # a passing fault: try again later
    PERMANENT = "permanent"  # blocked, unfollowed, invalid id: never again
    WAIT = "wait"  # the channel's window is shut: wait for the person's next message
    DEFER = "defer"  # the channel takes it only after `retry_after` (the phone budget is used up)


@dataclass(frozen=True)
class SendResult:
    """What became of one message on any channel."""

    outcome: Outcome
    reason: str | None = None  # why it failed, or why it went another way than asked
    retry_after: float | None = None  # seconds the platform asked us to wait
    code: str | None = None  # the platform's own error code, when it gave one
    sent: int = 0  # parts of a several-part message that arrived before a failure
    template: bool = False  # went as a template message (WeChat, past the window)

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.SENT

    @property
    def permanent(self) -> bool:
        """Trying again can never help."""
        return self.outcome is Outcome.PERMANENT


@dataclass(frozen=True)
class PushMessage:
    """One push message for one account: its texts, and the kind and template variables of
    the outbox rows it carries, so a channel with fixed templates (SMS, voice) can pick one."""

    user_id: str
    texts: tuple[str, ...]
    kind: str
    params: Mapping[str, str] = field(default_factory=dict)
    template: bool = False  # planned past a quota window (bot.quota): as a template message
    worker_id: int | None = None


@dataclass(frozen=True)
class Hold:
    """Why a channel does not take a push now: until when, or (`until` None) never."""

    reason: str
    until: datetime | None = None


class Sender(Protocol):
    """One channel's way of sending a push to one of its users."""

    async def send(self, message: PushMessage) -> SendResult: ...


@runtime_checkable
class QuotaSender(Protocol):
    """A sender that takes only a few messages per person (WeChat's window): the plan asks how
    many fit now, and what does not fit goes as a template message when it can."""

    template: bool

    def room(self, session: Session, user_id: str, now: datetime) -> int: ...


@runtime_checkable
class GatedSender(Protocol):
    """A sender with rules of its own (the hours it calls, its budget, what it sends once):
    asked about each push before it is marked as sending."""

    def gate(self, session: Session, *, worker_id: int, kind: str, ref_id: int | None, now: datetime) -> Hold | None:
        ...


@runtime_checkable
class KindFilter(Protocol):
    """A sender that carries only some kinds (voice: fair reminders); the others go by the
    person's account on `fallback`, or are skipped when there is none."""

    fallback: str | None

    def takes(self, kind: str) -> bool: ...


BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]  # runs until the event is set


class Channel(ABC):
    """One platform the bot talks on. Only `name` is required; the rest defaults to nothing."""

    name: str

    def routes(self) -> list[BaseRoute]:
        """Webhooks and callbacks this channel serves on the server."""
        return []

    def direct(self) -> dict[str, ASGIApp]:
        """Paths among `routes` whose GET and POST skip Starlette's middleware and routing (a busy
        webhook): path → the raw ASGI app that answers them."""
        return {}

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start for the server's life (connect clients, start workers); stop on exit."""
        yield

    def tasks(self) -> list[BackgroundTask]:
        """Loops that run beside the push worker while background work is on."""
        return []

    def sender(self) -> Sender | None:
        """The push sender while running; None when the channel cannot push (no credentials)."""
        return None

    @contextlib.asynccontextmanager
    async def pushing(self) -> AsyncIterator[Sender | None]:
        """The sender for a process that only pushes (`jobbot deliver`): what `running` starts
        for the webhook side is not needed there, so a channel may open less."""
        async with self.running():
            yield self.sender()


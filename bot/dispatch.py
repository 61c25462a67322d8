"""The one entry point every channel calls: an `Update` in, a `Reply` out.

`Dispatcher.dispatch` recognises platform retries (the inbound log), takes the person's
state row under a lock, picks the handler (command, flow step, update kind, fallback),
saves the state and the reply in the same transaction, and turns any handler error into
a polite reply without losing the person's place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
import re
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from bot.messages import Kind, Reply, Update
from bot.router import Command, Ctx, Flow, Handler, MenuItem, Router, matches_choice
from bot.services import Services
from knowledge.text import compact, pinyin_key
from storage.conversations import lock_conversation, save_conversation
from storage.db import session_scope
from storage.inbound import Claim, claim_message, finish_message, release_message
from storage.workers import touch_account

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才出了点问题，请稍后再发一次。"
CONTINUE_HINT = "您的{title}还没填完，回复“继续”接着填。"
COMMAND_PINYIN_MAX = 6  # longer texts are sentences, not mistyped commands
_BUTTON = re.compile(r"^\s*(\d{1,2})\s+(.+?)\s*$")


def _button_number(text: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """"1 确认" — a button labelled with its number and choice — is the number alone."""
    pressed = _BUTTON.match(text)
    if not pressed:
        return None
    number = int(pressed.group(1))
    if 1 <= number <= len(choices) and compact(pressed.group(2)) == compact(choices[number - 1]):
        return str(number)
    return None


def _claim(session, update: Update) -> Claim:  # type: ignore[no-untyped-def]
    return claim_message(session, channel=update.channel, dedup_key=update.dedup_key or "", user_id=update.user_id)


def _replay(update: Update, claim: Claim) -> Reply | None:
    """The answer to a retry: the stored reply, or None while the first is still handled."""
    log.info("duplicate %s message on %s", update.kind, update.channel)
    return Reply.from_dict(claim.reply) if claim.reply is not None else None


@dataclass(frozen=True)
class _Hit:
    command: Command
    args: str


class CommandTable:
    """Command words to handlers; also finds a command typed as a homophone (灯记 → 登记)."""

    def __init__(self, commands: Iterable[Command]):
        self._exact: dict[str, Command] = {}
        self._pinyin: dict[str, Command] = {}
        self._prefixed: list[tuple[str, Command]] = []
        for command in commands:
            for alias in command.aliases:
                key = compact(alias)
                self._exact.setdefault(key, command)
                if len(key) >= 2:
                    self._pinyin.setdefault(pinyin_key(key), command)
                if command.prefix:
                    self._prefixed.append((key, command))
        self._prefixed.sort(key=lambda p: -len(p[0]))

    def find(self, text: str) -> _Hit | None:
        key = compact(text)
        if not key:
            return None
        if key in self._exact:
            return _Hit(self._exact[key], "")
        for alias, command in self._prefixed:
            if key.startswith(alias):
                return _Hit(command, key[len(alias):])
        if len(key) <= COMMAND_PINYIN_MAX and pinyin_key(key) in self._pinyin:
            return _Hit(self._pinyin[pinyin_key(key)], "")
        return None


class Dispatcher:
    def __init__(self, engine: Engine, services: Services, routers: Iterable[Router]):
        self.engine = engine
        self.services = services
        routers = list(routers)
        self.flows: dict[str, Flow] = {name: f for r in routers for name, f in r.flows.items()}
        self.commands = CommandTable(c for r in routers for c in r.commands)
        self.menu: list[MenuItem] = sorted((m for r in routers for m in r.menu), key=lambda m: m.order)
        self.kinds: dict[Kind, Handler] = {}
        for router in routers:
            self.kinds.update(router.kinds)
        fallbacks = [r.fallback_handler for r in routers if r.fallback_handler]
        if len(fallbacks) != 1:
            raise ValueError("exactly one router must declare the fallback handler")
        self.fallback = fallbacks[0]

    def dispatch(self, update: Update) -> Reply | None:
        """Handle one update; None means "a retry of a message still being handled".

        On PostgreSQL the claim is committed before the handling starts, so that a retry
        arriving meanwhile is told at once that the message is in hand. On SQLite such a
        retry waits for the write lock anyway, so the claim shares the handling transaction:
        one commit fewer, and a failed handler's claim rolls back with its state.
        """
        claim_apart = bool(update.dedup_key) and self.engine.dialect.name != "sqlite"
        if claim_apart:
            with session_scope(self.engine) as session:
                claim = _claim(session, update)
            if not claim.fresh:
                return _replay(update, claim)
        try:
            with session_scope(self.engine) as session:
                return self._answer(session, update, claimed=claim_apart)
        except Exception:
            log.exception("handler failed for a %s update on %s", update.kind, update.channel)
            if claim_apart:
                with session_scope(self.engine) as session:
                    release_message(session, channel=update.channel, dedup_key=update.dedup_key or "")
            return Reply.of(SORRY)

    def _answer(self, session, update: Update, *, claimed: bool) -> Reply | None:  # type: ignore[no-untyped-def]
        """Claim the message unless `claimed` already, handle it and keep the reply for retries."""
        key = update.dedup_key
        if key and not claimed:
            claim = _claim(session, update)
            if not claim.fresh:
                return _replay(update, claim)
        reply = self._handle(session, update)
        if key:
            finish_message(session, channel=update.channel, dedup_key=key, reply=reply.to_dict())
        return reply

    def _handle(self, session, update: Update) -> Reply:  # type: ignore[no-untyped-def]
        conversation = lock_conversation(session, channel=update.channel, user_id=update.user_id)
        account = touch_account(session, channel=update.channel, user_id=update.user_id,
                                now=self.services.clock())
        ctx = Ctx(update, session, account, conversation, self.services, self.flows, self.menu)
        reply = self._route(ctx)
        if ctx.in_flow:
            conversation.data["_choices"] = list(reply.choices)
        save_conversation(session, conversation)
        return reply

    def _route(self, ctx: Ctx) -> Reply:
        reply = self._pick(ctx)
        title = ctx.paused_title() or (ctx.flow_title() if ctx.ran_command and not ctx.moved else None)
        if title and ctx.in_flow or ctx.paused_title():
            reply = reply + Reply.of(CONTINUE_HINT.format(title=title))
        return reply

    def _pick(self, ctx: Ctx) -> Reply:
        update = ctx.update
        if update.kind == Kind.VOICE and update.text.strip():
            update = ctx.update = replace(update, kind=Kind.TEXT)
        pressed = _button_number(update.text, ctx.data.get("_choices", ())) if update.kind == Kind.TEXT else None
        if pressed:
            update = ctx.update = replace(update, text=pressed)
        if update.kind == Kind.LOCATION:
            step = ctx.current_step()
            if step and step.accepts_location:
                return step.answer(ctx)
        if update.kind not in (Kind.TEXT, Kind.MENU):
            handler = self.kinds.get(update.kind)
            return handler(ctx) if handler else self.fallback(ctx)
        hit = self.commands.find(update.text)
        step = ctx.current_step()
        if step and not (hit and hit.command.anytime) and (
            hit is None or matches_choice(update.text, ctx.data.get("_choices", ()))
            or hit.command.yields_to == ctx.conversation.flow
        ):
            return step.answer(ctx)
        if hit:
            ctx.args = hit.args
            ctx.ran_command = not hit.command.anytime
            return hit.command.handler(ctx)
        return self.fallback(ctx)

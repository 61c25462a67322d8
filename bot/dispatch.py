"""The one entry point every channel calls: an `Update` in, a `Reply` out.

`Dispatcher.dispatch` (or `dispatch_many`, for a batch that arrived together) recognises
platform retries (the inbound log), takes each person's state row under a lock, picks the
handler (command, flow step, update kind, fallback), saves the state and the reply in the
same transaction, and turns any handler error into a polite reply without losing the
person's place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from bot.messages import Kind, Reply, Update
from bot.reply_length import fit_reply
from bot.router import MORE, Command, Ctx, Flow, Handler, MenuItem, Router, matches_choice
from bot.services import Services
from knowledge.text import compact, pinyin_key
from storage.conversations import ConversationState, saved_conversations
from storage.db import session_scope
from storage.inbound import Claim, claim_messages, finished_messages, release_claims, release_message
from storage.sql import update_all
from storage.workers import AccountRef, arrive, expect_workers
from storage.write_turns import write_turn

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才出了点问题，请稍后再发一次。"
CONTINUE_HINT = "您的{title}还没填完，回复“继续”接着填。"
COMMAND_PINYIN_MAX = 6  # longer texts are sentences, not mistyped commands
_BUTTON = re.compile(r"^\s*(\d{1,2})\s+(.+?)\s*$")
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
# "俺来登记", "我想看看招聘会", "帮我退订一下": the asker, the wish and "look at" around a command word.
_FRAMED = re.compile(r"^(?:[帮给替]?(?:我们|俺们|咱们|我|俺|咱|阿拉)[也就还]?)?(?:想要|准备|打算|想|要|来|去)*"
                     r"(?P<core>[\u4e00-\u9fff]{2,}?)(?:一下子?|吧|啊|呀|哈|嘛|呢|哦|喔)*$")
_LOOK = re.compile(r"^(?:看看|看一看|瞧瞧|查查|看|查)")


def _button_number(text: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """"1 确认" — a button labelled with its number and choice — is the number alone."""
    pressed = _BUTTON.match(text)
    if not pressed:
        return None
    number = int(pressed.group(1))
    if 1 <= number <= len(choices) and compact(pressed.group(2)) == compact(choices[number - 1]):
        return str(number)
    return None


def _first_of_each(updates: list[Update]) -> tuple[list[int], dict[int, int]]:
    """The updates to handle, and the repeats of a message earlier in the same batch (a
    platform's retry that came quickly) with the index of that earlier one."""
    first: dict[tuple[str, str], int] = {}
    todo, copies = [], {}
    for i, update in enumerate(updates):
        key = (update.channel, update.dedup_key or "")
        if update.dedup_key and key in first:
            copies[i] = first[key]
        else:
            first[key] = i
            todo.append(i)
    return todo, copies


@contextmanager
def _autocommit(bind: Engine | Connection) -> Iterator[None]:
    """The connection commits each statement as it runs, for the claims: one INSERT needs no
    transaction around it, and BEGIN and COMMIT would be two more round trips a batch."""
    assert isinstance(bind, Connection)
    bind.execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield
    finally:
        bind.execution_options(isolation_level=bind.default_isolation_level)


def _replay(update: Update, claim: Claim) -> Reply | None:
    """The answer to a retry: the stored reply, or None while the first is still handled."""
    log.info("duplicate %s message on %s", update.kind, update.channel)
    return Reply.from_dict(claim.reply) if claim.reply is not None else None


@dataclass(frozen=True)
class _Hit:
    command: Command
    args: str


class CommandTable:
    """Command words to handlers; also finds a command typed as a homophone (灯记 → 登记).

    Built once at start-up, and refuses to start on an alias that is empty or that two
    commands share. Only aliases written in Chinese characters get a pinyin key, and a key
    two commands share is left out, so "ok" or "KFC" never sound like a command.
    """

    def __init__(self, commands: Iterable[Command]):
        self._exact: dict[str, Command] = {}
        self._pinyin: dict[str, Command | None] = {}
        self._prefixed: list[tuple[str, Command]] = []
        commands = list(commands)
        self._within = [c for c in commands if c.within]
        for command in commands:
            for alias in command.aliases:
                key = compact(alias)
                if not key:
                    raise ValueError(f"command alias {alias!r} of {command.handler.__name__} is empty")
                other = self._exact.setdefault(key, command)
                if other is not command:
                    raise ValueError(f"command word {key!r} belongs to both {other.handler.__name__} "
                                     f"and {command.handler.__name__}")
                if len(key) >= 2 and _HAN_ONLY.match(key):
                    sound = pinyin_key(key)
                    self._pinyin[sound] = command if self._pinyin.get(sound, command) is command else None
                if command.prefix:
                    self._prefixed.append((key, command))
        self._prefixed.sort(key=lambda p: -len(p[0]))

    def find(self, text: str, *, exact: bool = False) -> _Hit | None:
        """The command the text names. `exact` (inside a flow's question): only the command
        word itself, or a word that takes a number followed by one ("报名 3")."""
        key = compact(text)
        if not key:
            return None
        if key in self._exact:
            return _Hit(self._exact[key], "")
        for command in self._within:
            # "返回 远一点也行": the command's own word first, then what it leads to (an answer)
            if command.within and (named := command.within.search(key)):
                return _Hit(command, key[named.end():] if named.start() == 0 and named.group(0) in self._exact else "")
        framed = None if exact else _FRAMED.match(key)
        if framed:
            core = framed["core"]
            for word in (core, _LOOK.sub("", core)):
                if word in self._exact:
                    return _Hit(self._exact[word], "")
        for alias, command in self._prefixed:
            if key.startswith(alias) and (not exact or key[len(alias):].isdigit()):
                return _Hit(command, key[len(alias):])
        if exact or len(key) > COMMAND_PINYIN_MAX or not _HAN_ONLY.match(key):
            return None
        by_sound = self._pinyin.get(pinyin_key(key))
        return _Hit(by_sound, "") if by_sound else None


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
        self._warmers = [w for r in routers for w in r.warmers]
        self._table_warmers = [w for r in routers for w in r.table_warmers]

    def warm(self) -> None:
        """Load now what the handlers would otherwise load on first use (the knowledge base
        and its index, jieba, data tables, the rows kept in memory), so that the first message
        is as quick as any."""
        for warm_up in self._warmers:
            warm_up(self.services)
        with Session(self.engine) as session:
            for load in self._table_warmers:
                load(session)

    def dispatch(self, update: Update) -> Reply | None:
        """Handle one update; None means "a retry of a message still being handled"."""
        return self.dispatch_many([update])[0]

    def dispatch_many(self, updates: Sequence[Update], *, retake: bool = False) -> list[Reply | None]:
        """Handle updates in their order, all in one transaction: a few statements and one
        commit for the lot, however many there are. If anything in it fails, each update is
        handled again in a transaction of its own, so a failing handler costs only its message.

        On PostgreSQL the claims are committed before the handling starts, so that a retry
        arriving meanwhile is told at once that the message is in hand. All of it runs on one
        connection, held until the end: a claim names its connection's server process, so
        it outlives that connection only when this process died, and then the next retry
        takes it over at once. On SQLite such a retry waits for the write lock anyway, so the
        claims share the handling transaction: one commit fewer, and a failed handler's claim
        rolls back with its state.

        `retake` is for a batch whose first dispatching process died: its claims are taken
        over without asking whether their connection is gone yet.
        """
        updates = list(updates)
        todo, copies = _first_of_each(updates)
        results: dict[int, Reply | None] = {}
        with self._connection() as bind:
            if self._claim_apart and todo:
                todo = self._claim_committed(bind, updates, todo, results, retake=retake)
            results.update(self._handle(bind, updates, todo))
        return [results.get(copies.get(i, i)) for i in range(len(updates))]

    @property
    def _claim_apart(self) -> bool:
        return self.engine.dialect.name != "sqlite"

    @contextmanager
    def _connection(self) -> Iterator[Engine | Connection]:
        """What a batch's sessions are bound to: one connection where claims are apart; on
        SQLite the engine, during a turn at writing."""
        if not self._claim_apart:
            with write_turn(self.engine):  # before push delivery's next write (storage.write_turns)
                yield self.engine
            return
        with self.engine.connect() as connection:
            yield connection

    def _claim_committed(self, bind: Engine | Connection, updates: list[Update], todo: list[int],
                         results: dict[int, Reply | None], *, retake: bool) -> list[int]:
        """Claim in a transaction of its own (PostgreSQL). If the batch's claims fail, each
        message is claimed alone, so one that cannot be stored costs only itself."""
        try:
            with _autocommit(bind), session_scope(bind) as session:
                return self._claim(session, updates, todo, results, retake=retake)
        except Exception:
            self._unclaim(bind, [updates[i] for i in todo])
            if len(todo) > 1:
                log.warning("claiming a batch of %d updates failed; claiming them one by one", len(todo),
                            exc_info=True)
                return [i for one in todo for i in self._claim_committed(bind, updates, [one], results, retake=retake)]
            update = updates[todo[0]]
            log.exception("claiming a %s update on %s failed", update.kind, update.channel)
            results[todo[0]] = Reply.of(SORRY)
            return []

    @staticmethod
    def _unclaim(bind: Engine | Connection, updates: list[Update]) -> None:
        """Forget what claims of a failed claiming were made (each took effect as it was made)."""
        try:
            with _autocommit(bind), session_scope(bind) as session:
                release_claims(session, [(u.channel, u.dedup_key) for u in updates if u.dedup_key])
        except Exception:  # the connection is broken: its claims are taken over at once anyway
            log.warning("could not release the claims of a failed claiming", exc_info=True)

    def _handle(self, bind: Engine | Connection, updates: list[Update], todo: list[int]) -> dict[int, Reply | None]:
        if not todo:
            return {}
        try:
            return self._in_transaction(bind, updates, todo)
        except Exception:
            if len(todo) > 1:
                log.warning("a batch of %d updates failed; handling them one by one", len(todo), exc_info=True)
                return {i: reply for one in todo for i, reply in self._handle(bind, updates, [one]).items()}
            update = updates[todo[0]]
            log.exception("handler failed for a %s update on %s", update.kind, update.channel)
            if self._claim_apart and update.dedup_key:
                with session_scope(bind) as session:
                    release_message(session, channel=update.channel, dedup_key=update.dedup_key)
            return {todo[0]: Reply.of(SORRY)}

    def _in_transaction(self, bind: Engine | Connection, updates: list[Update],
                        todo: list[int]) -> dict[int, Reply | None]:
        results: dict[int, Reply | None] = {}
        with session_scope(bind) as session:
            if not self._claim_apart:
                todo = self._claim(session, updates, todo, results)
            people = [(updates[i].channel, updates[i].user_id) for i in todo]
            states, accounts = arrive(session, people, now=self.services.clock())
            expect_workers(session, accounts.values())
            finished = []
            for i in todo:
                update = updates[i]
                person = (update.channel, update.user_id)
                reply = results[i] = self._answer(session, update, accounts[person], states[person])
                if update.dedup_key:
                    finished.append((update.channel, update.dedup_key, reply.to_dict()))
            update_all(session, [finished_messages(finished), saved_conversations(states.values())])
        return results

    @staticmethod
    def _claim(session: Session, updates: list[Update], todo: list[int],
               results: dict[int, Reply | None], *, retake: bool = False) -> list[int]:
        """Claim the messages; what is left to handle. Retries get their answer in `results`."""
        claims = claim_messages(session, [(updates[i].channel, updates[i].dedup_key or "", updates[i].user_id)
                                          for i in todo if updates[i].dedup_key], retake=retake)
        fresh = []
        for i in todo:
            update = updates[i]
            claim = claims.get((update.channel, update.dedup_key)) if update.dedup_key else None
            if claim is None or claim.fresh:
                fresh.append(i)
            else:
                results[i] = _replay(update, claim)
        return fresh

    def _answer(self, session: Session, update: Update, account: AccountRef,
                conversation: ConversationState) -> Reply:
        ctx = Ctx(update, session, account, conversation, self.services, self.flows, self.menu, self.fallback)
        reply, cut_off = fit_reply(self._route(ctx))
        conversation.data.pop(MORE, None)
        if cut_off:
            conversation.data[MORE] = cut_off
        if ctx.in_flow:
            conversation.data["_choices"] = list(reply.choices)
        account.worker_id = account.current_worker_id(session)  # for this person's next message here
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
        step = ctx.current_step()
        # in a flow of questions a command must be typed whole, and a question's own choice wins
        in_questions = step is not None and bool(ctx.flow_title())
        hit = self.commands.find(update.text, exact=in_questions)
        if step and not (hit and hit.command.anytime) and (
            hit is None or matches_choice(update.text, ctx.data.get("_choices", ()), by_start=in_questions)
            or hit.command.yields_to == ctx.conversation.flow
        ):
            return step.answer(ctx)
        if hit:
            ctx.args = hit.args
            ctx.ran_command = not hit.command.anytime
            return hit.command.handler(ctx)
        return self.fallback(ctx)

"""Routers of small handler functions, flows as named steps, and the context a handler gets.

A handler is a plain function `(ctx) -> Reply`. Routers collect them by what triggers
them: a command word, a step of a flow, a kind of update, or free text nobody else took.
Flow state (flow, step, answers, the way back) is data in the conversation row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.messages import Kind, Reply, Update
from knowledge.text import compact, normalize
from storage.conversations import ConversationState
from storage.models import ChatAccount, Worker
from storage.workers import AccountRef, get_worker, save_worker

if TYPE_CHECKING:
    from bot.services import Services

Handler = Callable[["Ctx"], Reply]
Warmer = Callable[["Services"], object]
TableWarmer = Callable[[Session], object]
PAUSED = "_paused"
MORE = "_more"  # the part of the last reply cut off for being too long, shown on 详情


@dataclass(frozen=True)
class Command:
    aliases: tuple[str, ...]
    handler: Handler
    prefix: bool = False  # "报名 3": the alias starts the text and the rest is an argument
    anytime: bool = False  # wins even over a flow step's own choices (取消, 退订)
    yields_to: str | None = None  # inside this flow, the step reads the text instead
    within: re.Pattern[str] | None = None  # a phrase naming the command wherever it stands ("…返回上一个 漏了")


@dataclass(frozen=True)
class MenuItem:
    label: str
    handler: Handler
    order: int


@dataclass(frozen=True)
class Step:
    ask: Handler
    answer: Handler
    accepts_location: bool = False
    declinable: bool = False  # the question may be declined: "不填了", "算了" answer it rather than leave the form


@dataclass
class Flow:
    """A named sequence of steps, each with a question and an answer handler."""

    name: str
    title: str
    steps: dict[str, Step] = field(default_factory=dict)
    you: str = "您"  # whom the questions are about: 您, or 您家里人 when registering a relative

    def step(self, name: str, *, ask: Handler, accepts_location: bool = False,
             declinable: bool = False) -> Callable[[Handler], Handler]:
        def register(answer: Handler) -> Handler:
            self.steps[name] = Step(ask, answer, accepts_location, declinable)
            return answer

        return register


class Router:
    """Handlers of one part of the bot: commands, flows, update kinds and a fallback."""

    def __init__(self, name: str):
        self.name = name
        self.commands: list[Command] = []
        self.flows: dict[str, Flow] = {}
        self.kinds: dict[Kind, Handler] = {}
        self.fallback_handler: Handler | None = None
        self.menu: list[MenuItem] = []
        self.warmers: list[Warmer] = []
        self.table_warmers: list[TableWarmer] = []

    def command(
        self, *aliases: str, prefix: bool = False, anytime: bool = False, menu: tuple[int, str] | None = None,
        yields_to: Flow | None = None, within: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler for command words; `menu=(order, label)` also lists it in 菜单; `within`:
        a pattern that names the command inside a longer text, even in a flow's question."""

        def register(fn: Handler) -> Handler:
            self.commands.append(Command(tuple(aliases), fn, prefix, anytime, yields_to.name if yields_to else None,
                                         re.compile(within) if within else None))
            if menu:
                self.menu.append(MenuItem(menu[1], fn, menu[0]))
            return fn

        return register

    def flow(self, name: str, title: str, *, you: str = "您") -> Flow:
        self.flows[name] = Flow(name, title, you=you)
        return self.flows[name]

    def on(self, kind: Kind) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.kinds[kind] = fn
            return fn

        return register

    def fallback(self, fn: Handler) -> Handler:
        self.fallback_handler = fn
        return fn

    def warm_up(self, fn: Warmer) -> Warmer:
        """Register what loads this router's data (tables, the knowledge base) ahead of the
        first message; the server runs it before it accepts requests (`Dispatcher.warm`)."""
        self.warmers.append(fn)
        return fn

    def warm_tables(self, fn: TableWarmer) -> TableWarmer:
        """Register what reads the rows this router keeps in memory (storage.kept: open jobs,
        fairs); `Dispatcher.warm` runs it in a session of its own, so that the first villager
        to ask does not wait for a few thousand rows to load."""
        self.table_warmers.append(fn)
        return fn


@dataclass
class Ctx:
    """What a handler may use: the update, the person's account and state, the services."""

    update: Update
    session: Session
    account_ref: AccountRef
    conversation: ConversationState
    services: Services
    flows: dict[str, Flow]
    menu: list[MenuItem]
    # how free text nobody else takes is answered (the one router fallback): a step that finds
    # the text is not an answer to its question hands it on here
    fallback: Handler
    args: str = ""
    moved: bool = False  # a handler moved the person to a step (so no "继续" hint is due)
    ran_command: bool = False
    _account: ChatAccount | None = field(default=None, init=False)
    _worker: Worker | None = field(default=None, init=False)
    _worker_loaded: bool = field(default=False, init=False)

    @property
    def text(self) -> str:
        return normalize(self.update.text)

    @property
    def now(self) -> datetime:
        return self.services.clock()

    @property
    def account(self) -> ChatAccount:
        """The account this update came from, loaded when a handler first asks for it."""
        if self._account is None:
            self._account = self.session.get_one(ChatAccount, self.account_ref.id)
        return self._account

    @property
    def worker(self) -> Worker | None:
        if not self._worker_loaded:
            self._worker = get_worker(self.session, account=self.account_ref)
            self._worker_loaded = True
        return self._worker

    def save_worker(self, fields: dict[str, Any]) -> Worker:
        """Create or update this person's worker from their answers."""
        self._worker = save_worker(self.session, account=self.account_ref, worker=self.worker, fields=fields)
        self._worker_loaded = True
        return self._worker

    def forget_worker(self) -> None:
        self._worker, self._worker_loaded = None, True

    # --- flow state -------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    @property
    def in_flow(self) -> bool:
        return bool(self.conversation.flow and self.conversation.step)

    def current_step(self) -> Step | None:
        flow = self.flows.get(self.conversation.flow or "")
        return flow.steps.get(self.conversation.step or "") if flow else None

    def start(self, flow: str, step: str, data: dict[str, Any] | None = None, *lead: str) -> Reply:
        """Begin a flow at its first step and ask that step's question.

        A light flow (the menu, a job list, question mode) started in the middle of a
        titled one (登记) keeps that one paused, so 继续 can take the person back to it.
        """
        conv = self.conversation
        paused = conv.data.get(PAUSED)
        if self.flow_title() and not self.flows[flow].title:
            paused = {"flow": conv.flow, "step": conv.step, "data": conv.data, "back": conv.back}
        new_data = dict(data or {})
        if paused and not self.flows[flow].title:
            new_data[PAUSED] = paused
        conv.flow, conv.step, conv.data, conv.back = flow, None, new_data, []
        return self.goto(step, *lead, remember=False)

    def paused_title(self) -> str | None:
        """The title of the flow waiting under a light one, if any."""
        paused = self.data.get(PAUSED) if not self.flow_title() else None
        flow = self.flows.get(paused["flow"]) if paused else None
        return flow.title if flow else None

    def resume(self) -> Reply | None:
        """Go back to the paused flow and ask its question again; None if nothing is paused."""
        paused = self.data.get(PAUSED) if not self.flow_title() else None
        if not paused:
            return None
        conv = self.conversation
        conv.flow, conv.step, conv.data, conv.back = paused["flow"], paused["step"], paused["data"], paused["back"]
        self.moved = True  # back at the question: no "回复继续" hint after it
        return self.ask()

    def goto(self, step: str, *lead: str, remember: bool = True) -> Reply:
        """Move to a step of the current flow and ask its question, after any lead texts.

        When the person came here to change one answer (`return_to`), the step after
        this one is the summary they came from, not the next one in order.
        """
        conv = self.conversation
        self.moved = True
        if remember and conv.step and conv.step != step:
            conv.back = [*conv.back, conv.step]
        conv.step = step
        return Reply.of(*lead) + self.ask()

    def next(self, step: str, *lead: str) -> Reply:
        return_to = self.data.pop("return_to", None)
        return self.goto(return_to or step, *lead)

    def ask(self) -> Reply:
        step = self.current_step()
        return step.ask(self) if step else Reply()

    def go_back(self) -> Reply | None:
        """Ask the previous step's question again; None when there is no previous step."""
        conv = self.conversation
        if not conv.back:
            return None
        *rest, previous = conv.back
        conv.back, conv.step = rest, previous
        self.data.pop("return_to", None)
        return self.ask()

    def finish(self, *, keep_paused: bool = False) -> None:
        """Leave the flow; `keep_paused` leaves a paused flow waiting for 继续."""
        conv = self.conversation
        paused = conv.data.get(PAUSED) if keep_paused and not self.flow_title() else None
        conv.flow, conv.step, conv.data, conv.back = None, None, {PAUSED: paused} if paused else {}, []

    def flow_title(self) -> str | None:
        flow = self.flows.get(self.conversation.flow or "")
        return flow.title if flow else None

    @property
    def you(self) -> str:
        """Whom the current flow's questions are about ("您家里人今年多大岁数？")."""
        flow = self.flows.get(self.conversation.flow or "")
        return flow.you if flow else "您"

    def has_step(self, name: str) -> bool:
        flow = self.flows.get(self.conversation.flow or "")
        return flow is not None and name in flow.steps


def matches_choice(text: str, choices: tuple[str, ...] | list[str], *, by_start: bool = False) -> bool:
    """Whether the text answers a numbered question by number or by one of its labels; `by_start`:
    also by the start of only one label ("招聘会" for 招聘会提醒 among the fields to change)."""
    key = compact(text)
    labels = [compact(c) for c in choices]
    return bool(key) and (key.isdigit() or key in labels
                          or (by_start and len(key) >= 2 and sum(label.startswith(key) for label in labels) == 1))

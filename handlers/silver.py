"""数字银龄 (measure 13): people of about 60–70 fill in their three maps — what they want to
learn, what work they want, what public service they would do — as numbered choices kept as
data (knowledge/data/silver.json). Matching the maps to the needs staff keep (表图对接)
pushes each suitable offer once, through the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlmodel import Session

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.notices import STOP_HINT, where
from handlers.policy_push import check_worker
from knowledge.taxonomy import Option, OptionSet
from knowledge.text import choice_numbers, compact
from storage import silver as store
from storage.eligibility import set_flag
from storage.models import SilverNeed, Worker, saved_id
from storage.outbox import Push, enqueue

router = Router("silver")
flow = router.flow("silver", title="银龄登记")

NONE_WORDS = ("都不想", "不想", "没有", "都不要", "不要", "不需要", "不参加", "暂时不", "都不")
SURVEYED = "silver"  # the worker flag that says the maps were filled in


@dataclass(frozen=True)
class SilverMap:
    kind: str
    label: str  # 学习意愿
    table: str  # 培训需求: the staff table this map is matched to
    offer: str  # 培训: what a push offers
    question: str
    none: str  # the last choice: nothing on this map
    options: OptionSet
    extra: dict[str, dict[str, Any]]  # code → course_skills / course_kind

    @property
    def choices(self) -> list[str]:
        return [*self.options.labels, self.none]

    def parse(self, text: str) -> list[str] | None:
        """The codes chosen; [] for "nothing"; None when the answer names nothing we know."""
        key = compact(text)
        count = len(self.options.options)
        numbers = choice_numbers(text, count + 1)
        if key == compact(self.none) or any(key.startswith(w) for w in NONE_WORDS) or numbers == [count + 1]:
            return []
        if numbers and count + 1 in numbers:
            return None  # "nothing" together with something
        return self.options.parse(text)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("knowledge").joinpath("data/silver.json").read_text("utf-8"))
    return data


@lru_cache(maxsize=1)
def maps() -> dict[str, SilverMap]:
    found = {}
    for kind, m in _data()["maps"].items():
        options = [Option(o["code"], o["label"], tuple(o["synonyms"])) for o in m["options"]]
        extra = {o["code"]: {k: v for k, v in o.items() if k.startswith("course_")} for o in m["options"]}
        found[kind] = SilverMap(kind, m["label"], m["table"], m["offer"], m["question"], m["none"],
                                OptionSet(options), extra)
    return found


router.warm_up(lambda services: maps())


def invite_ages() -> tuple[int, int]:
    low, high = _data()["invite_ages"]
    return int(low), int(high)


def invitation(age: int | None) -> str:
    """The line that invites a newly registered person of 60–70 to fill in the maps ("" otherwise)."""
    low, high = invite_ages()
    if age is None or not low <= age <= high:
        return ""
    return "县里有“数字银龄”服务，帮老人学技术、找轻松活、做公益。想参加，回复“银龄”。"


def describe(choices: dict[str, list[str]]) -> str:
    lines = []
    for kind, m in maps().items():
        picked = choices.get(kind) or []
        lines.append(f"{m.label}：{'、'.join(m.options.label(c) for c in picked) or m.none}")
    return "\n".join(lines)


def course_fit(choices: dict[str, list[str]]) -> tuple[set[str], set[str]]:
    """(course skills, course kinds) the person's learning wishes point to."""
    learn = maps()["learn"]
    skills: set[str] = set()
    kinds: set[str] = set()
    for code in choices.get("learn") or []:
        extra = learn.extra.get(code, {})
        skills.update(extra.get("course_skills", ()))
        if extra.get("course_kind"):
            kinds.add(extra["course_kind"])
    return skills, kinds


# --- 表图对接: needs matched to maps, each offer pushed once ------------------------------------------
def need_push(need: SilverNeed) -> tuple[str, ...]:
    m = maps()[need.kind]
    place = where(need.town, need.venue, default="县内")
    lines = [f"有个{m.offer}适合您：", f"{need.title}（{place}）"]
    if need.description:
        lines.append(need.description)
    lines.append(f"想参加，请打电话：{need.contact}。" if need.contact else "想参加，请找村里或乡镇的工作人员。")
    return ("\n".join(lines) + STOP_HINT,)


def match_need(session: Session, *, need: SilverNeed, now: Any) -> int:
    """Queue the need for everyone whose map holds it; returns how many were new."""
    if need.status != store.OPEN or need.id is None:
        return 0
    ids = store.matching_worker_ids(session, need=need)
    texts = need_push(need)
    return enqueue(session, (Push(key=store.push_key(need.id, w), worker_id=w, kind=store.PUSH_KIND, ref_id=need.id,
                                  texts=texts) for w in ids), now=now)


def match_worker(session: Session, *, worker: Worker, now: Any) -> int:
    assert worker.id is not None
    needs = store.needs_for(session, worker=worker)
    return enqueue(session, (Push(key=store.push_key(saved_id(n), worker.id), worker_id=worker.id, kind=store.PUSH_KIND,
                                  ref_id=n.id, texts=need_push(n)) for n in needs), now=now)


def match_all(session: Session, *, now: Any) -> int:
    return sum(match_need(session, need=n, now=now) for n in store.list_needs(session))


# --- the chat ------------------------------------------------------------------------------------------
@router.command("银龄", "数字银龄", "银龄服务", "老年人再就业", "老人找活", "银龄登记")
def start(ctx: Ctx) -> Reply:
    worker = ctx.worker
    if worker is None:
        return Reply.of("数字银龄要先登记。回复“登记”，几分钟就好，登记完再回复“银龄”。")
    year = ctx.services.local_now().year
    age = year - worker.birth_year if worker.birth_year else worker.age
    if age is None or age < int(_data()["min_age"]):
        return Reply.of("数字银龄是给60岁左右老人的服务。", "您可以回复“培训”学技术，回复“找工作”找活。")
    before = store.choices_of(ctx.session, worker_id=saved_id(worker))
    lead = "您之前填过，这次重新选一遍。" if any(before.values()) else \
        "数字银龄：帮老人学技术、找轻松活、做公益。一共3个问题，回复“取消”可退出。"
    return ctx.start(flow.name, "learn", None, lead)


def _map_step(kind: str, next_step: str) -> None:
    def ask(ctx: Ctx) -> Reply:
        m = maps()[kind]
        return Reply.of(m.question, choices=m.choices)

    @flow.step(kind, ask=ask)
    def answer(ctx: Ctx) -> Reply:
        codes = maps()[kind].parse(ctx.text)
        if codes is None:
            return Reply.of("没看懂，请回复编号，可以选几个，比如：1 3") + ask(ctx)
        ctx.data[kind] = codes
        return ctx.next(next_step)


_map_step("learn", "work")
_map_step("work", "serve")
_map_step("serve", "confirm")


def _ask_confirm(ctx: Ctx) -> Reply:
    return Reply.of(f"请核对：\n{describe(ctx.data)}", choices=["确认", "重新选"])


@flow.step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "重新选", "重选", "修改", "不对"):
        return ctx.goto("learn")
    if key not in ("1", "确认", "对", "好", "好的", "是", "没错"):
        return Reply.of("请回复 1 确认，或回复 2 重新选。") + _ask_confirm(ctx)
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    choices = {kind: list(ctx.data.get(kind) or []) for kind in store.KINDS}
    store.save_choices(ctx.session, worker_id=worker.id, choices=choices, now=ctx.now)
    set_flag(ctx.session, worker_id=worker.id, flag=SURVEYED, now=ctx.now)
    ctx.finish(keep_paused=True)
    offers = match_worker(ctx.session, worker=worker, now=ctx.now)
    check_worker(ctx.session, ctx.services, worker_id=worker.id)
    now_text = f"现在就有{offers}项适合您，马上发给您。" if offers else "有合适的培训、活儿和公益服务，会发消息告诉您。"
    return Reply.of(f"记下了，谢谢您！{now_text}", "想自己看看，回复“找工作”或“培训”。")

"""政策找人 / 免申即享 (保障措施(四)): eligibility rules kept as data
(knowledge/data/policy_rules.json) are checked against people's profiles — every few minutes
and right after a profile changes — and a person who newly qualifies gets ONE short push: what
she can get or do, where and whom to ask, and the measure it rests on (checked against the
knowledge base, so a rule whose measure the plan does not back is never pushed). Each rule reaches a
person once (the outbox key); 不需要 stops that kind of policy for them (handlers.not_needed).

Also the answers that set what rules look at: 我想创业, 干活受伤了.
"""

from __future__ import annotations

import json
import logging
import weakref
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlmodel import Session

from bot.messages import Reply
from bot.router import Ctx, Router
from storage import eligibility as el
from storage.models import saved_id

log = logging.getLogger(__name__)
router = Router("policy_push")

STOP_WORD = "不需要"  # handlers.not_needed answers it
BUSINESS, INJURED = "business", "injured"
_texts: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, ...] | None]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # 不需要 stops every rule of the same kind
    when: dict[str, Any]
    question: str  # asked of the knowledge base
    expect: str  # the measure the answer must cite
    say: str  # what the person can get or do
    ask: str  # where and whom to ask


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("knowledge").joinpath("data/policy_rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    found = tuple(Rule(r["id"], r["kind"], dict(r["when"]), r["question"], str(r["expect"]), r["say"], r["ask"])
                  for r in _data()["rules"])
    for rule in found:
        el.check_conditions(rule.when)
        if rule.kind not in kinds():
            raise ValueError(f"policy rule {rule.id} has a kind without a label: {rule.kind}")
    return found


def kinds() -> dict[str, str]:
    return dict(_data()["kinds"])


@router.warm_up
def _answer_every_rule(services: Any) -> None:
    for rule in rules():
        rule_texts(services, rule)


def rule_texts(services: Any, rule: Rule) -> tuple[str, ...] | None:
    """The push for a rule, in three short lines: what she can get or do, whom to ask, and the
    measure with how to stop. None when the knowledge base does not cite the rule's measure
    for its question (never push a guess)."""
    base = services.policy
    cache = _texts.setdefault(base, {})
    if rule.id not in cache:
        answer = base.ask(rule.question)
        cited = next((c for c in answer.citations if c.ref.split()[-1] == rule.expect), None)
        if not answer.answered or cited is None:
            log.warning("policy rule %s: the knowledge base did not cite measure %s", rule.id, rule.expect)
            cache[rule.id] = None
        else:
            cache[rule.id] = (f"{rule.say}\n{rule.ask}\n"
                              f"出处：县就业方案第{rule.expect}条“{cited.title}”。不需要这类消息，回复“{STOP_WORD}”。",)
    return cache[rule.id]


def check_worker(session: Session, services: Any, *, worker_id: int) -> list[Rule]:
    """Right after a profile change: queue what the person newly qualifies for; the rules queued."""
    year = services.local_now().year
    queued = []
    for rule in rules():
        if not el.fits(session, worker_id=worker_id, when=rule.when, year=year):
            continue
        texts = rule_texts(services, rule)
        if texts and el.queue_rule(session, rule_id=rule.id, kind=rule.kind, when=rule.when, texts=texts, year=year,
                                   now=services.clock(), worker_id=worker_id):
            queued.append(rule)
    return queued


def check_everyone(session: Session, services: Any) -> int:
    """The periodic pass: every rule against every profile, in one statement per rule."""
    year, now = services.local_now().year, services.clock()
    queued = 0
    for rule in rules():
        texts = rule_texts(services, rule)
        if texts:
            queued += el.queue_rule(session, rule_id=rule.id, kind=rule.kind, when=rule.when, texts=texts, year=year,
                                    now=now)
    return queued


# --- the chat ------------------------------------------------------------------------------------------
def stop_rule_kind(ctx: Ctx, rule_id: str | None) -> Reply:
    """不需要 after a policy push: stop that kind of policy for the person."""
    worker = ctx.worker
    assert worker is not None
    rule = next((r for r in rules() if r.id == rule_id), None)
    if rule is None:
        return Reply.of("现在没有要停的政策消息。", "不想收任何消息，回复“退订”。")
    if not el.opt_out(ctx.session, worker_id=saved_id(worker), kind=rule.kind, now=ctx.now):
        return Reply.of(f"“{kinds()[rule.kind]}”的政策消息已经停了。", "不想收任何消息，回复“退订”。")
    el.cancel_policy_pushes(ctx.session, worker_id=saved_id(worker),
                            rule_ids=[r.id for r in rules() if r.kind == rule.kind])
    return Reply.of(f"好的，以后不再给您发“{kinds()[rule.kind]}”的政策消息，其他消息照常。",
                    "不想收任何消息，回复“退订”。")


def _remember(ctx: Ctx, flag: str, question: str, told: str) -> Reply:
    """Record what the person said and let the rules find them; not registered: just answer."""
    worker = ctx.worker
    if worker is None:
        answer = ctx.services.policy.ask(question)
        return Reply.of(*answer.sources_first(), "登记以后，有新的政策会主动告诉您。回复“登记”开始。")
    el.set_flag(ctx.session, worker_id=saved_id(worker), flag=flag, now=ctx.now)
    queued = check_worker(ctx.session, ctx.services, worker_id=saved_id(worker))
    if any(rule.when.get("flag") == flag for rule in queued):
        return Reply.of(f"好的，记下了。{told}")
    kinds_of_flag = {rule.kind for rule in rules() if rule.when.get("flag") == flag}
    if kinds_of_flag <= el.opted_out(ctx.session, worker_id=saved_id(worker)):
        return Reply.of("好的，记下了。您说过不需要这类政策消息，想了解可以回复“问政策”提问。")
    return Reply.of("好的，记下了。相关政策以前发给过您，想再看可以回复“问政策”提问。")


@router.command("我想创业", "想创业", "我要创业", "要创业", "打算创业", "想自己创业")
def wants_business(ctx: Ctx) -> Reply:
    reply = _remember(ctx, BUSINESS, "创业担保贷款和SYB创业培训", "创业扶持的政策马上发给您。")
    return reply + Reply.of("想学创业，回复“培训”看看 SYB 创业培训。")


@router.command("我受伤了", "干活受伤了", "干活受伤", "工伤了", "我工伤了", "出了工伤", "受工伤了")
def injured(ctx: Ctx) -> Reply:
    reply = Reply.of("先看病要紧，看病的单据都留好。")
    reply += _remember(ctx, INJURED, "再就业老年人新业态从业人员工伤保险参保", "工伤保险的政策马上发给您。")
    return reply + Reply.of("老板不管，回复“我要维权”。")

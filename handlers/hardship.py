"""People in hardship (measure 15): someone may declare themselves 就业困难人员 — only with
their explicit consent, and 撤回 deletes it again. Declared people see public-welfare jobs
(公益性岗位) first in their job list and hear of new ones first. 残疾人之家 lists the
disability-support workplaces (employers of that kind)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlmodel import Session, col, select

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers import rights
from handlers.notices import job_push, job_push_fields
from handlers.policy_push import check_worker
from handlers.terms import match_terms
from knowledge.text import choice_numbers, compact
from storage import eligibility as el
from storage.cases import open_cases_of
from storage.job_search import JobMatch, jobs_for
from storage.jobs import get_job
from storage.models import Employer, Worker, saved_id
from storage.outbox import Push, enqueue

router = Router("hardship")
flow = router.flow("hardship", title="困难帮扶登记")

AGREE, REFUSE = "同意", "不同意"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("knowledge").joinpath("data/hardship.json").read_text("utf-8"))
    return data


router.warm_up(lambda services: _data())


def categories() -> list[str]:
    return list(_data()["categories"])


def home_kind() -> str:
    return str(_data()["home_kind"])


def public_welfare_first(session: Session, *, worker: Worker, matches: list[JobMatch]) -> list[JobMatch]:
    """A declared person's job list with public-welfare jobs on top (order kept otherwise)."""
    if not any(m.public_welfare for m in matches) or worker.id is None or not el.has_hardship(
            session, worker_id=worker.id):
        return matches
    return sorted(matches, key=lambda m: not m.public_welfare)


def push_open_public_welfare(session: Session, services: Any, *, worker: Worker) -> int:
    """Right after a declaration: the open public-welfare jobs that suit the person, each once
    (one already queued behind everyone's head start goes now)."""
    assert worker.id is not None
    matches = [(job, m.fit) for m in jobs_for(session, worker=worker, today=services.local_now().date(),
                                              terms=match_terms())
               if m.public_welfare and (job := get_job(session, job_id=m.job_id)) is not None]
    now = services.clock()
    pushes = [Push(key=f"job:{job.id}:{worker.id}", worker_id=worker.id, kind="job", ref_id=job.id,
                   texts=job_push(job, found), params=job_push_fields(job)) for job, found in matches]
    return enqueue(session, pushes, now=now) + el.bring_forward(session, keys=[p.key for p in pushes], now=now)


@router.command("就业困难", "困难帮扶", "我是困难户", "就业困难人员", "困难人员登记", "困难登记", "公益性岗位",
                "公益岗位",
                "公益岗")
def start(ctx: Ctx) -> Reply:
    worker = ctx.worker
    if worker is None:
        return Reply.of("先要登记。回复“登记”，几分钟就好，登记完再回复“困难帮扶”。")
    if el.has_hardship(ctx.session, worker_id=saved_id(worker)):
        return Reply.of("您已经登记了就业困难，公益性岗位会优先推荐给您。", "不想再登记，回复“撤回”，会删掉这条记录。")
    return ctx.start(flow.name, "category", None,
                     "县里每年有公益性岗位，优先安排就业困难的人。登记是自愿的，一共2个问题。")


def _ask_category(ctx: Ctx) -> Reply:
    return Reply.of("您属于哪种情况？", choices=categories())


@flow.step("category", ask=_ask_category)
def category(ctx: Ctx) -> Reply:
    options = categories()
    numbers = choice_numbers(ctx.text, len(options))
    picked = next((c for c in options if compact(c) == compact(ctx.text)), None)
    if picked is None and numbers and len(numbers) == 1:
        picked = options[numbers[0] - 1]
    if picked is None:
        return Reply.of("请回复一个编号。") + _ask_category(ctx)
    ctx.data["category"] = picked
    return ctx.next("consent")


def _ask_consent(ctx: Ctx) -> Reply:
    return Reply.of("我们会记下这个情况，只用来优先给您推荐公益性岗位，县人力社保局的工作人员能看到。\n"
                    "您随时可以回复“撤回”删掉。您同意吗？", choices=[AGREE, REFUSE])


@flow.step("consent", ask=_ask_consent)
def consent(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", REFUSE, "不", "不要", "不行", "算了", "不需要"):
        ctx.finish(keep_paused=True)
        return Reply.of("好的，什么都没有记。有需要随时回复“困难帮扶”。")
    if key not in ("1", AGREE, "同意的", "可以", "好", "好的", "行", "是", "愿意"):
        return Reply.of("请回复 1 同意，或回复 2 不同意。") + _ask_consent(ctx)
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    el.declare_hardship(ctx.session, worker_id=worker.id, category=ctx.data["category"], now=ctx.now)
    ctx.finish(keep_paused=True)
    jobs = push_open_public_welfare(ctx.session, ctx.services, worker=worker)
    check_worker(ctx.session, ctx.services, worker_id=worker.id)
    now_text = f"现在有{jobs}个适合您的公益性岗位，马上发给您。" if jobs else "有适合您的公益性岗位，会第一时间告诉您。"
    return Reply.of(f"记下了。{now_text}", "回复“找工作”时，公益性岗位也会排在前面。不想登记了，随时回复“撤回”。")


@router.command("撤回", "撤回同意", "撤销困难登记", "取消困难登记", "删除困难登记")
def withdraw(ctx: Ctx) -> Reply:
    worker = ctx.worker
    if worker is None or not el.withdraw_hardship(ctx.session, worker_id=saved_id(worker)):
        if open_cases_of(ctx.session, account=ctx.account):  # "撤回" from someone with a wage case means that
            return rights.withdraw(ctx)
        return Reply.of("您没有登记过就业困难，不用撤回。")
    return Reply.of("已删除您的就业困难登记，以后不再优先推荐公益性岗位。", "其他的活照常推荐。")


@router.command("残疾人之家", "残疾人", "残联", "残疾人就业")
def homes(ctx: Ctx) -> Reply:
    rows = list(ctx.session.exec(select(Employer).where(col(Employer.kind) == home_kind())
                                 .order_by(col(Employer.town))))
    if not rows:
        return Reply.of("残疾人之家的名单还在整理。可以打电话问县残联，或回复“问政策”提问。")
    town = ctx.worker.town if ctx.worker else None
    rows.sort(key=lambda e: e.town != town)
    lines = [f"{i}. {e.name}（{e.town or '县内'}）" + (f"\n   地址：{e.address}" if e.address else "")
             + (f"\n   电话：{e.phone}" if e.phone else "") for i, e in enumerate(rows[:10], 1)]
    return Reply.of("残疾人之家（帮扶、庇护、就业）：\n" + "\n".join(lines), "想去看看，直接打电话联系。")

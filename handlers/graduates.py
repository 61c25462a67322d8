"""Returning graduates (measure 14): 我是大学生 registers school, major, graduation year and
wish; the plan then owes each one 1 career-guidance talk, 3 job recommendations and 1 training.
The recommendations come from the job matching, one at a time a few days apart, each job once
and never more than three, through the outbox. 见习基地 lists the internship bases."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.notices import STOP_HINT, place_text, reasons
from handlers.policy_push import BUSINESS, check_worker
from handlers.terms import match_terms
from knowledge.text import choice_numbers, compact, integers
from storage import graduates as store
from storage.eligibility import set_flag
from storage.job_search import jobs_for
from storage.jobs import get_job
from storage.models import Graduate, Job, Worker, saved_id
from storage.outbox import Push, enqueue, pushed_jobs_since

router = Router("graduates")
flow = router.flow("graduate", title="毕业生登记")

REC_GAP = timedelta(days=3)  # between two job recommendations, so they do not come as one burst
WISH_CODES = list(store.WISHES)
SHOWN_BASES = 10


@router.command("我是大学生", "毕业生登记", "大学生登记", "我是毕业生", "回乡大学生", "大学生", "毕业生", "大学生就业",
                "返乡大学生")
def start(ctx: Ctx) -> Reply:
    if ctx.worker is None:
        return Reply.of("毕业生登记前，要先做个简单登记（住哪、多大、会做什么）。",
                        "回复“登记”，登记完再回复“我是大学生”。")
    lead = "回乡大学生登记，一共4个问题。随时回复“取消”可以退出。"
    if store.get_graduate(ctx.session, worker_id=saved_id(ctx.worker)) is not None:
        lead = "您登记过了，这次重新填一遍。"
    return ctx.start(flow.name, "school", None, lead)


def _text_step(step: str, field: str, question: str, next_step: str, max_len: int) -> None:
    def ask(ctx: Ctx) -> Reply:
        return Reply.of(question)

    @flow.step(step, ask=ask)
    def answer(ctx: Ctx) -> Reply:
        value = ctx.text.strip()
        if not value or compact(value).isdigit() or len(value) > max_len:
            return Reply.of("好像不太对，请再打一遍。") + ask(ctx)
        ctx.data[field] = value
        return ctx.next(next_step)


_text_step("school", "school", "您是哪个学校毕业的？比如：衢州学院。", "major", 40)
_text_step("major", "major", "学的什么专业？比如：电子商务。", "year", 40)


def _ask_year(ctx: Ctx) -> Reply:
    return Reply.of("哪一年毕业的？比如：2025。\n还没毕业就写预计毕业的年份。")


@flow.step("year", ask=_ask_year)
def grad_year(ctx: Ctx) -> Reply:
    this_year = ctx.services.local_now().year
    key = compact(ctx.text)
    numbers = integers(ctx.text)
    year = this_year if key in ("今年", "今年毕业") else this_year - 1 if key in ("去年", "去年毕业") else \
        numbers[0] if len(numbers) == 1 else None
    if year is not None and year < 100:
        year += 2000
    if year is None or not this_year - 40 <= year <= this_year + 5:
        return Reply.of("没看懂这个年份。") + _ask_year(ctx)
    ctx.data["grad_year"] = year
    return ctx.next("wish")


def _ask_wish(ctx: Ctx) -> Reply:
    return Reply.of("您现在最想做什么？", choices=list(store.WISHES.values()))


@flow.step("wish", ask=_ask_wish)
def wish(ctx: Ctx) -> Reply:
    numbers = choice_numbers(ctx.text, len(WISH_CODES))
    by_label = next((code for code, label in store.WISHES.items() if compact(label) == compact(ctx.text)), None)
    code = by_label or (WISH_CODES[numbers[0] - 1] if numbers and len(numbers) == 1 else None)
    if code is None:
        return Reply.of("请回复一个编号。") + _ask_wish(ctx)
    ctx.data["wish"] = code
    return ctx.next("confirm")


def _ask_confirm(ctx: Ctx) -> Reply:
    d = ctx.data
    summary = (f"学校：{d['school']}\n专业：{d['major']}\n毕业年份：{d['grad_year']}年\n"
               f"想做：{store.WISHES[d['wish']]}")
    return Reply.of(f"请核对：\n{summary}", choices=["确认", "修改"])


@flow.step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "修改", "不对", "改"):
        return ctx.goto("school", "好的，从头再填一遍。")
    if key not in ("1", "确认", "对", "好", "好的", "是", "没错"):
        return Reply.of("请回复 1 确认，或回复 2 修改。") + _ask_confirm(ctx)
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    d = ctx.data
    graduate = store.save_graduate(ctx.session, worker_id=worker.id, school=d["school"][:64], major=d["major"][:64],
                                   grad_year=d["grad_year"], wish=d["wish"], now=ctx.now)
    if d["wish"] == "business":
        set_flag(ctx.session, worker_id=worker.id, flag=BUSINESS, now=ctx.now)
    ctx.finish(keep_paused=True)
    recommend(ctx.session, ctx.services, graduate=graduate, worker=worker)
    check_worker(ctx.session, ctx.services, worker_id=worker.id)
    return Reply.of("登记好了！按县里的政策，我们会为您安排：\n1次职业指导\n3次岗位推荐\n1次技能培训",
                    "工作人员会联系您约职业指导。岗位推荐会发消息给您。",
                    "想去见习，回复“见习基地”；想学技术，回复“培训”。")


# --- the three recommendations ----------------------------------------------------------------------
def recommendation(job: Job, fit: Any, slot: int) -> tuple[str, ...]:
    return (f"为您推荐第{slot}个岗位（共3个）：\n{job.title}（{place_text(job)}）\n{reasons(job, fit)}\n"
            f"回复“找工作”看详情和报名。{STOP_HINT}",)


def recommend(session: Session, services: Any, *, graduate: Graduate, worker: Worker) -> int:
    """Push the best matching job not yet recommended, if a recommendation is still owed and the
    last one is `REC_GAP` old (登记 again does not hurry it): 1 or 0. A job pushed to him today
    is not recommended on top."""
    assert graduate.id is not None
    if not worker.subscribed or not worker.want_job_push:
        return 0  # they said no job messages: staff see the recommendations still owed
    given = set(store.recommended_job_ids(session, graduate_id=graduate.id))
    last = store.last_recommended_at(session, graduate_id=graduate.id)
    if len(given) >= store.PROMISED or (last is not None and last > services.clock() - REC_GAP):
        return 0
    local = services.local_now()
    today = datetime.combine(local.date(), time(0), local.tzinfo)
    pushed = set(pushed_jobs_since(session, worker_id=saved_id(worker), since=today))
    for match in jobs_for(session, worker=worker, today=local.date(), terms=match_terms()):
        if match.job_id in given or match.job_id in pushed:
            continue
        job = get_job(session, job_id=match.job_id)
        if job is None:
            continue
        slot = store.add_recommendation(session, graduate_id=graduate.id, job_id=match.job_id, now=services.clock())
        if slot is None:
            return 0
        return enqueue(session, [Push(key=store.push_key(graduate.id, match.job_id), worker_id=saved_id(worker),
                                      kind=store.PUSH_KIND, ref_id=match.job_id,
                                      texts=recommendation(job, match.fit, slot))], now=services.clock())
    return 0


def promise_kept(session: Session, *, graduate: Graduate, what: str, note: str | None, now: Any) -> int:
    """Tell the graduate that staff recorded his guidance talk or training (once each)."""
    done = {"guidance": "职业指导", "training": "技能培训"}[what]
    said = f"\n{note}" if note else ""
    text = (f"您的{done}已经记上了。{said}\n按县里的政策，还会给您推荐岗位；想看自己的情况，回复“我是大学生”。",)
    return enqueue(session, [Push(key=store.kept_key(saved_id(graduate), what), worker_id=graduate.worker_id,
                                  kind=store.KEPT_KIND, texts=text)], now=now)


def recommend_due(session: Session, services: Any) -> int:
    """The periodic pass: one more recommendation for each graduate still owed one."""
    sent = 0
    for graduate in store.due_for_recommendation(session, now=services.clock(), gap=REC_GAP):
        worker = session.get(Worker, graduate.worker_id)
        if worker is not None:
            sent += recommend(session, services, graduate=graduate, worker=worker)
    return sent


# --- internship bases -----------------------------------------------------------------------------
@router.command("见习基地", "就业见习", "见习", "实习基地", "见习岗位", "就业见习基地", "实习")
def internship_bases(ctx: Ctx) -> Reply:
    rows = store.bases(ctx.session)
    if not rows:
        return Reply.of("见习基地的名单还在整理，过几天再来看看。")
    town = ctx.worker.town if ctx.worker else None
    rows.sort(key=lambda b: b.town != town)
    lines = []
    for i, base in enumerate(rows[:SHOWN_BASES], 1):
        about = " · ".join(p for p in (base.town, base.industry,
                                       f"见习岗位{base.positions}个" if base.positions else "")
                           if p)
        lines.append(f"{i}. {base.name}\n   {about}" + (f"\n   电话：{base.phone}" if base.phone else ""))
    more = f"\n……共{len(rows)}家" if len(rows) > SHOWN_BASES else ""
    return Reply.of("就业见习基地：\n" + "\n".join(lines) + more,
                    "想去见习，可以直接打电话，或回复“我是大学生”登记，工作人员帮您安排。")

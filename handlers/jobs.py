"""找工作: the best open jobs for the person now, page by page, a job's detail, and 报名.

Someone not registered can still browse by town and skill. The list lives in the
conversation (job ids and page), so 报名 3 means the third job the person was shown.
"""

from __future__ import annotations

import logging
import re

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.hardship import public_welfare_first
from handlers.notices import job_detail, job_line
from handlers.paging import current_page, has_next, heading, off_the_list, turn_page
from handlers.terms import match_terms
from knowledge import taxonomy
from knowledge.text import choice_numbers, compact, integers
from storage import job_search
from storage.job_search import JobMatch, jobs_for
from storage.jobs import apply, employer_name, get_job, get_jobs, is_open, open_jobs
from storage.matching import fit, view

log = logging.getLogger(__name__)
router = Router("jobs")
router.warm_up(lambda services: (taxonomy.skills(), taxonomy.availability(), taxonomy.travel_ranges()))
router.warm_tables(lambda session: (job_search.open_jobs(session), get_jobs(session, job_ids=[])))
browse = router.flow("jobs", title="")  # a light flow: any command ends it

ALL_COUNTY = "全县都看"
SHORT_NAME = 4  # longer text that names no town is taken as a question
ANY_SKILL = "什么活都看"


def _matches(ctx: Ctx) -> list[JobMatch]:
    assert ctx.worker is not None
    matches = jobs_for(ctx.session, worker=ctx.worker, today=ctx.services.local_now().date(), terms=match_terms())
    return public_welfare_first(ctx.session, worker=ctx.worker, matches=matches)


# A whole message that only wishes for work, said as a sentence ("俺想找点活", "有没有活干",
# "帮我找个工作"): the commands above compare whole texts, so these are read here.
_WORK = r"(?:活儿?|工作|零工|短工|事做|事情做|事干)(?:干|做)?"
_WISH = re.compile(
    r"(?:你好|您好|请问|喂)*"
    rf"(?:(?:我|俺|咱|我们)?(?:也|还)?(?:想|要|想要|得)(?:找|打|干|做|寻|出去找)(?:点|个|份|些)?{_WORK}"
    rf"|(?:这里|这边|你们|现在|最近|村里|镇上)?(?:有没有|有|还有)(?:啥|什么|些|点)?{_WORK}"
    rf"|(?:帮我|给我|帮俺|给俺)(?:找|介绍)(?:点|个|份)?{_WORK})"
    r"(?:吗|呢|啊|呀|哦|嘛|吧|呗|没有|没|不)?")


def wishes_for_work(text: str) -> bool:
    return _WISH.fullmatch(compact(text)) is not None


@router.command("找工作", "找活", "有什么活", "有啥活", "看看工作", "工作", "岗位", "找事做", "有没有活",
                menu=(20, "找工作"))
def find_jobs(ctx: Ctx) -> Reply:
    if ctx.worker is None:
        return ctx.start(browse.name, "town", None, "您还没登记，也可以先看看有什么活。")
    ids = [m.job_id for m in _matches(ctx)]
    if not ids:
        return Reply.of("现在还没有适合您的活。有新的活，我们会第一时间告诉您。",
                        "想看更多地方的活，回复“修改”把“能去多远”改成全县。")
    ctx.start(browse.name, "list", {"ids": ids, "page": 0})
    return _page(ctx)


def _page(ctx: Ctx) -> Reply:
    first, shown = current_page(ctx)
    person = view(ctx.worker) if ctx.worker else None
    year = ctx.services.local_now().year
    jobs = get_jobs(ctx.session, job_ids=shown)
    lines = []
    for offset, job_id in enumerate(shown):
        job = jobs.get(job_id)
        if job is not None:
            found = fit(job, person, year=year, terms=match_terms()) if person else None
            lines.append(job_line(first + offset, job, found))
    more = "回复“更多”看下一页，" if has_next(ctx) else ""
    head = heading(ctx, f"找到{len(ctx.data['ids'])}个活：")
    return Reply.of(head + "\n" + "\n".join(lines), f"回复编号看详情，{more}回复“报名 编号”直接报名。")


def _ask_list(ctx: Ctx) -> Reply:
    return Reply.of("回复编号看详情，回复“更多”看下一页。")


@browse.step("list", ask=_ask_list)
def pick(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    turned = turn_page(ctx, key, _page)
    if turned is not None:
        return turned
    if key.startswith("报名") and not ctx.services.policy.about_the_bot(ctx.text):  # not "报名了咋知道成没成"
        return _apply(ctx, key.removeprefix("报名"))
    numbers = choice_numbers(ctx.text, len(ctx.data["ids"]))
    if not numbers:
        answered = off_the_list(ctx)
        if answered is not None:
            return answered
        ctx.finish()
        return Reply.of("请回复列表里的编号，比如 1。也可以回复“找工作”重新看。")
    job_id = ctx.data["ids"][numbers[0] - 1]
    job = get_jobs(ctx.session, job_ids=[job_id]).get(job_id)
    if job is None or not is_open(job, today=ctx.services.local_now().date()):
        return Reply.of("这个活已经招满或结束了，请看看别的。")
    ctx.data["detail"] = job.id
    return Reply.of(job_detail(job, employer_name(ctx.session, job=job)), "想报名，回复“报名”。")


@router.command("报名", prefix=True, yields_to=browse)
def apply_without_list(ctx: Ctx) -> Reply:
    if ctx.services.policy.about_the_bot(ctx.text):  # "报名了咋知道成没成": how 报名 works, answered
        return ctx.fallback(ctx)
    return Reply.of("请先回复“找工作”，看看有哪些活，再回复“报名 编号”。")


def _apply(ctx: Ctx, number_text: str) -> Reply:
    ids: list[int] = ctx.data.get("ids", [])
    numbers = integers(number_text)
    if numbers and 1 <= numbers[0] <= len(ids):
        job_id = ids[numbers[0] - 1]
    elif not numbers and ctx.data.get("detail"):
        job_id = ctx.data["detail"]
    else:
        return Reply.of("请说要报名哪一个，比如回复“报名 1”。")
    job = get_job(ctx.session, job_id=job_id)
    if job is None or not is_open(job, today=ctx.services.local_now().date()):
        return Reply.of("这个活已经招满或结束了，请看看别的。")
    applied = apply(ctx.session, job=job, account=ctx.account, now=ctx.now)
    if applied.new:
        log.info("application %s for job %s", applied.application.id, job.id)
    employer = employer_name(ctx.session, job=job) or "用工单位"
    contact = f"请直接打电话联系{employer}：{job.contact_phone}" if job.contact_phone else f"{employer}会联系您"
    head = "已为您报名" if applied.new else "您已经报过名了"
    no_phone = ctx.worker is not None and not ctx.worker.phone
    hint = "您还没留电话，回复“修改”选“电话”补上，方便工作人员回电话给您。" if no_phone else ""
    return Reply.of(f"{head}：{job.title}。", f"{contact}。工作人员也会看到您的报名。", hint)


# --- browsing without registering --------------------------------------------------------------
def _ask_town(ctx: Ctx) -> Reply:
    return Reply.of("想看哪个乡镇的活？直接打字，比如：华埠。", choices=[ALL_COUNTY])


@browse.step("town", ask=_ask_town)
def browse_town(ctx: Ctx) -> Reply:
    if compact(ctx.text) in ("1", compact(ALL_COUNTY), "全县"):
        ctx.data["town"] = None
        return ctx.goto("skill")
    guess = ctx.services.places.resolve(ctx.text)
    if guess.town is None and not guess.candidates and len(compact(ctx.text)) > SHORT_NAME:
        return off_the_list(ctx) or _ask_town(ctx)  # a question, not a place: answer it
    if guess.town is None:
        hint = f"您说的是{'、'.join(guess.candidates)}吗？请打全乡镇名。" if guess.candidates else "没找到这个乡镇。"
        return Reply.of(hint) + _ask_town(ctx)
    ctx.data["town"] = guess.town
    return ctx.goto("skill")


def _ask_skill(ctx: Ctx) -> Reply:
    return Reply.of("想找哪类活？", choices=[*taxonomy.skills().labels[:-1], ANY_SKILL])


@browse.step("skill", ask=_ask_skill)
def browse_skill(ctx: Ctx) -> Reply:
    options = taxonomy.skills()
    numbers = choice_numbers(ctx.text, len(options.labels))
    if (numbers and numbers[0] == len(options.labels)) or compact(ctx.text) == compact(ANY_SKILL):
        skills: list[str] = []
    else:
        parsed = options.parse(ctx.text)
        if not parsed:
            return Reply.of("请回复编号。") + _ask_skill(ctx)
        skills = parsed
    town = ctx.data.get("town")
    jobs = [j for j in open_jobs(ctx.session, towns=[town] if town else None, today=ctx.services.local_now().date())
            if not skills or set(skills) & set(j.skills)]
    jobs.sort(key=lambda j: -(j.id or 0))
    if not jobs:
        ctx.finish()
        return Reply.of("暂时没有这样的活。登记以后，有新的活会第一时间告诉您。回复“登记”开始。")
    ctx.start(browse.name, "list", {"ids": [j.id for j in jobs], "page": 0})
    return _page(ctx) + Reply.of("登记以后，有合适的活会主动告诉您。回复“登记”开始。")

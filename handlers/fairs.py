"""招聘会: the next fairs by date (one near the person kept in the list), a fair's detail with
the jobs there that suit the person, and turning fair reminders on or off.

The list lives in the conversation (fair ids), so "2" means the second fair the person saw;
anything else typed there goes on to the commands and the policy answer.
"""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers.fair_text import day_text, when_text, where_text
from handlers.notices import job_line
from handlers.paging import off_the_list
from handlers.terms import match_terms
from knowledge.text import choice_numbers
from storage.fairs import end_of, ensure_fixed_fairs, fair_employers, fair_jobs, live_fair, next_fairs
from storage.matching import fit, view
from storage.models import Fair

router = Router("fairs")
router.warm_tables(lambda session: live_fair(session, 0))  # no fair is 0: reads the kept fairs
browse = router.flow("fairs", title="")  # a light flow: any command ends it

LISTED = 3  # one line each: the list stays short enough to read at once
JOBS_SHOWN = 5
FIXED_HINT = "每月8日、18日上午，开化县人力资源市场都有招聘会。"


def _day_word(ctx: Ctx, fair: Fair) -> str:
    today = ctx.services.local_now().date()
    day = fair.starts_at.astimezone(ctx.services.tz).date()
    return {today: "今天 ", today + timedelta(days=1): "明天 "}.get(day, "")


def _line(ctx: Ctx, number: int, fair: Fair) -> str:
    when = _day_word(ctx, fair) + day_text(fair, ctx.services.tz, this_year=ctx.services.local_now().year)
    if fair.starts_at <= ctx.now < end_of(fair):
        when += "（正在进行）"
    elif number == 1:
        when += "（最近一场）"
    worker = ctx.worker
    near = " · 在您的乡镇" if worker and worker.town and fair.town == worker.town else ""
    return f"{number}. {when} {fair.title}{near}"


@router.command("招聘会", "下次招聘会", "下一次招聘会", "下一场招聘会", "啥时候有招聘会", "什么时候有招聘会",
                "招聘会什么时候", "招聘会时间", "最近的招聘会", "最近有招聘会吗", "有没有招聘会", "招聘会在哪",
                "招聘会在哪里", "人力资源市场", "人才市场", "看招聘会", menu=(30, "招聘会"))
def fairs(ctx: Ctx) -> Reply:
    services = ctx.services
    ensure_fixed_fairs(ctx.session, ctx.now, services.tz, services.settings)
    worker = ctx.worker
    town = worker.town if worker else None
    listed = next_fairs(ctx.session, now=ctx.now, tz=services.tz, town=town,
                        neighbours=services.places.neighbours(town) if town else (), limit=LISTED)
    if not listed:
        return Reply.of("最近还没有安排招聘会。", FIXED_HINT)
    texts = ["最近的招聘会（按日期）：\n" + "\n".join(_line(ctx, i, f) for i, f in enumerate(listed, 1))]
    ctx.start(browse.name, "pick", {"ids": [f.id for f in listed]})
    texts.append("回复编号看详情。")
    if worker is None:
        texts.append("登记以后，招聘会前一天会提醒您。回复“登记”。")
    elif not worker.want_fair_push:
        texts.append("想在招聘会前一天收到提醒，回复“招聘会提醒”。")
    return Reply.of(*texts)


def next_fair(ctx: Ctx) -> Reply:
    """The soonest fair's day, time and place in one sentence (asked as 下次招聘会啥时候)."""
    services = ctx.services
    ensure_fixed_fairs(ctx.session, ctx.now, services.tz, services.settings)
    listed = next_fairs(ctx.session, now=ctx.now, tz=services.tz, limit=1)
    if not listed:
        return Reply.of("最近还没有安排招聘会。")
    fair = listed[0]
    head = "正在开的招聘会" if fair.starts_at <= ctx.now else "下一场招聘会"
    when = _day_word(ctx, fair) + when_text(fair, services.tz, this_year=services.local_now().year)
    return Reply.of(f"{head}：{when}，在{where_text(fair)}。", "回复“招聘会”看后面几场。")


def _ask_pick(ctx: Ctx) -> Reply:
    return Reply.of("回复编号看招聘会详情。")


@browse.step("pick", ask=_ask_pick)
def pick(ctx: Ctx) -> Reply:
    ids: list[int] = ctx.data.get("ids", [])
    numbers = choice_numbers(ctx.text, len(ids))
    if not numbers:
        answered = off_the_list(ctx)
        if answered is not None:
            return answered
        ctx.finish()
        return Reply.of("请回复列表里的编号，比如 1。也可以回复“招聘会”重新看。")
    fair = live_fair(ctx.session, ids[numbers[0] - 1])
    if fair is None:
        return Reply.of("这场招聘会取消了。回复“招聘会”看看别的。")
    if end_of(fair) <= ctx.now:
        return Reply.of("这场招聘会已经结束了。回复“招聘会”看看下一场。")
    return detail(ctx, fair)


def detail(ctx: Ctx, fair: Fair) -> Reply:
    """The fair in one message, the jobs there that suit the person in another."""
    tz = ctx.services.tz
    lines = [f"【{fair.title}】", f"时间：{when_text(fair, tz, this_year=ctx.services.local_now().year)}",
             f"地点：{where_text(fair)}"]
    employers = fair_employers(ctx.session, fair)
    if employers:
        names = "、".join(e.name for e in employers[:5])
        lines.append(f"参加单位：{names}" + (f"等{len(employers)}家" if len(employers) > 5 else ""))
    return Reply.of("\n".join(lines), _jobs_text(ctx, fair), "回复其他编号看别的招聘会。")


def _jobs_text(ctx: Ctx, fair: Fair) -> str:
    jobs = fair_jobs(ctx.session, fair)
    if not jobs:
        return "岗位还在收集中，到现场能看到更多岗位。"
    worker = ctx.worker
    if worker is None or worker.id is None:
        shown = [job_line(i, job, None) for i, job in enumerate(jobs[:JOBS_SHOWN], 1)]
        more = f"\n……共{len(jobs)}个岗位" if len(jobs) > JOBS_SHOWN else ""
        return "这场招聘会的岗位：\n" + "\n".join(shown) + more
    year, person = ctx.services.local_now().year, view(worker)
    suited = [(job, f) for job in jobs if (f := fit(job, person, year=year, terms=match_terms()))]
    if not suited:
        return f"这场招聘会有{len(jobs)}个岗位，暂时没有特别适合您的，也可以去现场看看。"
    suited.sort(key=lambda p: -p[1].score)
    shown = [job_line(i, job, f) for i, (job, f) in enumerate(suited[:JOBS_SHOWN], 1)]
    return f"这场招聘会上适合您的岗位（共{len(jobs)}个岗位）：\n" + "\n".join(shown)


@router.command("招聘会提醒", "要招聘会提醒", "提醒我招聘会", "打开招聘会提醒", "开启招聘会提醒")
def remind_on(ctx: Ctx) -> Reply:
    return _set_reminders(ctx, True)


@router.command("不要招聘会提醒", "取消招聘会提醒", "关闭招聘会提醒", "别提醒招聘会")
def remind_off(ctx: Ctx) -> Reply:
    return _set_reminders(ctx, False)


def _set_reminders(ctx: Ctx, wanted: bool) -> Reply:
    worker = ctx.worker
    if worker is None:
        return Reply.of("登记以后才能提醒您。回复“登记”开始。")
    ctx.save_worker({"want_fair_push": wanted})
    if not wanted:
        return Reply.of("好的，以后不发招聘会提醒了。", "想恢复，回复“招聘会提醒”。")
    if not worker.subscribed:
        return Reply.of("好的，已打开招聘会提醒。", "您之前退订了推送，回复“订阅”恢复后才能收到。")
    return Reply.of("好的，招聘会前一天会提醒您。")

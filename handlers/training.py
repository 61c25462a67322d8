"""培训 / 学技术: the courses that fit the person (their skills, their learning wishes, wanting
to start a business) page by page, a course's detail, 报名 (never past the seats), 我的培训,
取消报名. The reminder the day before a course starts is `bot.outreach.courses`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers import silver
from handlers.notices import where
from handlers.paging import current_page, has_next, heading, off_the_list, turn_page
from handlers.policy_push import BUSINESS
from knowledge.text import choice_numbers, compact
from storage import courses as store
from storage.eligibility import has_flag
from storage.models import Course, Worker
from storage.silver import choices_of

router = Router("training")
browse = router.flow("training", title="")  # light flows: any command ends them
cancelling = router.flow("training_cancel", title="")

SIGN_UP, OTHERS = "报名", "看别的培训"
FEES_SHOWN = 4
NOT_REGISTERED = "报名培训要先登记。回复“登记”，几分钟就好。"


def day_text(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else "时间待定"


def place_text(course: Course) -> str:
    return where(course.town, course.venue, default="地点待定", sep=" ")


def _fits(session: Session, worker: Worker | None, courses: list[Course]) -> list[Course]:
    """The courses for this person, best first: their skills, their learning wishes (数字银龄),
    wanting to start a business, their town. Courses open to anyone count as a fit too."""
    if worker is None or worker.id is None:
        return courses
    skills, kinds = silver.course_fit(choices_of(session, worker_id=worker.id))
    if has_flag(session, worker_id=worker.id, flag=BUSINESS):
        kinds.add(store.STARTUP_KIND)

    def score(course: Course) -> int:
        wanted = {s for s in course.skills if s != "other"}
        points = 3 * bool(wanted & set(worker.skills)) + 3 * bool(wanted & skills) + 3 * (course.kind in kinds)
        return points + (not wanted) + (bool(course.town) and course.town == worker.town)

    scored = [(score(c), c) for c in courses]
    return [c for s, c in sorted(scored, key=lambda p: -p[0]) if s > 0]


@router.command("培训", "学技术", "技能培训", "参加培训", "培训班", "学手艺", "我想学技术", "有什么培训", "报名培训",
                "培训报名", "职业培训", "创业培训", menu=(25, "学技术（培训）"))
def list_courses(ctx: Ctx) -> Reply:
    today = ctx.services.local_now().date()
    upcoming = store.upcoming_courses(ctx.session, today=today)
    if not upcoming:
        return Reply.of("最近还没有培训班，过几天再来看看。", "有招聘会和活儿也会告诉您，回复“菜单”看看。")
    fitting = _fits(ctx.session, ctx.worker, upcoming)
    lead = "" if fitting or ctx.worker is None else "暂时没有跟您对口的培训，这些都可以报："
    ctx.start(browse.name, "list", {"ids": [c.id for c in fitting or upcoming], "page": 0})
    return Reply.of(lead) + _page(ctx)


def fees(ctx: Ctx) -> Reply:
    """What the next courses cost, as the course list has it (asked as 培训要钱吗): the course the
    question names ("育婴员培训要钱吗"), else the best fits first."""
    upcoming = store.upcoming_courses(ctx.session, today=ctx.services.local_now().date())
    if not upcoming:
        return Reply.of("最近还没有培训班，过几天再来看看。")
    asked = compact(ctx.text)
    named = [c for c in upcoming if (name := compact(c.title.split("培训")[0])) and name in asked]
    shown = (named or _fits(ctx.session, ctx.worker, upcoming) or upcoming)[:FEES_SHOWN]
    return Reply.of("最近的培训：\n" + "\n".join(f"{c.title}：{c.fee or '费用没写明'}" for c in shown))


def _line(number: int, course: Course, left: int) -> str:
    seats = "已报满" if left <= 0 else f"还剩{left}个名额"
    cert = " · 发证书" if course.certificate else ""
    return f"{number}. {course.title}\n   {day_text(course.starts_on)}开课 · {course.town or '县内'}{cert} · {seats}"


def _page(ctx: Ctx) -> Reply:
    first, shown = current_page(ctx)
    taken = store.taken_seats(ctx.session, shown)
    lines = []
    for offset, course_id in enumerate(shown):
        course = store.get_course(ctx.session, course_id)
        if course is not None:
            lines.append(_line(first + offset, course, course.seats - taken.get(course_id, 0)))
    more = "回复“更多”看下一页。" if has_next(ctx) else ""
    head = heading(ctx, f"有{len(ctx.data['ids'])}个培训：")
    return Reply.of(head + "\n" + "\n".join(lines), f"回复编号看详情和报名。{more}")


def _ask_list(ctx: Ctx) -> Reply:
    return Reply.of("回复编号看详情和报名，回复“更多”看下一页。")


@browse.step("list", ask=_ask_list)
def pick(ctx: Ctx) -> Reply:
    ids: list[int] = ctx.data["ids"]
    turned = turn_page(ctx, compact(ctx.text), _page)
    if turned is not None:
        return turned
    numbers = choice_numbers(ctx.text, len(ids))
    if not numbers:
        return off_the_list(ctx) or Reply.of("请回复列表里的编号，比如 1。") + _ask_list(ctx)
    ctx.data["course"] = ids[numbers[0] - 1]
    return ctx.goto("detail", _detail(ctx, ctx.data["course"]))


def _detail(ctx: Ctx, course_id: int) -> str:
    course = store.get_course(ctx.session, course_id)
    if course is None:
        return "这个培训已经取消了。"
    left = course.seats - store.taken_seats(ctx.session, [course_id]).get(course_id, 0)
    when = day_text(course.starts_on)
    if course.ends_on and course.ends_on != course.starts_on:
        when += f"—{day_text(course.ends_on)}"
    if course.hours:
        when += f"，{course.hours}"
    lines = [f"【{course.title}】", f"类型：{course.kind}", f"时间：{when}", f"地点：{place_text(course)}",
             f"费用：{course.fee or '没写明，报名后工作人员会告诉您'}",
             f"名额：{course.seats}人，{'已报满' if left <= 0 else f'还剩{left}个'}"]
    if course.certificate:
        lines.append("学完考试合格发证书")
    return "\n".join(lines)


def _ask_detail(ctx: Ctx) -> Reply:
    return Reply.of("要报名吗？", choices=[SIGN_UP, OTHERS])


@browse.step("detail", ask=_ask_detail)
def detail(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", compact(OTHERS), "不报", "不报了", "看别的"):
        ctx.conversation.step = "list"
        return _page(ctx)
    if key not in ("1", SIGN_UP, "我要报名", "好", "要", "报"):
        return Reply.of("请回复 1 报名，或回复 2 看别的培训。") + _ask_detail(ctx)
    return _sign_up(ctx, ctx.data["course"])


def _sign_up(ctx: Ctx, course_id: int) -> Reply:
    worker = ctx.worker
    if worker is None or worker.id is None:
        ctx.finish(keep_paused=True)
        return Reply.of(NOT_REGISTERED)
    today = ctx.services.local_now().date()
    result = store.sign_up(ctx.session, course_id=course_id, worker_id=worker.id, today=today, now=ctx.now)
    course = store.get_course(ctx.session, course_id)
    if result is store.Signup.MISSING or course is None:
        ctx.finish(keep_paused=True)
        return Reply.of("这个培训已经取消了，回复“培训”看看别的。")
    if result is store.Signup.FULL:
        ctx.conversation.step = "list"
        return Reply.of(f"对不起，{course.title}的名额已经报满了。") + _page(ctx)
    if result is store.Signup.STARTED:
        ctx.finish(keep_paused=True)
        return Reply.of(f"{course.title}已经开课了，下次再报。回复“培训”看看别的。")
    ctx.finish(keep_paused=True)
    if result is store.Signup.ALREADY:
        return Reply.of(f"您已经报过名了：{course.title}，不用再报。", "回复“我的培训”可以看看。")
    return Reply.of(f"报好名了：{course.title}。\n{day_text(course.starts_on)}开课，地点：{place_text(course)}。",
                    "开课前一天会提醒您。不去了，回复“取消报名”。")


# --- the person's own sign-ups -----------------------------------------------------------------------
def _mine(ctx: Ctx, statuses: tuple[str, ...] = store.HOLDS_SEAT) -> list[tuple[Any, Course]]:
    worker = ctx.worker
    return store.signups_of(ctx.session, worker_id=worker.id, statuses=statuses) if worker and worker.id else []


@router.command("我的培训", "我报的培训", "报了什么培训", "培训记录")
def my_courses(ctx: Ctx) -> Reply:
    if ctx.worker is None:
        return Reply.of(NOT_REGISTERED)
    rows = _mine(ctx)
    if not rows:
        return Reply.of("您还没有报名培训。回复“培训”看看有什么。")
    status = {store.SIGNED: "已报名", store.COMPLETED: "已学完"}
    lines = [f"{i}. {c.title}（{day_text(c.starts_on)}开课，{status[s.status]}）" for i, (s, c) in enumerate(rows, 1)]
    return Reply.of("您报的培训：\n" + "\n".join(lines), "不去了，回复“取消报名”。")


@router.command("取消报名", "不去培训了", "退出培训", "取消培训")
def cancel_start(ctx: Ctx) -> Reply:
    if ctx.worker is None:
        return Reply.of("您没有报名培训。")
    today = ctx.services.local_now().date()
    rows = [(s, c) for s, c in _mine(ctx, (store.SIGNED,)) if c.starts_on is None or c.starts_on >= today]
    if not rows:
        return Reply.of("您现在没有报名的培训，不用取消。")
    return ctx.start(cancelling.name, "pick", {"ids": [c.id for _, c in rows], "titles": [c.title for _, c in rows]})


def _ask_cancel(ctx: Ctx) -> Reply:
    return Reply.of("要取消哪个培训的报名？", choices=[*ctx.data["titles"], "不取消了"])


@cancelling.step("pick", ask=_ask_cancel)
def cancel_pick(ctx: Ctx) -> Reply:
    ids: list[int] = ctx.data["ids"]
    numbers = choice_numbers(ctx.text, len(ids) + 1)
    if compact(ctx.text) in ("不取消了", "不取消") or numbers == [len(ids) + 1]:
        ctx.finish(keep_paused=True)
        return Reply.of("好的，报名保留。")
    if not numbers or len(numbers) != 1:
        return Reply.of("请回复一个编号。") + _ask_cancel(ctx)
    course_id, title = ids[numbers[0] - 1], ctx.data["titles"][numbers[0] - 1]
    assert ctx.worker is not None and ctx.worker.id is not None
    done = store.cancel(ctx.session, course_id=course_id, worker_id=ctx.worker.id, now=ctx.now)
    ctx.finish(keep_paused=True)
    return Reply.of(f"已取消报名：{title}。名额留给别人了。" if done else "这个报名已经取消过了。")

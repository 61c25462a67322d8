"""Dashboard figures: this year's numbers from the database beside the plan's yearly targets
(开政办发〔2023〕36号), month by month, and as CSV or Excel for reports."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, false, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage import courses, outbox, silver
from storage.fairs import CANCELLED
from storage.models import Fair, Job, JobApplication, Outbox, PolicyQuestion, Worker

ELDERLY_AGE = 60
PLACED_STATUSES = ("placed", "hired")  # a job application that ended in work (录用)
# the plan's yearly targets: 招聘会50场以上, 岗位1万个以上, 低龄老年人再就业3000人次以上, SYB、GYB等创业培训700人以上
TARGETS = {"fairs_held": 50, "jobs_posted": 10000, "elderly_placed": 3000, "startup_trained": 700}
PLAN_YEARS = (2023, 2025)  # the plan's period; it sets the same targets for each of its years


def target_year(year: int) -> int:
    """The plan year whose targets a calendar year's figures are held against: after 2025 the
    plan sets no new ones, so its last year's stand."""
    return min(max(year, PLAN_YEARS[0]), PLAN_YEARS[1])


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    target: int | None = None
    note: str = ""

    @property
    def percent(self) -> int | None:
        return None if not self.target else round(100 * self.value / self.target)


def year_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    year = now.astimezone(tz).year
    return (datetime.combine(datetime(year, 1, 1).date(), time(), tz),
            datetime.combine(datetime(year + 1, 1, 1).date(), time(), tz))


def _scalar(session: Session, stmt: Any) -> int:
    return int(session.connection().execute(stmt).scalar_one() or 0)


def figures(session: Session, *, now: datetime, tz: ZoneInfo) -> list[Figure]:
    """This year's figures, targets where the plan sets one."""
    start, end = year_bounds(now, tz)
    held_until = min(now, end)
    fairs_held = _scalar(session, sa_select(func.count()).select_from(Fair).where(
        col(Fair.status) != CANCELLED, col(Fair.starts_at) >= start, col(Fair.starts_at) < held_until))
    fairs_planned = _scalar(session, sa_select(func.count()).select_from(Fair).where(
        col(Fair.status) != CANCELLED, col(Fair.starts_at) >= held_until, col(Fair.starts_at) < end))
    in_year = (col(Job.created_at) >= start, col(Job.created_at) < end)
    positions = _scalar(session, sa_select(func.coalesce(func.sum(col(Job.headcount)), 0)).where(*in_year))
    postings = _scalar(session, sa_select(func.count()).select_from(Job).where(*in_year))
    agreed = col(Worker.consent_pending) == false()  # registered by someone else and not yet agreed: not counted
    registered = _scalar(session, sa_select(func.count()).select_from(Worker).where(
        agreed, col(Worker.created_at) >= start, col(Worker.created_at) < end))
    all_workers = _scalar(session, sa_select(func.count()).select_from(Worker).where(agreed))
    year = now.astimezone(tz).year
    elderly = _scalar(session, sa_select(func.count(distinct(col(JobApplication.worker_id))))
                      .join(Worker, col(Worker.id) == col(JobApplication.worker_id))
                      .where(col(JobApplication.status).in_(PLACED_STATUSES),
                             col(Worker.birth_year) <= year - ELDERLY_AGE,
                             col(JobApplication.created_at) >= start, col(JobApplication.created_at) < end))
    any_placement = _scalar(session, sa_select(func.count()).select_from(JobApplication).where(
        col(JobApplication.status).in_(PLACED_STATUSES)))
    hired = _scalar(session, sa_select(func.count()).select_from(JobApplication).where(
        col(JobApplication.status).in_(PLACED_STATUSES),
        col(JobApplication.outcome_on) >= start.date(), col(JobApplication.outcome_on) < end.date()))
    # staff record re-employment directly too (数字银龄); one made through a 报名 is counted above
    elderly += silver.placements_without_application(session, first_day=start.date(),
                                                     last_day=end.date() - timedelta(days=1),
                                                     born_by=year - ELDERLY_AGE)
    any_placement += len(silver.list_placements(session, limit=1))
    trained = courses.year_counts(session, start=start, end=end)
    pushes = _scalar(session, sa_select(func.count()).select_from(Outbox).where(
        col(Outbox.status) == outbox.SENT, col(Outbox.sent_at) >= start, col(Outbox.sent_at) < end))
    asked = session.connection().execute(
        sa_select(col(PolicyQuestion.answered), func.count()).where(
            col(PolicyQuestion.asked_at) >= start, col(PolicyQuestion.asked_at) < end)
        .group_by(col(PolicyQuestion.answered))).all()
    answered = {bool(a): int(n) for a, n in asked}
    return [
        Figure("fairs_held", "已举办招聘会（场）", fairs_held, TARGETS["fairs_held"],
               f"今年还安排了 {fairs_planned} 场"),
        Figure("jobs_posted", "发布岗位（个，按招聘人数）", positions, TARGETS["jobs_posted"],
               f"共 {postings} 条招聘信息"),
        Figure("workers_registered", "今年新登记求职者（人）", registered, None, f"累计登记 {all_workers} 人"),
        Figure("hired", "报名后录用（人次）", hired, None, "工作人员或本人记下“录用”的报名"),
        Figure("elderly_placed", "低龄老年人再就业（人）", elderly, TARGETS["elderly_placed"],
               "60岁以上、已录用的人" if any_placement else "登记录用结果后开始计数"),
        Figure("startup_trained", "SYB/GYB 创业培训结业（人次）", trained["startup_completed"],
               TARGETS["startup_trained"]),
        Figure("courses_signed", "培训报名（人次）", trained["signed"]),
        Figure("courses_completed", "培训结业（人次）", trained["completed"], None, "工作人员在“培训”页标记结业"),
        Figure("pushes_sent", "已送达推送（条）", pushes),
        Figure("questions_answered", "政策问题：已回答（个）", answered.get(True, 0)),
        Figure("questions_unanswered", "政策问题：没答上（个）", answered.get(False, 0), None,
               "看下面的问题清单，补充政策解答"),
    ]


@dataclass(frozen=True)
class Month:
    month: int
    fairs_held: int
    jobs_posted: int
    workers_registered: int
    pushes_sent: int


def monthly(session: Session, *, now: datetime, tz: ZoneInfo) -> list[Month]:
    """The same figures month by month for this year (months after now are zero)."""
    start, end = year_bounds(now, tz)
    year = start.astimezone(tz).year
    bounds = [datetime(year, m, 1, tzinfo=tz) for m in range(1, 13)] + [end]

    def per_month(column: Any, weight: Any, *conditions: Any) -> list[int]:
        # one pass over the year's rows, a SUM(CASE …) per local month: the same SQL on both databases
        sums = [func.coalesce(func.sum(case((and_(column >= bounds[i], column < bounds[i + 1]), weight),
                                            else_=0)), 0) for i in range(12)]
        row = session.connection().execute(sa_select(*sums).where(column >= start, column < end, *conditions)).one()
        return [int(v) for v in row]

    fairs = per_month(col(Fair.starts_at), 1, col(Fair.status) != CANCELLED, col(Fair.starts_at) < now)
    jobs = per_month(col(Job.created_at), col(Job.headcount))
    workers = per_month(col(Worker.created_at), 1)
    pushes = per_month(col(Outbox.sent_at), 1, col(Outbox.status) == outbox.SENT)
    return [Month(m + 1, fairs[m], jobs[m], workers[m], pushes[m]) for m in range(12)]


def to_csv(figs: list[Figure], months: list[Month], *, year: int) -> bytes:
    """Figures and months as CSV with a BOM, so Excel opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{year}年指标", "今年完成", "全年目标", "完成率", "说明"])
    for f in figs:
        writer.writerow([f.label, f.value, f.target or "", f"{f.percent}%" if f.percent is not None else "", f.note])
    writer.writerow([])
    writer.writerow(["月份", "已举办招聘会", "发布岗位", "新登记求职者", "已送达推送"])
    for m in months:
        writer.writerow([f"{m.month}月", m.fairs_held, m.jobs_posted, m.workers_registered, m.pushes_sent])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(figs: list[Figure], months: list[Month], *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.worksheets[0]  # the one sheet a new workbook has
    sheet.title = "年度指标"
    sheet.append([f"{year}年指标", "今年完成", "全年目标", "完成率", "说明"])
    for f in figs:
        sheet.append([f.label, f.value, f.target, f.value / f.target if f.target else None, f.note])
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "0%"
    by_month = book.create_sheet("按月")
    by_month.append(["月份", "已举办招聘会", "发布岗位", "新登记求职者", "已送达推送"])
    for m in months:
        by_month.append([f"{m.month}月", m.fairs_held, m.jobs_posted, m.workers_registered, m.pushes_sent])
    for ws in (sheet, by_month):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 30
        for column in "BCDE":
            ws.column_dimensions[column].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_dicts(figs: list[Figure], months: list[Month]) -> dict[str, Any]:
    return {"figures": [{**asdict(f), "percent": f.percent} for f in figs], "months": [asdict(m) for m in months]}

"""What pushes and job lists say: the job line, the reasons a job suits someone, the push
text and the daily digest, in short words an elderly reader takes in at a glance."""

from __future__ import annotations

from knowledge import taxonomy
from knowledge.job_text import DAYS_LABELS
from storage.jobs import CLOSED, EXPIRED, FILLED, OPEN
from storage.matching import Fit
from storage.models import Job

DAILY_SETTLED = "元/天日结"  # pay staff wrote as 日结: settled each day, not only counted by the day
PLACE_WORDS = {"village": "就在本村", "door": "送料上门", "town": "在本乡镇", "county_wide": "全县都招"}
STOP_HINT = "回复“退订”不再接收。"
JOB_STATUS = {OPEN: "招聘中", FILLED: "已招满", CLOSED: "已结束", EXPIRED: "已过期"}  # for staff lists


def pay_text(job: Job) -> str:
    amount = f"{job.pay_amount:g}" if job.pay_amount is not None else None
    if amount is None or job.pay_unit in ("面议", "计件"):
        return "计件工资" if job.pay_unit == "计件" else "工资面议"
    return {"元/天": f"每天{amount}元", DAILY_SETTLED: f"日结{amount}元", "元/小时": f"每小时{amount}元",
            "元/月": f"月薪{amount}元", "元/件": f"每件{amount}元"}.get(job.pay_unit, f"{amount}{job.pay_unit}")


def place_text(job: Job) -> str:
    return where(job.town, job.village, default="全县")


def where(town: str | None, place: str | None, *, default: str, sep: str = "") -> str:
    """"华埠镇金星村"; a place that already names its town ("华埠镇文化礼堂", "华埠文化礼堂") is
    not given the town again."""
    short = (town or "").removesuffix("办事处").rstrip("镇乡")
    if town and place and (town in place or (len(short) >= 2 and place.startswith(short))):
        return place
    return sep.join(p for p in (town, place) if p) or default


def place_reason(job: Job, fit: Fit) -> str:
    """Where the job is for this person, truthfully: another town is named, never "离您近"."""
    if fit.place == "neighbour":
        return f"在邻近的{job.town}"
    if fit.place == "county":
        return f"在{job.town}"
    return PLACE_WORDS[fit.place]


def reasons(job: Job, fit: Fit) -> str:
    """"就在本村 · 需要采茶 · 日结150元": why this job is shown to this person."""
    parts = [place_reason(job, fit)]
    if fit.skills:
        parts.append("需要" + "、".join(taxonomy.skills().label(s).split("/")[0] for s in fit.skills))
    parts.append(pay_text(job))
    return " · ".join(parts)


def job_line(number: int, job: Job, fit: Fit | None) -> str:
    why = reasons(job, fit) if fit else pay_text(job)
    return f"{number}. {job.title}（{place_text(job)}）\n   {why}"


def job_detail(job: Job, employer: str | None) -> str:
    lines = [f"【{job.title}】", f"地点：{place_text(job)}{('，' + job.address) if job.address else ''}",
             f"工资：{pay_text(job)}"]
    if employer:
        lines.append(f"单位：{employer}")
    if job.hours:
        lines.append(f"时间：{job.hours}")
    if job.season:
        lines.append(f"季节：{job.season}")
    if job.start_date or job.end_date:
        lines.append(f"日期：{job.start_date or ''}～{job.end_date or ''}")
    if job.age_min or job.age_max:
        lines.append(f"年龄：{job.age_min or 16}～{job.age_max or '不限'}岁")
    lines.append(f"招{job.headcount}人 · 体力活：{job.physical}")
    if job.show_phone and job.contact_phone:
        lines.append(f"电话：{job.contact_phone}（可以先打电话问问）")
    if job.night_shift:
        lines.append("有夜班")
    if job.days:
        lines.append(DAYS_LABELS.get(job.days, job.days))
    if job.at_door:
        lines.append("送料上门，在家做")
    if job.description:
        lines.append(job.description)
    return "\n".join(lines)


def job_push(job: Job, fit: Fit) -> tuple[str, ...]:
    return (f"有个新活儿适合您：\n{job.title}（{place_text(job)}）\n{reasons(job, fit)}\n"
            f"回复“找工作”看详情和报名。{STOP_HINT}",)


def job_push_fields(job: Job) -> dict[str, str]:
    """The job's facts for a channel with fixed templates (SMS): what, where, the pay, and whom to
    ask: the employer's phone when staff let it be shown, else the village cadre (who can look the
    job up in the console), since a person on SMS cannot reply to apply."""
    contact = job.contact_phone if job.show_phone and job.contact_phone else "村干部"
    return {"title": job.title, "place": place_text(job), "pay": pay_text(job), "contact": contact}


def digest(titles: list[str]) -> tuple[str, ...]:
    listed = "\n".join(f"{i}. {t}" for i, t in enumerate(titles[:5], 1))
    more = f"\n……共{len(titles)}个" if len(titles) > 5 else ""
    return (f"今天还有{len(titles)}个新活儿适合您：\n{listed}{more}\n回复“找工作”看详情。{STOP_HINT}",)

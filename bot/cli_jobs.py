"""Staff commands for jobs (`jobbot jobs …`) and the push delivery worker (`jobbot deliver`)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import typer
from sqlalchemy import Engine

from bot.app import configure_logging, prepare_database
from bot.cli_help import HelpGroup
from bot.services import Services
from bot.settings import get_settings
from storage.db import session_scope

jobs_app = typer.Typer(cls=HelpGroup, help="岗位：发布、列表、关闭、批量导入", no_args_is_help=True)


def _context() -> tuple[Engine, Services]:
    settings = get_settings()
    return prepare_database(settings), Services(settings=settings)


@jobs_app.command("add")
def add(
    title: str = typer.Option(..., "--title", help="岗位名称，如 春茶采摘工"),
    employer: str = typer.Option(..., "--employer", help="用工单位"),
    town: str = typer.Option(..., "--town", help="乡镇，如 华埠"),
    village: str = typer.Option("", "--village", help="村（社区）"),
    skills: str = typer.Option("", "--skills", help="技能，如 采茶；不填按岗位名称判断"),
    pay: str = typer.Option("面议", "--pay", help="150元/天、25元/小时、计件、面议"),
    headcount: int = typer.Option(1, "--headcount", min=1, help="招聘人数"),
    age: str = typer.Option("", "--age", help="18-60、60岁以下、不限"),
    physical: str = typer.Option("中", "--physical", help="轻/中/重"),
    night_shift: bool = typer.Option(False, "--night-shift", help="要上夜班"),
    hours: str = typer.Option("", "--hours", help="工作时间，如 07:00-16:00"),
    season: str = typer.Option("", "--season", help="用工季节，如 春茶"),
    start_date: str = typer.Option("", "--start", help="开始日期，如 2026-04-01"),
    end_date: str = typer.Option("", "--end", help="结束日期"),
    phone: str = typer.Option("", "--phone", help="联系电话"),
    description: str = typer.Option("", "--note", help="说明，如 要扛化肥、要求40岁以内、22点到早上6点、只要工作日"),
    check: bool = typer.Option(False, "--check", help="只看读懂了什么，不发布"),
    yes: bool = typer.Option(False, "--yes", "-y", help="在终端里也不再确认"),
) -> None:
    """发布一个岗位，并推送给适合的人。先显示从名称和说明里读懂的工种、年龄、体力、夜班等。"""
    from bot.outreach.jobs import post_job
    from bot.postings import PostingError, job_fields, understood

    engine, services = _context()
    spec = {"title": title, "employer": employer, "town": town, "village": village, "skills": skills, "pay": pay,
            "headcount": str(headcount), "age": age, "physical": physical, "night_shift": "是" if night_shift else "",
            "hours": hours, "season": season, "start_date": start_date, "end_date": end_date, "phone": phone,
            "description": description}
    try:
        typer.echo(f"读懂的：{understood(job_fields(spec, services))}")
        if check or (sys.stdin.isatty() and not yes and not typer.confirm("这样发布吗？", default=True)):
            return
        with session_scope(engine) as session:
            job, pushes = post_job(session, services, spec)
    except PostingError as error:
        typer.echo(f"没有发布：{error}", err=True)
        raise typer.Exit(2) from error
    if job is None:
        typer.echo("这个岗位已经发布过了。")
        return
    typer.echo(f"已发布岗位 {job.id}：{job.title}（{job.town or '全县'}），将推送给 {pushes} 人。")
    if not job.skills:
        typer.echo(f"工种没认出来，先不推送。选好工种：jobbot jobs classify {job.id} 采茶")


@jobs_app.command("list")
def list_(status: str = typer.Option("open", "--status",
                                     help="open 招聘中/filled 已招满/closed 已结束/expired 已过期/all 全部"),
          town: str = typer.Option("", "--town", help="只列这个乡镇的，如 华埠")) -> None:
    """列出岗位：编号、状态、乡镇、岗位、工种、工资、人数，用制表符隔开，第一行是列名。"""
    from handlers.notices import JOB_STATUS, pay_text
    from knowledge import taxonomy
    from storage.jobs import list_jobs

    engine, services = _context()
    town_name = services.places.resolve(town).town if town else None
    with session_scope(engine) as session:
        jobs = list_jobs(session, status=None if status == "all" else status, town=town_name, limit=500)
        if jobs:
            typer.echo("编号\t状态\t乡镇\t岗位\t工种\t工资\t人数")
        for job in jobs:
            kinds = taxonomy.skills().labels_of(job.skills) if job.skills else "未归类"
            typer.echo(f"{job.id}\t{JOB_STATUS.get(job.status, job.status)}\t{job.town or '全县'}\t{job.title}"
                       f"\t{kinds}\t{pay_text(job)}\t招{job.headcount}人")
    if not jobs:
        typer.echo("没有岗位。")


@jobs_app.command("close")
def close(job_id: int = typer.Argument(..., help="岗位编号（jobs list 的第一列）"),
          status: str = typer.Option("closed", "--status", help="closed 已结束 或 filled 已招满")) -> None:
    """关闭一个岗位（不再展示、不再推送）。"""
    from storage.jobs import set_status

    engine, services = _context()
    with session_scope(engine) as session:
        found = set_status(session, job_id=job_id, status=status, now=services.clock())
    if not found:
        typer.echo(f"没有编号为 {job_id} 的岗位。", err=True)
        raise typer.Exit(1)
    typer.echo(f"岗位 {job_id} 已{'招满' if status == 'filled' else '关闭'}。")


def _import_help() -> str:
    from bot.postings import COLUMNS, REQUIRED

    columns = "\n".join(("* " if field in REQUIRED else "  ") + "\n    ".join(_lines_of(names))
                        for field, names in COLUMNS.items())
    return ("从Excel或CSV表格批量导入岗位：第一行写列名，以下每行一个岗位。有问题的行（包括已经过了结束日期的）"
            "列出行号和原因，其他行照常导入。加 --check 只看每行读懂了什么，不导入。\n\n"
            "退出状态：0 都导入了（含已有的重复岗位）；1 有的行没有导入；"
            "2 整个文件不能用（找不到、格式不对、缺列）。\n\n"
            f"认得的列名（* 为必填；同一行是同一列的几种写法）：\n{columns}")


def _lines_of(names: tuple[str, ...], width: int = 30) -> list[str]:
    """Names joined by 、 in lines short enough that the help never breaks a name in two."""
    lines = [""]
    for name in names:
        if lines[-1] and len(lines[-1]) + 1 + len(name) > width:
            lines.append("")
        lines[-1] += ("、" if lines[-1] else "") + name
    return lines


@jobs_app.command("import", help=_import_help())
def import_(path: Path = typer.Argument(..., help="表格文件，.xlsx 或 .csv"),
            check: bool = typer.Option(False, "--check", help="只看每行读懂了什么，不导入")) -> None:
    from bot.outreach.jobs import import_jobs
    from bot.postings import PostingError

    if not path.is_file():
        typer.echo(f"导入失败：找不到文件 {path}", err=True)
        raise typer.Exit(2)
    engine, services = _context()
    try:
        with session_scope(engine) as session:
            report = import_jobs(session, services, path.read_bytes(), path.name, check=check)
    except PostingError as error:
        typer.echo(f"导入失败：{error}", err=True)
        raise typer.Exit(2) from error
    for row, title, read in report.understood:
        typer.echo(f"第 {row} 行 {title}：{read}")
    if check:
        typer.echo(f"可以导入 {report.added} 个岗位（只是查看，没有导入）。")
    else:
        typer.echo(f"新增 {report.added} 个岗位，重复 {report.duplicates} 个，推送 {report.pushes} 人次。")
    for row, reason in report.errors:
        typer.echo(f"第 {row} 行没有导入：{reason}")
    if report.unclassified and not check:
        numbers = "、".join(map(str, report.unclassified))
        typer.echo(f"{len(report.unclassified)} 个岗位工种没认出来，先不推送（岗位 {numbers}）。"
                   "选好工种：jobbot jobs classify 编号 工种")
    if report.errors:
        raise typer.Exit(1)  # so that a script notices (see --help)


@jobs_app.command("classify")
def classify(job_id: int = typer.Argument(..., help="岗位编号"),
             kinds: str = typer.Argument(..., help="工种，如 采茶、电工；可写几个")) -> None:
    """给岗位选工种（未归类的岗位选好后才推送）。"""
    from bot.outreach.jobs import classify_job
    from bot.postings import PostingError
    from knowledge import taxonomy

    engine, services = _context()
    try:
        with session_scope(engine) as session:
            job, pushes = classify_job(session, services, job_id=job_id, kinds=kinds)
            label = taxonomy.skills().labels_of(job.skills)
    except PostingError as error:
        typer.echo(f"没有改：{error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"岗位 {job_id} 的工种是 {label}，将推送给 {pushes} 人。")


@jobs_app.command("applications")
def applications_(job_id: int = typer.Option(None, "--job", help="只看这个岗位编号的"),
                  reveal: int = typer.Option(None, "--reveal",
                                             help="显示这条报名的完整电话（会记录在操作记录里）")) -> None:
    """看谁报了名：时间（JOBBOT_TIMEZONE 的当地时间）、报名编号、称呼、电话（打码）、结果。"""
    from bot.console.context import mask_id, mask_phone
    from storage.applications import LABELS
    from storage.jobs import applications
    from storage.models import StaffAudit

    engine, services = _context()
    with session_scope(engine) as session:
        rows = applications(session, job_id=job_id, limit=100 if reveal is None else 100_000)
        if reveal is not None:
            found = next((a for a in rows if a.id == reveal), None)
            if found is None or not found.phone:
                typer.echo(f"报名 {reveal} 没有留电话。" if found else f"没有编号为 {reveal} 的报名。", err=True)
                raise typer.Exit(1)
            session.add(StaffAudit(at=services.clock(), action="worker.contact", target=str(found.worker_id),
                                   detail={"application": reveal}, ip="命令行"))
            typer.echo(f"{found.name or '（没留称呼）'}\t{found.phone}")
            return
        for a in rows:
            outcome = LABELS.get(a.status, a.status) + (f" {a.outcome_on}" if a.outcome_on else "")
            typer.echo(f"{a.at.astimezone(services.tz):%Y-%m-%d %H:%M}\t报名 {a.id}\t岗位 {a.job_id} {a.job_title}"
                       f"\t{a.name or '（没留称呼）'}"
                       f"\t{mask_phone(a.phone) or '没留电话'}\t{outcome}\t{a.channel} {mask_id(a.user_id)}"
                       f"\t登记号 {a.worker_id or '-'}")
    if not rows:
        typer.echo("还没有人报名。")


@jobs_app.command("outcome")
def outcome(application_id: int = typer.Argument(..., help="报名编号（jobbot jobs applications 里的）"),
            result: str = typer.Argument(..., help="联系上 / 录用 / 未录用"),
            on: str = typer.Option("", "--date", help="哪天，如 2026-10-15；默认今天")) -> None:
    """记下一条报名的结果（录用算进就业人数；招满的岗位不再推送）。"""
    from datetime import date

    from storage.applications import OUTCOMES, outcome_code, record_outcome

    code = outcome_code(result)
    if code is None:
        typer.echo(f"结果只能是：{'、'.join(OUTCOMES.values())}", err=True)
        raise typer.Exit(2)
    engine, services = _context()
    try:
        day = date.fromisoformat(on) if on else services.local_now().date()
    except ValueError as error:
        typer.echo("日期写成 2026-10-15", err=True)
        raise typer.Exit(2) from error
    with session_scope(engine) as session:
        recorded = record_outcome(session, application_id=application_id, outcome=code, on=day, by="staff",
                                  now=services.clock())
        if recorded is None:
            typer.echo(f"没有编号为 {application_id} 的报名。", err=True)
            raise typer.Exit(1)
        filled = f"岗位 {recorded.job.id} 已招满，不再推送。" if recorded.filled else ""
    typer.echo(f"报名 {application_id}：{OUTCOMES[code]}（{day}）。{filled}")


@jobs_app.command("show")
def show(job_id: int = typer.Argument(..., help="岗位编号")) -> None:
    """一个岗位的招聘情况：谁报了名、录用了谁、还差几人。"""
    from bot.console.context import mask_phone
    from storage.applications import LABELS, job_view

    engine, _ = _context()
    with session_scope(engine) as session:
        view = job_view(session, job_id=job_id)
        if view is None:
            typer.echo(f"没有编号为 {job_id} 的岗位。", err=True)
            raise typer.Exit(1)
        typer.echo(f"岗位 {job_id} {view.job.title}（{view.job.town or '全县'}）：招 {view.job.headcount} 人，"
                   f"已录用 {view.hired} 人，还差 {view.left} 人，{len(view.applicants)} 人报名。")
        for a in view.applicants:
            typer.echo(f"  {a.id}\t{a.name or '（没留称呼）'}\t{mask_phone(a.phone) or '没留电话'}"
                       f"\t{LABELS.get(a.status, a.status)}")


def deliver(once: bool = typer.Option(False, "--once", help="只发一轮就退出")) -> None:
    """运行推送发送进程：按免打扰、每日上限和平台限速发出待发的消息。"""
    from bot.delivery_process import opened

    configure_logging()
    engine, services = _context()

    async def run() -> None:
        async with opened(services.settings, engine, services) as deliverer:
            if once:
                await deliverer.recover()
                while await deliverer.run_once():
                    pass
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await deliverer.run_forever(stop)

    asyncio.run(run())

"""Staff post jobs: one at a time (CLI, staff API) or from a CSV/Excel sheet with Chinese
column names. Each job is checked, stored once, and pushed to the workers it suits.

A sheet's bad rows are reported with their row number and reason while good rows go in;
importing the same sheet twice adds nothing twice (each row has a stable source key).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from bot.services import Services
from handlers.notices import DAILY_SETTLED, job_push
from knowledge import taxonomy
from knowledge.text import arabize, compact, integers, normalize
from storage.eligibility import push_delays
from storage.jobs import add_job, employer_id
from storage.matching import matching_workers
from storage.models import Job, saved_id
from storage.outbox import Push, enqueue

COLUMNS: dict[str, tuple[str, ...]] = {  # field → the headers staff write for it
    "key": ("编号", "岗位编号", "序号id"),
    "title": ("岗位名称", "岗位", "职位", "工种名称", "招聘岗位"),
    "employer": ("用工单位", "单位", "企业", "雇主", "公司", "用工主体"),
    "employer_kind": ("单位类型", "主体类型", "类型"),
    "town": ("乡镇", "乡镇街道", "所在乡镇", "工作乡镇"),
    "village": ("村", "村社区", "村（社区）", "村/社区", "所在村"),
    "address": ("地址", "工作地点", "详细地址"),
    "skills": ("技能", "工种", "技能要求", "所需技能"),
    "pay": ("工资", "薪资", "报酬", "待遇", "工价"),
    "season": ("季节", "用工季节"),
    "start_date": ("开始日期", "开始时间", "用工开始"),
    "end_date": ("结束日期", "截止日期", "用工结束"),
    "hours": ("工作时间", "上班时间", "时间"),
    "headcount": ("招聘人数", "人数", "需要人数"),
    "age": ("年龄要求", "年龄"),
    "physical": ("体力要求", "体力", "劳动强度"),
    "night_shift": ("夜班", "是否夜班"),
    "phone": ("联系电话", "电话", "联系方式"),
    "show_phone": ("报名前显示电话", "公开电话", "电话可公开"),
    "public_welfare": ("公益性岗位", "是否公益性岗位"),
    "description": ("说明", "备注", "岗位说明", "要求"),
}
REQUIRED = ("title", "employer", "town")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
_PAY_UNITS = (("日结", DAILY_SETTLED), ("小时", "元/小时"), ("月", "元/月"), ("件", "元/件"), ("天", "元/天"),
              ("日", "元/天"))
_PHONE = re.compile(r"^[\d\-\s+()]{7,20}$")


MAX_HEADCOUNT = 10_000
MAX_AGE = 120


class PostingError(ValueError):
    """A job spec that cannot be posted; the message says why, in Chinese, for staff."""


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    pushes: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)


def _pay(text: str) -> tuple[float | None, str]:
    """(amount, unit) from "150元/天", "日结150" (settled daily), "每小时二十五元", "计件", "面议"."""
    key = compact(text)
    if not key or "面议" in key:
        return None, "面议"
    amount = _AMOUNT.search(arabize(text))
    if amount is None:
        if "计件" in key:
            return None, "计件"
        raise PostingError(f"工资“{text}”看不懂，请写成 150元/天、25元/小时、计件 或 面议")
    unit = next((u for word, u in _PAY_UNITS if word in key), "元/天")
    return float(amount.group(0)), unit


def _ages(text: str) -> tuple[int | None, int | None]:
    key = compact(text)
    numbers = integers(text)
    if not key or key in ("不限", "无"):
        return None, None
    if any(n > MAX_AGE for n in numbers):
        raise PostingError(f"年龄要求“{text}”不对，年龄最大写 {MAX_AGE}")
    if len(numbers) == 2:
        return min(numbers), max(numbers)
    if len(numbers) == 1:
        return (numbers[0], None) if "以上" in key or "起" in key else (None, numbers[0])
    raise PostingError(f"年龄要求“{text}”看不懂，请写成 18-60、60岁以下 或 不限")


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalize(str(value)).replace("年", "-").replace("月", "-").replace("日", "")
    text = text.replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(p) for p in text.strip("-").split("-"))
        return date(year, month, day)
    except ValueError as error:
        raise PostingError(f"日期“{value}”看不懂，请写成 2026-03-01") from error


def _headcount(text: str) -> int:
    """"5"、"五人"、"3-5人" → the first number; blank or 若干/不限 → 1; anything else is refused."""
    if compact(text) in ("", "若干", "不限", "不定"):
        return 1
    found = integers(text)
    if not found:
        raise PostingError(f"招聘人数“{text}”不是数字")
    return found[0]


def _flag(value: Any) -> bool:
    return compact(str(value or "")) in ("是", "有", "1", "true", "yes", "y", "√")


def job_fields(spec: dict[str, Any], services: Services, session: Session) -> dict[str, Any]:
    """Check one job spec (field → value as staff typed it) and turn it into Job columns."""
    text = {k: ("" if v is None else str(v).strip()) for k, v in spec.items()}
    missing = [COLUMNS[f][0] for f in REQUIRED if not text.get(f)]
    if missing:
        raise PostingError("缺少" + "、".join(missing))
    town = services.places.resolve(text["town"]).town
    if town is None:
        raise PostingError(f"乡镇“{text['town']}”不认识")
    skills = taxonomy.skills().parse(text.get("skills") or text["title"]) or ["other"]
    pay_amount, pay_unit = _pay(text.get("pay", ""))
    age_min, age_max = _ages(text.get("age", ""))
    physical = next((p for p in ("重", "中", "轻") if p in text.get("physical", "")), "中")
    headcount = _headcount(text.get("headcount", ""))
    if not 1 <= headcount <= MAX_HEADCOUNT:
        raise PostingError(f"招聘人数应在 1 到 {MAX_HEADCOUNT} 人之间")
    phone = text.get("phone") or None
    if phone and not _PHONE.match(phone):
        raise PostingError(f"联系电话“{phone}”不像电话号码")
    start, end = _date(spec.get("start_date")), _date(spec.get("end_date"))
    if start and end and end < start:
        raise PostingError("结束日期早于开始日期")
    employer = employer_id(session, name=text["employer"][:128], kind=text.get("employer_kind") or None,
                           town=town, phone=phone)
    fields = {
        "title": text["title"][:128], "employer_id": employer, "town": town,
        "village": text.get("village") or None, "address": text.get("address") or None, "skills": skills,
        "pay_amount": pay_amount, "pay_unit": pay_unit, "season": text.get("season") or None,
        "start_date": start, "end_date": end, "hours": text.get("hours") or None,
        "night_shift": _flag(spec.get("night_shift")), "headcount": headcount, "age_min": age_min,
        "age_max": age_max, "physical": physical, "public_welfare": _flag(spec.get("public_welfare")),
        "contact_phone": phone, "show_phone": bool(phone) and _flag(spec.get("show_phone")),
        "description": text.get("description") or None, "status": "open",
    }
    identity = text.get("key") or "|".join(str(fields[k]) for k in ("title", "employer_id", "town", "village",
                                                                     "pay_amount", "pay_unit", "start_date"))
    fields["source_key"] = "job:" + hashlib.sha1(identity.encode()).hexdigest()[:20]
    return fields


def queue_job_pushes(session: Session, services: Services, job: Job) -> int:
    """Queue the job for every worker it suits; a worker is never queued the same job twice."""
    now = services.clock()
    places = services.places
    neighbours = {t.name: t.neighbours for t in places.towns}
    matches = matching_workers(session, job=job, year=services.local_now().year, neighbours=neighbours)
    waits = push_delays(session, job=job, worker_ids=[m.worker_id for m in matches])  # 公益性岗位: hardship first
    return enqueue(session, (Push(key=f"job:{job.id}:{m.worker_id}", worker_id=m.worker_id, kind="job",
                                  ref_id=job.id, texts=job_push(job, m.fit),
                                  not_before=now + waits.get(m.worker_id, timedelta())) for m in matches), now=now)


def post_job(session: Session, services: Services, spec: dict[str, Any], *,
             only_town: str | None = None) -> tuple[Job | None, int]:
    """Store one job and queue its pushes: (the job, or None if already posted; pushes queued).

    `only_town` keeps a town's staff to jobs in their own town."""
    fields = job_fields(spec, services, session)
    if only_town is not None and fields["town"] != only_town:
        raise PostingError(f"您只能发布{only_town}的岗位")
    job = add_job(session, fields=fields, now=services.clock())
    if job is None:
        return None, 0
    return job, queue_job_pushes(session, services, job)


def _header_map(headers: Iterable[Any]) -> dict[int, str]:
    by_alias = {compact(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    return {i: by_alias[compact(str(h))] for i, h in enumerate(headers)
            if h is not None and compact(str(h)) in by_alias}


def read_sheet(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as staff see it, field → cell) for each non-empty row of a .xlsx or .csv."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise PostingError(f"Excel 文件打不开：{error.__class__.__name__}") from error
        rows: Iterable[Sequence[Any]] = sheet.iter_rows(values_only=True)
    elif filename.lower().endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                rows = list(csv.reader(io.StringIO(data.decode(encoding))))
                break
            except UnicodeDecodeError:
                continue
        else:
            raise PostingError("CSV 文件的编码看不懂，请另存为 UTF-8")
    else:
        raise PostingError("只支持 .xlsx 和 .csv 文件")
    iterator = iter(rows)
    headers = _header_map(next(iterator, ()))
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in headers.values()]
    if missing:
        raise PostingError("表格缺少这些列：" + "、".join(missing) + "（第一行应是列名）")
    for number, row in enumerate(iterator, start=2):
        spec = {headers[i]: cell for i, cell in enumerate(row) if i in headers and cell not in (None, "")}
        if spec:
            yield number, spec


def import_jobs(session: Session, services: Services, data: bytes, filename: str, *,
                only_town: str | None = None) -> ImportReport:
    """Import a sheet: good rows are posted (each in its own savepoint), bad rows reported."""
    report = ImportReport()
    for number, spec in read_sheet(data, filename):
        try:
            with session.begin_nested():
                job, pushes = post_job(session, services, spec, only_town=only_town)
        except PostingError as error:
            report.errors.append((number, str(error)))
            continue
        if job is None:
            report.duplicates += 1
        else:
            report.added += 1
            report.pushes += pushes
            report.job_ids.append(saved_id(job))
    return report

"""What staff write about a job, read into Job columns: one spec (CLI, staff API) or the rows
of a CSV/Excel sheet with Chinese column names. A spec that cannot be read raises
`PostingError` saying why; storing and pushing a job is `bot.outreach.jobs`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from bot.services import Services
from handlers.notices import DAILY_SETTLED
from knowledge import job_text, taxonomy
from knowledge.places import village_after_town
from knowledge.text import arabize, compact, integers, normalize

COLUMNS: dict[str, tuple[str, ...]] = {  # field → the headers staff write for it
    "key": ("编号", "岗位编号", "序号id"),
    "title": ("岗位名称", "岗位", "职位", "工种名称", "招聘岗位", "职位名称", "岗位名"),
    "employer": ("用工单位", "单位", "企业", "雇主", "公司", "用工主体", "招聘单位", "用人单位", "单位名称",
                 "企业名称"),
    "employer_kind": ("单位类型", "主体类型", "类型"),
    "town": ("乡镇", "乡镇街道", "所在乡镇", "工作乡镇", "镇街", "乡镇名称", "所属乡镇", "工作区域", "区域"),
    "village": ("村", "村社区", "村（社区）", "村/社区", "所在村", "村名", "行政村", "所在村社区"),
    "address": ("地址", "工作地点", "详细地址", "工作地址", "上班地点"),
    "skills": ("技能", "工种", "技能要求", "所需技能", "工种类别", "岗位类别"),
    "pay": ("工资", "薪资", "报酬", "待遇", "工价", "薪酬", "工资待遇", "薪资待遇"),
    "season": ("季节", "用工季节"),
    "start_date": ("开始日期", "开始时间", "用工开始"),
    "end_date": ("结束日期", "截止日期", "用工结束", "截止时间", "结束时间", "招聘截止", "有效期至", "有效期"),
    "hours": ("工作时间", "上班时间", "时间", "工作时段", "班次"),
    "headcount": ("招聘人数", "人数", "需要人数", "招聘数量", "需求人数", "用工人数"),
    "age": ("年龄要求", "年龄", "年龄限制"),
    "physical": ("体力要求", "体力", "劳动强度"),
    "night_shift": ("夜班", "是否夜班"),
    "phone": ("联系电话", "电话", "联系方式", "联系人电话", "手机"),
    "show_phone": ("报名前显示电话", "公开电话", "电话可公开"),
    "public_welfare": ("公益性岗位", "是否公益性岗位"),
    "description": ("说明", "备注", "岗位说明", "要求", "岗位要求", "任职要求", "岗位职责", "工作内容", "岗位描述",
                    "其他要求", "工作要求", "备注说明"),
}
REQUIRED = ("title", "employer", "town")  # the town may come from the address column instead
_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
_PAY_UNITS = (("日结", DAILY_SETTLED), ("小时", "元/小时"), ("月", "元/月"), ("件", "元/件"), ("天", "元/天"),
              ("日", "元/天"))
_PHONE = re.compile(r"^[\d\-\s+()]{7,20}$")


MAX_HEADCOUNT = 10_000
MAX_AGE = 120


class PostingError(ValueError):
    """A job spec that cannot be posted; the message says why, in Chinese, for staff."""



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
    if not key or key in ("不限", "无", "年龄不限"):
        return None, None
    numbers = integers(text)
    if any(n > MAX_AGE for n in numbers):
        raise PostingError(f"年龄要求“{text}”不对，年龄最大写 {MAX_AGE}")
    read = job_text.ages(text)
    if read != (None, None):
        return read
    if len(numbers) == 2:
        return min(numbers), max(numbers)
    if len(numbers) == 1:
        return (numbers[0], None) if "以上" in key or "起" in key else (None, numbers[0])
    raise PostingError(f"年龄要求“{text}”看不懂，请写成 18-60、60岁以下 或 不限")


_OPEN_ENDED = ("长期", "不限", "无", "待定", "招满为止", "长期有效")
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def _date(value: Any, this_year: int) -> date | None:
    """A date as staff write it: 2026-03-01, 2026年3月1日, 2026/3/1, 3月1日 (this year); 长期 is none."""
    if value in (None, "") or compact(str(value)) in _OPEN_ENDED:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalize(str(value)).replace("年", "-").replace("月", "-").replace("日", "").replace("号", "")
    text = text.replace("/", "-").replace(".", "-").strip().strip("-")
    if _MONTH_DAY.match(text):
        text = f"{this_year}-{text}"
    try:
        year, month, day = (int(p) for p in text.split("-"))
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


def _season_of(start: date | None, end: date | None) -> str | None:
    """A job of a few weeks has the season of its middle day (a 春茶 job from 3月10日 to 4月30日)."""
    if not (start and end) or (end - start).days > 92:
        return None
    return job_text.season_of_month((start + (end - start) / 2).month)


def _flag(value: Any) -> bool:
    return compact(str(value or "")) in ("是", "有", "1", "true", "yes", "y", "√")


def _physical(column: str, reading: job_text.Reading) -> str:
    """Heavy when the text says so whatever the column; else the column, the text, the kind."""
    if reading.physical == job_text.HEAVY:
        return job_text.HEAVY
    explicit = next((p for p in (job_text.HEAVY, job_text.LIGHT) if p in column), None)
    if chosen := explicit or reading.physical:
        return chosen
    options = taxonomy.skills()
    kinds = [options.get(k) for k in reading.skills]
    return job_text.HEAVY if kinds and all(k and k.heavy for k in kinds) else job_text.MEDIUM


def _narrower(a: int | None, b: int | None, pick: Any) -> int | None:
    return pick(a, b) if a is not None and b is not None else (a if a is not None else b)


def job_fields(spec: dict[str, Any], services: Services) -> dict[str, Any]:
    """Check one job spec (field → value as staff typed it) and turn it into Job columns, with
    what its free text says read into them; `employer` stays a name (see `bot.outreach.jobs.post_job`)."""
    text = {k: ("" if v is None else str(v).strip()) for k, v in spec.items()}
    text["town"] = text.get("town") or text.get("address", "")
    missing = [COLUMNS[f][0] for f in REQUIRED if not text.get(f)]
    if missing:
        raise PostingError("缺少" + "、".join(missing))
    place = services.places.resolve(text["town"])
    if place.town is None and not place.county_wide:
        several = "；几个乡镇的岗位请分成几行" if len(place.candidates) > 1 else ""
        raise PostingError(f"乡镇“{text['town']}”不认识（全县的岗位请写“全县”{several}）")
    reading = job_text.read(text["title"], text.get("description", ""), hours=text.get("hours", ""),
                            season_text=text.get("season", ""), named_kinds=text.get("skills", ""))
    pay_amount, pay_unit = _pay(text.get("pay", ""))
    age_min, age_max = _ages(text.get("age", ""))
    headcount = _headcount(text.get("headcount", ""))
    if not 1 <= headcount <= MAX_HEADCOUNT:
        raise PostingError(f"招聘人数应在 1 到 {MAX_HEADCOUNT} 人之间")
    phone = text.get("phone") or None
    if phone and not _PHONE.match(phone):
        raise PostingError(f"联系电话“{phone}”不像电话号码")
    this_year = services.local_now().year
    start, end = _date(spec.get("start_date"), this_year), _date(spec.get("end_date"), this_year)
    if start and end and end < start:
        raise PostingError("结束日期早于开始日期")
    if end and end < services.local_now().date():
        raise PostingError(f"结束日期 {end} 已经过了，没有发布")
    return {
        "title": text["title"][:128], "employer": text["employer"][:128],
        "employer_kind": text.get("employer_kind") or None, "town": place.town,
        "village": text.get("village") or place.village or village_after_town(text["town"]),
        "address": text.get("address") or None,
        "skills": list(reading.skills), "pay_amount": pay_amount, "pay_unit": pay_unit,
        "season": reading.season or _season_of(start, end) or (text.get("season", "")[:32] or None),
        "start_date": start, "end_date": end,
        "hours": text.get("hours") or None, "night_shift": _flag(spec.get("night_shift")) or reading.night_shift,
        "days": reading.days, "at_door": reading.at_door, "headcount": headcount,
        "age_min": _narrower(age_min, reading.age_min, max), "age_max": _narrower(age_max, reading.age_max, min),
        "physical": _physical(text.get("physical", ""), reading), "public_welfare": _flag(spec.get("public_welfare")),
        "contact_phone": phone, "show_phone": bool(phone) and _flag(spec.get("show_phone")),
        "description": text.get("description") or None, "status": "open", "key": text.get("key") or None,
    }


def understood(fields: dict[str, Any]) -> str:
    """What was read from a job, in one line for staff to check: "工种：采茶 · 年龄：18～48岁 · 夜班"."""
    kinds = taxonomy.skills().labels_of(fields["skills"]) if fields["skills"] else "未归类（请选工种，选好前不推送）"
    parts = [f"工种：{kinds}", f"地点：{''.join(p for p in (fields['town'], fields['village']) if p) or '全县'}"]
    if fields["age_min"] or fields["age_max"]:
        parts.append(f"年龄：{fields['age_min'] or 16}～{fields['age_max'] or '不限'}岁")
    parts.append(f"体力：{fields['physical']}")
    if fields["night_shift"]:
        parts.append("夜班")
    if fields["days"]:
        parts.append(job_text.DAYS_LABELS[fields["days"]])
    if fields["season"]:
        parts.append(f"季节：{fields['season']}")
    if fields["at_door"]:
        parts.append("送料上门")
    if fields["end_date"]:
        parts.append(f"截止：{fields['end_date']}")
    return " · ".join(parts)



def _header_map(headers: Iterable[Any]) -> dict[int, str]:
    """Column number → field: the header as written; else, for a field no column has yet, the
    longest known header inside it ("岗位名称（必填）")."""
    by_alias = {compact(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    keys = [compact(str(h)) if h is not None else "" for h in headers]
    found = {i: by_alias[key] for i, key in enumerate(keys) if key in by_alias}
    for i, key in enumerate(keys):
        alias = next((a for a in sorted(by_alias, key=len, reverse=True) if len(a) >= 3 and a in key), None)
        if i not in found and alias and by_alias[alias] not in found.values():
            found[i] = by_alias[alias]
    return found


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
    missing = [COLUMNS[f][0] for f in REQUIRED
               if f not in headers.values() and not (f == "town" and "address" in headers.values())]
    if missing:
        raise PostingError("表格缺少这些列：" + "、".join(missing) + "（第一行应是列名）")
    for number, row in enumerate(iterator, start=2):
        spec: dict[str, Any] = {}
        for i, cell in enumerate(row):
            if i in headers and cell not in (None, ""):
                name = headers[i]  # two columns of one kind (备注 and 岗位要求) are read together
                spec[name] = f"{spec[name]}；{cell}" if name in spec and name == "description" else cell
        if spec:
            yield number, spec

"""What every console endpoint shares: settings, the database, the services, the access
guard and templates; the wrappers that find who is asking and check their permission first,
then the input every endpoint shares (ids in the path, query parameters, the JSON body:
numbers, dates and lists of sane size, else a 400 in Chinese); small helpers (masking personal
details, reading times staff type, the audit log)."""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.console.auth import API_NAME, COOKIE, CSRF_HEADER, SAFE_METHODS, Guard, bearer, client_address, csrf_ok
from bot.console.roles import OutOfScope, Perm, Role, Staff
from bot.postings import PostingError
from bot.services import Services
from bot.settings import Settings
from handlers.terms import match_terms
from knowledge.text import arabize
from storage import staff as accounts
from storage.broadcasts import BroadcastError
from storage.db import session_scope
from storage.fairs import FairError
from storage.matching import Terms
from storage.models import StaffAccount, StaffAudit

log = logging.getLogger(__name__)
Result = TypeVar("Result")

PREFIX = "/console"
HERE = Path(__file__).parent
DISABLED_TEXT = ("工作人员后台还没有账号：请先运行 jobbot staff add 管理员名 --role admin 建一个管理员账号，"
                 "或设置 JOBBOT_ADMIN_TOKEN 供脚本调用。")
DENIED_TEXT = "需要登录：请先登录工作人员账号。"
BUSY_TEXT = "试错太多次了，请10分钟后再试。"
CSRF_TEXT = "请从后台页面操作（缺少安全校验码）。"
NOT_ALLOWED_TEXT = "您的账号没有这个权限。"
READ_ONLY_TEXT = "查看账号只能看，不能修改。"
CHANGE_PASSWORD_TEXT = "请先修改初始密码。"
OUT_OF_SCOPE_TEXT = "没有找到，或不在您负责的范围内。"
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
MAX_NUMBER = 2**53  # any number in a JSON body: what JavaScript keeps exactly (a phone number fits)
MAX_ITEMS = 1000  # any list in a JSON body or a query
MAX_DEPTH = 8  # objects and lists inside each other
MAX_QUERY = 1000  # characters of one query parameter
MAX_PAGE = 100_000
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
TOO_BIG_TEXT = "数字或日期超出范围了，请检查后再提交"


class BadRequest(ValueError):
    """Input the console cannot use; the message is shown to staff."""


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str


@dataclass
class Console:
    settings: Settings
    engine: Engine
    services: Services
    guard: Guard = field(init=False)
    templates: Jinja2Templates = field(init=False)

    def __post_init__(self) -> None:
        self.guard = Guard(self.settings.admin_token)
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals.update(prefix=PREFIX)

    @property
    def terms(self) -> Terms:
        return match_terms()

    async def db(self, fn: Callable[..., Result], *args: Any, **kw: Any) -> Result:
        """Run `fn(session, …)` in one transaction on a worker thread (never on the event loop)."""
        def work() -> Result:
            with session_scope(self.engine) as session:
                return fn(session, *args, **kw)

        return await run_in_threadpool(work)

    def page(self, request: Request, name: str, code: int = 200, **context: Any) -> Response:
        staff = getattr(request.state, "staff", None)
        return self.templates.TemplateResponse(
            request, name, {"request": request, "staff": staff, "csrf": staff.csrf if staff else None,
                            "Perm": Perm, **context}, status_code=code)

    # --- who is asking -----------------------------------------------------------------------------
    def _session_staff(self, session: Session, token: str) -> Staff | None:
        found = accounts.live_session(session, token=token, now=self.services.clock(),
                                      idle=timedelta(minutes=self.settings.console_idle_minutes),
                                      longest=timedelta(hours=self.settings.console_session_hours))
        if found is None:
            return None
        row, account = found
        return staff_of(account, csrf=row.csrf)

    async def identify(self, request: Request, *, header_csrf: bool = True) -> Staff | Refusal:
        """Who is asking; a write with the cookie must carry the session's CSRF token in its
        header (`header_csrf=False`: the caller checks a form field instead)."""
        client = client_address(request)
        token = bearer(request)
        if token is not None:
            if self.guard.locked_out(client):
                return Refusal(429, BUSY_TEXT)
            if self.guard.token_ok(token):
                return Staff(name=API_NAME, role=Role.ADMIN)
            self.guard.failed(client)
            return Refusal(401, DENIED_TEXT)
        cookie = request.cookies.get(COOKIE)
        staff = await self.db(self._session_staff, cookie) if cookie else None
        if staff is None:
            if not self.settings.admin_token and not await self.db(accounts.any_account):
                return Refusal(503, DISABLED_TEXT)
            return Refusal(401, DENIED_TEXT)
        if header_csrf and request.method not in SAFE_METHODS and \
                not csrf_ok(staff.csrf, request.headers.get(CSRF_HEADER)):
            return Refusal(403, CSRF_TEXT)
        return staff

    def _refusal(self, staff: Staff, request: Request, need: Perm) -> Refusal | None:
        if staff.must_change_password:
            return Refusal(403, CHANGE_PASSWORD_TEXT)
        if not staff.can(need):
            return Refusal(403, NOT_ALLOWED_TEXT)
        if staff.read_only and request.method not in SAFE_METHODS:
            return Refusal(403, READ_ONLY_TEXT)
        return None

    def api(self, fn: Endpoint, need: Perm) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            staff = await self.identify(request)
            refused = staff if isinstance(staff, Refusal) else self._refusal(staff, request, need)
            if refused is not None:
                headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
                return JSONResponse({"error": refused.text}, refused.status, headers=headers)
            request.state.staff = staff
            try:
                check_request(request)
                return await _guarded(fn, request)
            except (BadRequest, FairError, BroadcastError, PostingError) as error:
                return JSONResponse({"error": str(error)}, 400)
            except OutOfScope:
                return JSONResponse({"error": OUT_OF_SCOPE_TEXT}, 404)

        return endpoint

    def html(self, fn: Endpoint, need: Perm) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            staff = await self.identify(request)
            if isinstance(staff, Refusal):
                if staff.status == 503:
                    return self.page(request, "disabled.html", 503, message=DISABLED_TEXT)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", 303)
            request.state.staff = staff
            if staff.must_change_password:
                return RedirectResponse(f"{PREFIX}/password", 303)
            if refused := self._refusal(staff, request, need):
                return self.page(request, "refused.html", refused.status, message=refused.text)
            try:
                check_request(request)
                return await _guarded(fn, request)
            except BadRequest as error:
                return HTMLResponse(str(error), 400)
            except OutOfScope:
                return self.page(request, "refused.html", 404, message=OUT_OF_SCOPE_TEXT)

        return endpoint

    # --- the audit log -----------------------------------------------------------------------------
    def audit(self, session: Session, request: Request, action: str, target: Any = None, *,
              actor: str | None = None, **detail: Any) -> None:
        """Record who did what; `actor` names the account when nobody is logged in yet (a login)."""
        staff = getattr(request.state, "staff", None)
        session.add(StaffAudit(at=self.services.clock(), action=action,
                               target=None if target is None else str(target)[:64],
                               detail=json.loads(json.dumps(detail, default=str)), ip=client_address(request)[:64],
                               actor=(actor or (staff.name if staff else None) or "")[:64] or None))


def staff_of(account: StaffAccount, *, csrf: str | None) -> Staff:
    return Staff(name=account.name, role=Role(account.role), town=account.town, village=account.village,
                 account_id=account.id, csrf=csrf, must_change_password=account.must_change_password)


def who(request: Request) -> Staff:
    """The person behind a request that passed `Console.api` or `Console.html`."""
    found: Staff = request.state.staff
    return found


async def _guarded(fn: Endpoint, request: Request) -> Response:
    """The endpoint; a number or date too large for Python's dates or the database that got
    past the checks becomes a 400, not a 500."""
    try:
        return await fn(request)
    except (OverflowError, DataError) as error:
        log.warning("console %s %s: out-of-range input (%s)", request.method, request.url.path, type(error).__name__)
        raise BadRequest(TOO_BIG_TEXT) from error


def check_request(request: Request) -> None:
    """What every endpoint takes from the URL: ids within the database's range, short query
    parameters, and a page number that can be counted to."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise BadRequest("编号不对：没有这么大的编号")
    for value in request.query_params.values():
        if len(value) > MAX_QUERY:
            raise BadRequest("查询条件太长了")
    page_of(request)


def page_of(request: Request) -> int:
    """The ?page= asked for, 1 when none."""
    raw = (request.query_params.get("page") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"页码应是 1 到 {MAX_PAGE} 之间的数字")
    return int(raw)


async def body_json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("请求内容不是 JSON") from error
    if not isinstance(data, dict):
        raise BadRequest("请求内容应是一个 JSON 对象")
    _check_json(data, 0)
    return data


def _check_json(value: Any, depth: int) -> None:
    """BadRequest for a number no column holds (or NaN/Infinity, which Python's JSON reads),
    a list longer than MAX_ITEMS, or nesting deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise BadRequest("请求内容层次太多了")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int | float):
        if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
            raise BadRequest(f"数字“{value}”太大了")
        return
    items = list(value.values()) if isinstance(value, dict) else value
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"一次最多 {MAX_ITEMS} 项")
    for item in items:
        _check_json(item, depth + 1)


def text_field(data: dict[str, Any], name: str, *, max_len: int = 256, required: bool = False,
               label: str = "") -> str | None:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise BadRequest(f"请填写{label or name}")
    if len(value) > max_len:
        raise BadRequest(f"{label or name}太长了（最多{max_len}个字）")
    return value or None


def int_list(value: Any) -> list[int]:
    """Ids as a JSON list or "1,2,3"; each within the database's range, at most MAX_ITEMS."""
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise BadRequest(f"编号应是一串数字，一次最多 {MAX_ITEMS} 个")
    try:
        ids = [int(str(v).strip()) for v in items if str(v).strip()]
    except ValueError as error:
        raise BadRequest("编号应是数字") from error
    if any(not 1 <= n <= MAX_ID for n in ids):
        raise BadRequest("编号不对：没有这么大的编号")
    return ids


_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_CLOCK = re.compile(r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2})\s*[:点时]\s*(半|\d{1,2})?\s*分?")
DAY_HINT, CLOCK_HINT = "日期写成 2026-03-18 或 2026年3月18日", "时间写成 09:00、14:30 或 9点半"


def parse_day(value: Any, *, label: str = "日期") -> date:
    """A date as Chinese staff write it: 2026-03-18, 2026/3/18, 2026年3月18日 (full-width too),
    between EARLIEST and LATEST."""
    found = _DAY.fullmatch(arabize(str(value or "")))
    try:
        day = date(*(int(part) for part in found.groups())) if found else None
    except ValueError:  # 2026-02-30
        day = None
    if day is None:
        raise BadRequest(f"{label}格式不对，{DAY_HINT}")
    if not EARLIEST <= day <= LATEST:
        raise BadRequest(f"{label}应在 {EARLIEST.year} 年到 {LATEST.year} 年之间")
    return day


def parse_clock(value: Any) -> time:
    """A time of day: 09:00, 9:00, 14:30, 9点, 九点半, 下午2点 (24-hour unless 下午/晚上 says otherwise)."""
    found = _CLOCK.fullmatch(arabize(str(value or "")))
    if not found:
        raise ValueError(f"not a time: {value!r}")
    part, hour, minute = found.group(1), int(found.group(2)), found.group(3)
    if part in ("下午", "晚上") and hour < 12:
        hour += 12
    return time(hour, 30 if minute == "半" else int(minute or 0))


def local_datetime(day: Any, clock: Any, tz: Any, *, label: str = "时间") -> datetime:
    """An aware datetime from a date and a time of day (`parse_day`, `parse_clock`) in the county's zone."""
    found = parse_day(day, label=label)
    try:
        return datetime.combine(found, parse_clock(clock), tz)
    except ValueError as error:
        raise BadRequest(f"{label}格式不对，{CLOCK_HINT}") from error


def mask_phone(phone: str | None) -> str:
    """138****1234: enough to tell people apart on the phone, not enough to call them."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id(user_id: str) -> str:
    return f"{user_id[:3]}…{user_id[-2:]}" if len(user_id) > 6 else "…"

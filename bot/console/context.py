"""What every console endpoint shares: settings, the database, the services, the access
guard and templates; the wrappers that find who is asking and check their permission first;
small helpers (masking personal details, reading times staff type, the audit log)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
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
from storage.broadcasts import BroadcastError
from storage.db import session_scope
from storage.fairs import FairError
from storage import staff as accounts
from storage.models import StaffAccount, StaffAudit

log = logging.getLogger(__name__)

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
    def neighbours(self) -> dict[str, tuple[str, ...]]:
        return {t.name: t.neighbours for t in self.services.places.towns}

    async def db(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Run `fn(session, …)` in one transaction on a worker thread (never on the event loop)."""
        def work() -> Any:
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
                return await fn(request)
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
                return await fn(request)
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


async def body_json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("请求内容不是 JSON") from error
    if not isinstance(data, dict):
        raise BadRequest("请求内容应是一个 JSON 对象")
    return data


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
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    try:
        return [int(v) for v in items if str(v).strip()]
    except (TypeError, ValueError) as error:
        raise BadRequest("编号应是数字") from error


def local_datetime(day: Any, clock: Any, tz: Any, *, label: str = "时间") -> datetime:
    """An aware datetime from a date ("2026-03-18") and a time ("09:00") in the county's zone."""
    try:
        return datetime.combine(date.fromisoformat(str(day)), time.fromisoformat(str(clock)), tz)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"{label}格式不对，日期写成 2026-03-18，时间写成 09:00") from error


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

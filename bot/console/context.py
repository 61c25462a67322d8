"""What every console endpoint shares: settings, the database, the services, the access
guard and templates; the wrappers that check access first; small helpers (masking personal
details, reading times staff type, the audit log)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.console.auth import Access, Guard, client_address
from bot.postings import PostingError
from handlers.terms import match_terms
from storage.matching import Terms
from bot.services import Services
from bot.settings import Settings
from storage.broadcasts import BroadcastError
from storage.db import session_scope
from storage.fairs import FairError
from storage.models import StaffAudit

log = logging.getLogger(__name__)

PREFIX = "/console"
HERE = Path(__file__).parent
DISABLED_TEXT = "工作人员后台没有启用：请先设置环境变量 JOBBOT_ADMIN_TOKEN，再重启服务。"
DENIED_TEXT = "需要登录：请提供正确的管理令牌。"
FORBIDDEN_TEXT = "请从后台页面操作。"
Endpoint = Callable[[Request], Awaitable[Response]]


class BadRequest(ValueError):
    """Input the console cannot use; the message is shown to staff."""


@dataclass
class Console:
    settings: Settings
    engine: Engine
    services: Services
    guard: Guard = field(init=False)
    templates: Jinja2Templates = field(init=False)

    def __post_init__(self) -> None:
        self.guard = Guard(self.settings.admin_token, self.settings.console_session_hours)
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals.update(prefix=PREFIX)

    @property
    def terms(self) -> Terms:
        return match_terms()

    async def db(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Run `fn(session, …)` in one transaction on a worker thread (never on the event loop)."""
        def work() -> Any:
            with session_scope(self.engine) as session:
                return fn(session, *args, **kw)

        return await run_in_threadpool(work)

    def page(self, request: Request, name: str, code: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, {"request": request, **context}, status_code=code)

    # --- access ------------------------------------------------------------------------------------
    def api(self, fn: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            access = self.guard.check(request)
            if access is Access.DISABLED:
                return JSONResponse({"error": DISABLED_TEXT}, 503)
            if access is Access.DENIED:
                return JSONResponse({"error": DENIED_TEXT}, 401, headers={"WWW-Authenticate": "Bearer"})
            if access is Access.FORBIDDEN:
                return JSONResponse({"error": FORBIDDEN_TEXT}, 403)
            try:
                return await fn(request)
            except (BadRequest, FairError, BroadcastError, PostingError) as error:
                return JSONResponse({"error": str(error)}, 400)

        return endpoint

    def html(self, fn: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            access = self.guard.check(request)
            if access is Access.DISABLED:
                return self.page(request, "disabled.html", 503, message=DISABLED_TEXT)
            if access is not Access.GRANTED:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", 303)
            try:
                return await fn(request)
            except BadRequest as error:
                return HTMLResponse(str(error), 400)

        return endpoint

    # --- the audit log -----------------------------------------------------------------------------
    def audit(self, session: Session, request: Request, action: str, target: Any = None, **detail: Any) -> None:
        session.add(StaffAudit(at=self.services.clock(), action=action,
                               target=None if target is None else str(target)[:64],
                               detail=json.loads(json.dumps(detail, default=str)), ip=client_address(request)[:64]))


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

"""Logging in and out of the console, and changing one's own password.

The login form carries a double-submit token (a cookie and a hidden field that must match), so
another site cannot log a browser in; logout and the password form carry the session's CSRF
token. A wrong password counts against the account (storage/staff.py locks it a while) and
against the client address (a high limit, so that colleagues behind one address are not locked
out by one person's typos)."""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import parse_qs

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.auth import COOKIE, LOGIN_CSRF_COOKIE, client_address, csrf_ok
from bot.console.context import BUSY_TEXT, DISABLED_TEXT, PREFIX, Console
from bot.console.roles import Staff
from storage import staff as accounts

MAX_FORM = 4096


def _safe_next(value: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//") and "\\" not in value:
        return value
    return PREFIX + "/"


async def _form(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > MAX_FORM:
        return None
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


class Login:
    def __init__(self, console: Console):
        self.c = console

    def routes(self) -> list[BaseRoute]:
        return [Route("/login", self.form), Route("/login", self.login, methods=["POST"]),
                Route("/logout", self.logout, methods=["POST"]),
                Route("/password", self.password_form), Route("/password", self.change_password, methods=["POST"])]

    def _set_session(self, response: Response, request: Request, token: str) -> None:
        response.set_cookie(COOKIE, token, max_age=self.c.settings.console_session_hours * 3600, path=PREFIX,
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")

    async def _disabled(self) -> bool:
        return not self.c.settings.admin_token and not await self.c.db(accounts.any_account)

    # --- logging in ----------------------------------------------------------------------------------
    def _login_page(self, request: Request, code: int, target: str, error: str | None) -> Response:
        token = secrets.token_urlsafe(24)
        response = self.c.page(request, "login.html", code, next=target, error=error, login_csrf=token)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, path=PREFIX, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    async def form(self, request: Request) -> Response:
        if await self._disabled():
            return self.c.page(request, "disabled.html", 503, message=DISABLED_TEXT)
        return self._login_page(request, 200, _safe_next(request.query_params.get("next")), None)

    def _check(self, session: Session, request: Request, name: str, password: str
               ) -> tuple[accounts.LoginResult, tuple[str, str] | None]:
        now: datetime = self.c.services.clock()
        result = accounts.verify_login(session, name=name, password=password, now=now)
        if result.account is None:
            self.c.audit(session, request, "login.fail", actor=name[:64], locked=result.locked)
            return result, None
        started = accounts.start_session(session, account=result.account, now=now, ip=client_address(request)[:64])
        self.c.audit(session, request, "login", actor=result.account.name)
        return result, started

    async def login(self, request: Request) -> Response:
        if await self._disabled():
            return self.c.page(request, "disabled.html", 503, message=DISABLED_TEXT)
        form = await _form(request) or {}
        target = _safe_next(form.get("next"))
        if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
            return self._login_page(request, 403, target, "页面已过期，请重新输入账号和密码。")
        client = client_address(request)
        if self.c.guard.locked_out(client):
            return self._login_page(request, 429, target, BUSY_TEXT)
        name, password = (form.get("name") or "").strip()[:64], (form.get("password") or "")[:128]
        result, started = await self.c.db(self._check, request, name, password)
        if started is None:
            self.c.guard.failed(client)
            error = "这个账号试错太多次了，请15分钟后再试。" if result.locked else "账号或密码不对，请再检查一下。"
            return self._login_page(request, 423 if result.locked else 401, target, error)
        must_change = result.account is not None and result.account.must_change_password
        response = RedirectResponse(PREFIX + "/password" if must_change else target, 303)
        self._set_session(response, request, started[0])
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
        return response

    # --- logging out ---------------------------------------------------------------------------------
    async def logout(self, request: Request) -> Response:
        form = await _form(request) or {}
        token = request.cookies.get(COOKIE)
        staff = await self.c.identify(request, header_csrf=False) if token else None
        if isinstance(staff, Staff):
            if not csrf_ok(staff.csrf, form.get("csrf")):
                return self.c.page(request, "refused.html", 403, message="请从后台页面点“退出登录”。")
            request.state.staff = staff

            def end(session: Session) -> None:
                accounts.end_session(session, token or "")
                self.c.audit(session, request, "logout")

            await self.c.db(end)
        response = RedirectResponse(PREFIX + "/login", 303)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    # --- one's own password --------------------------------------------------------------------------
    async def _session_staff(self, request: Request, form: dict[str, str] | None = None) -> Staff | Response:
        """The logged-in account (not the API token); a posted form must carry the session's token."""
        staff = await self.c.identify(request, header_csrf=False) if request.cookies.get(COOKIE) else None
        if not isinstance(staff, Staff) or staff.account_id is None:
            return RedirectResponse(f"{PREFIX}/login?next={PREFIX}/password", 303)
        request.state.staff = staff
        if form is not None and not csrf_ok(staff.csrf, form.get("csrf")):
            return self.c.page(request, "refused.html", 403, message="请从后台页面修改密码。")
        return staff

    async def password_form(self, request: Request) -> Response:
        staff = await self._session_staff(request)
        if isinstance(staff, Response):
            return staff
        return self.c.page(request, "password.html", error=None)

    def _change(self, session: Session, request: Request, staff: Staff, form: dict[str, str]) -> str | tuple[str, str]:
        account = session.get(accounts.StaffAccount, staff.account_id)
        if account is None or not accounts.password_ok(account, form.get("old", "")):
            return "原密码不对。"
        new = form.get("new", "")
        if new != form.get("again"):
            return "两次输入的新密码不一样。"
        if new == form.get("old"):
            return "新密码不能和原密码一样。"
        if problem := accounts.password_problem(new):
            return problem + "。"
        accounts.set_password(session, account, new, must_change=False)
        self.c.audit(session, request, "password.change", account.id)
        return accounts.start_session(session, account=account, now=self.c.services.clock(),
                                      ip=client_address(request)[:64])

    async def change_password(self, request: Request) -> Response:
        form = await _form(request) or {}
        staff = await self._session_staff(request, form)
        if isinstance(staff, Response):
            return staff
        outcome = await self.c.db(self._change, request, staff, form)
        if isinstance(outcome, str):
            return self.c.page(request, "password.html", 400, error=outcome)
        response = RedirectResponse(PREFIX + "/", 303)
        self._set_session(response, request, outcome[0])
        return response


"""Staff accounts in the console (county administrators only) and the audit log: make an
account with a one-time password, disable one, reset a password, and read or export who did
what. `new_account` is shared with `jobbot staff add`."""

from __future__ import annotations

import csv
import io
import secrets
import string
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, page_of, text_field, who
from bot.console.loop import ACTIONS as LOOP_ACTIONS
from bot.console.roles import Perm, Role
from bot.console.villagers import ACTIONS as VILLAGER_ACTIONS
from knowledge.places import Gazetteer
from storage import staff as store
from storage.models import StaffAccount, StaffAudit, saved_id

PAGE_SIZE = 100
ACTIONS = {"login": "登录", "login.fail": "登录失败", "logout": "退出登录", "password.change": "修改密码",
           "staff.add": "新建账号", "staff.disable": "停用账号", "staff.reset": "重置密码",
           "job.add": "发布岗位", "job.close": "结束岗位", "job.import": "导入岗位",
           "fair.add": "新增招聘会", "fair.move": "招聘会改期", "fair.cancel": "取消招聘会",
           "fair.offer": "修改招聘会岗位", "broadcast.create": "起草通知", "broadcast.confirm": "发送通知",
           "broadcast.stop": "停止通知", "worker.contact": "查看电话", "job.classify": "选工种",
           "application.outcome": "记录报名结果", **LOOP_ACTIONS, **VILLAGER_ACTIONS}
ALPHABET = string.ascii_letters + string.digits


def one_time_password() -> str:
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(12))
        if store.password_problem(candidate) is None:
            return candidate


def new_account(session: Session, places: Gazetteer, *, name: str, role: str, town: str | None, village: str | None,
                now: datetime, password: str | None = None) -> tuple[StaffAccount, str]:
    """(the account, the password to hand over): a town or village account names its place."""
    name = name.strip()
    if not name or len(name) > 64:
        raise store.StaffError("账号名要1到64个字")
    parsed = Role.parse(role)
    place = places.resolve(town).town if town else None
    if town and place is None:
        raise store.StaffError(f"乡镇“{town}”不认识")
    if parsed in (Role.TOWN, Role.VILLAGE) and place is None:
        raise store.StaffError("乡镇工作人员和村网格员要写明乡镇")
    if parsed is Role.VILLAGE and not (village or "").strip():
        raise store.StaffError("村网格员要写明村")
    if parsed not in (Role.TOWN, Role.VILLAGE):
        place = village = None
    given = password or one_time_password()
    account = store.add_account(session, name=name, role=parsed.value, town=place,
                                village=(village or "").strip() or None if parsed is Role.VILLAGE else None,
                                password=given, now=now, must_change_password=True)
    return account, given


def account_row(account: StaffAccount, sessions: int) -> dict[str, Any]:
    return {"id": account.id, "name": account.name, "role": account.role, "role_label": Role(account.role).label,
            "town": account.town, "village": account.village, "disabled": account.disabled,
            "must_change_password": account.must_change_password, "sessions": sessions}


class Accounts:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, P = self.c.api, Perm.ACCOUNTS
        return [Route("/staff", a(self.list, P)), Route("/staff", a(self.add, P), methods=["POST"]),
                Route("/staff/{account_id:int}/disable", a(self.disable, P), methods=["POST"]),
                Route("/staff/{account_id:int}/reset", a(self.reset, P), methods=["POST"]),
                Route("/audit", a(self.audit_log, P)), Route("/audit.csv", a(self.audit_csv, P))]

    def pages(self) -> list[BaseRoute]:
        h = self.c.html
        return [Route("/staff", h(self.page, Perm.ACCOUNTS)), Route("/audit", h(self.audit_page, Perm.ACCOUNTS))]

    # --- accounts ------------------------------------------------------------------------------------
    def _rows(self, session: Session) -> list[dict[str, Any]]:
        live = dict(session.exec(select(col(store.StaffSession.account_id), func.count())
                                 .group_by(col(store.StaffSession.account_id))).all())
        return [account_row(a, live.get(saved_id(a), 0)) for a in store.list_accounts(session)]

    async def list(self, request: Request) -> Response:
        return JSONResponse({"accounts": await self.c.db(self._rows)})

    async def add(self, request: Request) -> Response:
        data = await body_json(request)

        def work(session: Session) -> dict[str, Any]:
            try:
                account, password = new_account(
                    session, self.c.services.places, name=text_field(data, "name", max_len=64, required=True,
                                                                      label="账号名") or "",
                    role=str(data.get("role") or ""), town=text_field(data, "town", max_len=32),
                    village=text_field(data, "village", max_len=64), now=self.c.services.clock())
            except (store.StaffError, ValueError) as error:
                raise BadRequest(str(error)) from error
            self.c.audit(session, request, "staff.add", account.name, role=account.role, town=account.town,
                         village=account.village)
            return {**account_row(account, 0), "password": password}

        return JSONResponse(await self.c.db(work), 201)

    def _account(self, session: Session, request: Request) -> StaffAccount:
        account = session.get(StaffAccount, request.path_params["account_id"])
        if account is None:
            raise BadRequest("没有这个账号")
        if account.id == who(request).account_id:
            raise BadRequest("不能对自己的账号这样操作")
        return account

    async def disable(self, request: Request) -> Response:
        def work(session: Session) -> dict[str, Any]:
            account = self._account(session, request)
            store.disable_account(session, account)
            self.c.audit(session, request, "staff.disable", account.name)
            return account_row(account, 0)

        return JSONResponse(await self.c.db(work))

    async def reset(self, request: Request) -> Response:
        def work(session: Session) -> dict[str, Any]:
            account = self._account(session, request)
            password = one_time_password()
            store.set_password(session, account, password, must_change=True)
            self.c.audit(session, request, "staff.reset", account.name)
            return {**account_row(account, 0), "password": password}

        return JSONResponse(await self.c.db(work))

    async def page(self, request: Request) -> Response:
        rows = await self.c.db(self._rows)
        return self.c.page(request, "staff.html", accounts=rows, roles=list(Role),
                           towns=self.c.services.places.names)

    # --- the audit log -------------------------------------------------------------------------------
    def _audit(self, session: Session, actor: str | None, action: str | None, limit: int, offset: int
               ) -> Sequence[StaffAudit]:  # `list` here is this class's route
        stmt = select(StaffAudit)
        if actor:
            stmt = stmt.where(col(StaffAudit.actor) == actor)
        if action:
            stmt = stmt.where(col(StaffAudit.action) == action)
        return list(session.exec(stmt.order_by(col(StaffAudit.id).desc()).offset(offset).limit(limit)))

    def _audit_rows(self, request: Request, limit: int, offset: int) -> Any:
        params = request.query_params
        actor = (params.get("actor") or "").strip()[:64] or None
        action = (params.get("action") or "").strip()[:32] or None
        return self.c.db(self._audit, actor, action, limit, offset)

    def audit_row(self, row: StaffAudit) -> dict[str, Any]:
        return {"id": row.id, "at": row.at.astimezone(self.c.services.tz).strftime("%Y-%m-%d %H:%M:%S"),
                "actor": row.actor, "action": row.action, "action_label": ACTIONS.get(row.action, row.action),
                "target": row.target, "detail": row.detail, "ip": row.ip}

    async def audit_log(self, request: Request) -> Response:
        page = page_of(request)
        rows = await self._audit_rows(request, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        return JSONResponse({"page": page, "more": len(rows) > PAGE_SIZE,
                             "entries": [self.audit_row(r) for r in rows[:PAGE_SIZE]]})

    async def audit_csv(self, request: Request) -> Response:
        rows = await self._audit_rows(request, 100_000, 0)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["时间", "账号", "操作", "对象", "详情", "来源地址"])
        for r in map(self.audit_row, rows):
            writer.writerow([r["at"], r["actor"] or "", r["action_label"], r["target"] or "", r["detail"],
                             r["ip"] or ""])
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="jobbot-audit.csv"'})

    async def audit_page(self, request: Request) -> Response:
        page = page_of(request)
        rows = await self._audit_rows(request, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        return self.c.page(request, "audit.html", entries=[self.audit_row(r) for r in rows[:PAGE_SIZE]],
                           page=page, more=len(rows) > PAGE_SIZE, actor=request.query_params.get("actor") or "",
                           query=request.url.query)

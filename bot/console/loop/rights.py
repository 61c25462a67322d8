"""Console: unpaid-wage cases (维权) — the list with phone numbers masked, one case with its
history, a status change (pushed to the person), and revealing the phone (audited)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, mask_phone, page_of, text_field, who
from bot.console.loop.shared import PAGE_SIZE, when
from bot.console.roles import Perm, Staff
from bot.outreach.rights import notify
from handlers.rights import amount_text
from storage import cases as store
from storage.models import RightsCase, saved_id
from storage.waiting import fate

ERASED = "本人已注销，电话已删除"


class Rights:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, L = self.c.api, Perm.LOOP
        return [Route("/cases", a(self.cases, L)), Route("/cases/{case_id:int}", a(self.case, L)),
                Route("/cases/{case_id:int}/status", a(self.set_status, L), methods=["POST"]),
                Route("/cases/{case_id:int}/contact", a(self.contact, L))]

    def pages(self) -> list[BaseRoute]:
        h, L = self.c.html, Perm.LOOP
        return [Route("/cases", h(self.cases_page, L)), Route("/cases/{case_id:int}", h(self.case_page, L))]

    def row(self, case: RightsCase) -> dict[str, Any]:
        return {"id": case.id, "number": case.number, "employer": case.employer, "amount": case.amount,
                "amount_text": amount_text(case.amount), "owed_since": case.owed_since, "town": case.town or "县外",
                "phone": mask_phone(case.phone), "status": case.status,
                "status_label": store.STATUSES.get(case.status, case.status),
                "created_at": when(case.created_at, self.c), "updated_at": when(case.updated_at, self.c),
                "erased": case.phone is None}

    def _row(self, session: Session, case: RightsCase) -> dict[str, Any]:
        worker_id, reach = store.reach(session, case)
        return {**self.row(case), "reachable": worker_id is not None, "reach": reach}

    def _list(self, session: Session, staff: Staff, status: str | None, page: int) -> dict[str, Any]:
        rows = store.list_cases(session, status=status, town=staff.place, limit=PAGE_SIZE + 1,
                                offset=(page - 1) * PAGE_SIZE)
        return {"cases": [self._row(session, c) for c in rows[:PAGE_SIZE]], "page": page,
                "more": len(rows) > PAGE_SIZE}

    def _case(self, session: Session, staff: Staff, case_id: int) -> RightsCase | None:
        case = store.get_case(session, case_id)
        if case is not None:
            staff.check(case.town)
        return case

    def _detail(self, session: Session, staff: Staff, case_id: int) -> dict[str, Any] | None:
        case = self._case(session, staff, case_id)
        if case is None:
            return None
        events = store.events(session, case_id=case_id)
        told = fate(session, keys=[store.push_key(case_id, saved_id(e)) for e in events])
        return {**self._row(session, case),
                "events": [{"status": e.status, "status_label": store.STATUSES.get(e.status, e.status),
                            "note": e.note, "at": when(e.at, self.c),
                            "message": told.get(store.push_key(case_id, saved_id(e)), "没有发消息")}
                           for e in events]}

    def _status(self, request: Request) -> str | None:
        status = request.query_params.get("status") or None
        if status and status not in store.STATUSES:
            raise BadRequest("状态不对")
        return status

    async def cases(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._list, who(request), self._status(request), page_of(request)))

    async def case(self, request: Request) -> Response:
        found = await self.c.db(self._detail, who(request), request.path_params["case_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个维权案件"}, 404)

    async def set_status(self, request: Request) -> Response:
        data = await body_json(request)
        status = str(data.get("status") or "")
        if status not in store.STATUSES:
            raise BadRequest("请选择状态：" + "、".join(store.STATUSES.values()))
        note = text_field(data, "note", max_len=200, label="说明")
        case_id = request.path_params["case_id"]

        def work(session: Session) -> dict[str, Any] | None:
            now = self.c.services.clock()
            if self._case(session, who(request), case_id) is None:
                return None
            event = store.set_status(session, case_id=case_id, status=status, note=note, now=now)
            if event is None:
                return None
            case = store.get_case(session, case_id)
            assert case is not None
            told = notify(session, case=case, event=event, now=now)
            self.c.audit(session, request, "case.status", case.number, status=status, told=told)
            return {"status": status, "status_label": store.STATUSES[status], "notified": told,
                    "reach": store.reach(session, case)[1]}

        found = await self.c.db(work)
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个维权案件"}, 404)

    async def contact(self, request: Request) -> Response:
        case_id = request.path_params["case_id"]

        def work(session: Session) -> dict[str, Any] | None:
            case = self._case(session, who(request), case_id)
            if case is None:
                return None
            if case.phone is None:
                return {"error": ERASED}
            self.c.audit(session, request, "case.contact", case.number)
            return {"id": case.id, "phone": case.phone}

        found = await self.c.db(work)
        if found is None:
            return JSONResponse({"error": "没有这个维权案件"}, 404)
        return JSONResponse(found, 410 if "error" in found else 200)

    async def cases_page(self, request: Request) -> Response:
        status = self._status(request)
        data = await self.c.db(self._list, who(request), status, page_of(request))
        return self.c.page(request, "loop_cases.html", status=status, statuses=store.STATUSES, **data)

    async def case_page(self, request: Request) -> Response:
        found = await self.c.db(self._detail, who(request), request.path_params["case_id"])
        if found is None:
            raise BadRequest("没有这个维权案件")
        return self.c.page(request, "loop_case.html", case=found, statuses=store.STATUSES)

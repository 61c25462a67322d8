"""Console: 数字银龄 — the three maps as counts, the three tables of needs staff keep (a new
need is matched at once and pushed to the people whose map holds it), who chose what, and
recording a return to work (再就业) for the yearly target."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, text_field, who
from bot.console.loop.shared import day, number, person, readable, town_of, visible, when
from bot.console.roles import Perm, Staff
from handlers.silver import maps, match_need
from storage import silver as store
from storage.models import SilverChoice, SilverNeed, SilverPlacement, Worker


class Silver:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, L = self.c.api, Perm.LOOP
        return [Route("/silver", a(self.overview, L)), Route("/silver/people", a(self.people, L)),
                Route("/silver/needs", a(self.add_need, L), methods=["POST"]),
                Route("/silver/needs/{need_id:int}/close", a(self.close_need, L), methods=["POST"]),
                Route("/silver/placements", a(self.add_placement, L), methods=["POST"])]

    def pages(self) -> list[BaseRoute]:
        return [Route("/silver", self.c.html(self.page, Perm.LOOP))]

    def need_row(self, need: SilverNeed) -> dict[str, Any]:
        m = maps()[need.kind]
        return {"id": need.id, "kind": need.kind, "table": m.table, "code": need.code,
                "option": m.options.label(need.code), "title": need.title, "town": need.town, "venue": need.venue,
                "headcount": need.headcount, "contact": need.contact, "description": need.description,
                "status": need.status, "created_at": when(need.created_at, self.c)}

    def placement_row(self, p: SilverPlacement, worker: Worker | None) -> dict[str, Any]:
        return {"id": p.id, "worker_id": p.worker_id, "work": p.work, "employer": p.employer,
                "placed_on": p.placed_on.isoformat(), "need_id": p.need_id, "application_id": p.application_id,
                "town": worker.town if worker else None, "village": worker.village if worker else None}

    def _overview(self, session: Session, staff: Staff) -> dict[str, Any]:
        counts = store.map_counts(session)
        placements = store.list_placements(session)
        return {
            "people": store.people_count(session),
            "maps": {kind: {"label": m.label, "table": m.table, "options": [
                {"code": o.code, "label": o.label, "count": counts.get(kind, {}).get(o.code, 0)}
                for o in m.options.options]} for kind, m in maps().items()},
            "needs": readable(staff, [self.need_row(n) for n in store.list_needs(session, status=None)]),
            "placements": visible(staff, [self.placement_row(p, session.get(Worker, p.worker_id)) for p in placements]),
        }

    async def overview(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._overview, who(request)))

    def _kind_code(self, kind: Any, code: Any) -> tuple[str, str]:
        m = maps().get(str(kind or ""))
        if m is None:
            raise BadRequest("需求类型只能是 培训需求(learn)、就业需求(work) 或 公益需求(serve)")
        if str(code or "") not in m.options:
            raise BadRequest(f"请选择{m.label}里的一项")
        return m.kind, str(code)

    async def people(self, request: Request) -> Response:
        kind, code = self._kind_code(request.query_params.get("kind"), request.query_params.get("code"))

        def work(session: Session) -> list[dict[str, Any]]:
            rows = session.exec(select(Worker).join(SilverChoice, col(SilverChoice.worker_id) == col(Worker.id))
                                .where(col(SilverChoice.kind) == kind,
                                       col(SilverChoice.code) == code).order_by(col(Worker.id)))
            return visible(who(request), [person(w, self.c) for w in rows])

        return JSONResponse({"people": await self.c.db(work)})

    async def add_need(self, request: Request) -> Response:
        data = await body_json(request)
        kind, code = self._kind_code(data.get("kind"), data.get("code"))
        fields = {"kind": kind, "code": code,
                  "title": text_field(data, "title", max_len=128, required=True, label="名称"),
                  "town": town_of(self.c, data.get("town"), who(request)),
                  "venue": text_field(data, "venue", label="地点"),
                  "headcount": number(data.get("headcount"), label="人数", low=1, high=10000, default=1),
                  "contact": text_field(data, "contact", max_len=32, label="联系电话"),
                  "description": text_field(data, "description", max_len=500, label="说明")}

        def work(session: Session) -> dict[str, Any]:
            now = self.c.services.clock()
            need = store.add_need(session, fields=fields, now=now)
            pushes = match_need(session, need=need, now=now)
            self.c.audit(session, request, "silver.need", need.id, kind=kind, pushes=pushes)
            return {**self.need_row(need), "pushes": pushes}

        return JSONResponse(await self.c.db(work), 201)

    async def close_need(self, request: Request) -> Response:
        need_id = request.path_params["need_id"]

        def work(session: Session) -> bool:
            need = store.get_need(session, need_id)
            if need is not None:
                who(request).check(need.town)
            done = store.close_need(session, need_id=need_id)
            if done:
                self.c.audit(session, request, "silver.close", need_id)
            return done

        return JSONResponse({"ok": True}) if await self.c.db(work) else JSONResponse({"error": "没有这条需求"}, 404)

    async def add_placement(self, request: Request) -> Response:
        data = await body_json(request)
        worker_id = number(data.get("worker_id"), label="求职者编号", low=1, high=2**31 - 1)
        work_text = text_field(data, "work", max_len=128, required=True, label="做什么工作")
        placed_on = day(data.get("placed_on") or self.c.services.local_now().date().isoformat(), label="上岗日期")
        need_id = number(data["need_id"], label="需求编号", low=1, high=2**31 - 1) if data.get("need_id") else None
        application_id = number(data["application_id"], label="报名编号", low=1, high=2**31 - 1) \
            if data.get("application_id") else None

        def work(session: Session) -> dict[str, Any]:
            worker = session.get(Worker, worker_id)
            year = self.c.services.local_now().year
            if worker is None:
                raise BadRequest("没有这个求职者")
            who(request).check(worker.town, worker.village)
            if not worker.birth_year or year - worker.birth_year < 60:
                raise BadRequest("数字银龄再就业只记60岁以上的人")
            if need_id is not None and store.get_need(session, need_id) is None:
                raise BadRequest("没有这条需求")
            try:
                placement = store.add_placement(session, worker_id=worker_id, work=work_text or "",
                                                employer=text_field(data, "employer", max_len=128, label="单位"),
                                                placed_on=placed_on, need_id=need_id,
                                                application_id=application_id, now=self.c.services.clock())
            except store.SilverError as error:
                raise BadRequest(str(error)) from error
            self.c.audit(session, request, "silver.placed", worker_id, work=work_text)
            return self.placement_row(placement, worker)

        return JSONResponse(await self.c.db(work), 201)

    async def page(self, request: Request) -> Response:
        data = await self.c.db(self._overview, who(request))
        return self.c.page(request, "loop_silver.html", towns=self.c.services.places.names,
                           today=self.c.services.local_now().date(), **data)

"""Console: returning graduates and what each is still owed (1 guidance talk, 3 job
recommendations, 1 training), recording the talk and the training, and the internship bases
(见习基地) list staff keep."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, text_field, who
from bot.console.loop.shared import flag, number, readable, town_of, when
from bot.console.roles import Perm, Staff
from handlers.graduates import promise_kept
from storage import graduates as store
from storage.models import Graduate, InternshipBase, Job, Worker


class Graduates:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, L = self.c.api, Perm.LOOP
        return [Route("/graduates", a(self.graduates, L)),
                Route("/graduates/{graduate_id:int}/guidance", a(self.guided, L), methods=["POST"]),
                Route("/graduates/{graduate_id:int}/training", a(self.trained, L), methods=["POST"]),
                Route("/graduates/{graduate_id:int}/recommendations", a(self.recommended, L), methods=["POST"]),
                Route("/internship-bases", a(self.bases, L)),
                Route("/internship-bases", a(self.add_base, L), methods=["POST"]),
                Route("/internship-bases/{base_id:int}", a(self.change_base, L), methods=["POST"])]

    def pages(self) -> list[BaseRoute]:
        return [Route("/graduates", self.c.html(self.page, Perm.LOOP))]

    def row(self, p: store.Progress) -> dict[str, Any]:
        g = p.graduate
        return {"id": g.id, "worker_id": g.worker_id, "town": p.town, "school": g.school, "major": g.major,
                "grad_year": g.grad_year, "wish": store.WISHES.get(g.wish, g.wish),
                "guided": p.guided, "guided_at": when(g.guided_at, self.c), "guidance_note": g.guidance_note,
                "jobs": p.jobs, "recommended": len(p.jobs), "trained": p.trained,
                "trained_at": when(g.trained_at, self.c), "owed": p.owed, "registered": when(g.created_at, self.c)}

    def base_row(self, b: InternshipBase) -> dict[str, Any]:
        return {"id": b.id, "name": b.name, "town": b.town, "industry": b.industry, "positions": b.positions,
                "address": b.address, "phone": b.phone, "description": b.description, "active": b.active}

    def _graduates(self, session: Session, staff: Staff, owed_only: bool) -> list[dict[str, Any]]:
        return [self.row(p) for p in store.progress(session, owed_only=owed_only) if staff.sees(p.town)]

    async def graduates(self, request: Request) -> Response:
        owed = request.query_params.get("owed") in ("1", "true")
        return JSONResponse({"graduates": await self.c.db(self._graduates, who(request), owed)})

    async def _mark(self, request: Request, what: str) -> Response:
        data = await body_json(request)
        note = text_field(data, "note", max_len=200, label="说明")
        graduate_id = request.path_params["graduate_id"]

        def work(session: Session) -> bool:
            now = self.c.services.clock()
            self._graduate(session, request, graduate_id)
            done = store.mark(session, graduate_id=graduate_id, what=what, note=note, now=now)
            if done:
                self.c.audit(session, request, f"graduate.{what}", graduate_id)
                graduate = session.get(Graduate, graduate_id)
                assert graduate is not None
                promise_kept(session, graduate=graduate, what=what, note=note, now=now)
            return done

        return JSONResponse({"ok": True}) if await self.c.db(work) else JSONResponse({"error": "没有这个毕业生"}, 404)

    async def guided(self, request: Request) -> Response:
        return await self._mark(request, "guidance")

    async def trained(self, request: Request) -> Response:
        return await self._mark(request, "training")

    def _graduate(self, session: Session, request: Request, graduate_id: int) -> Graduate | None:
        """The graduate, if any; one of another town is out of a town account's reach."""
        graduate = session.get(Graduate, graduate_id)
        worker = session.get(Worker, graduate.worker_id) if graduate else None
        if worker is not None:
            who(request).check(worker.town)
        return graduate

    async def recommended(self, request: Request) -> Response:
        """A recommendation staff made themselves (on the phone, at the counter): it counts as one of three."""
        data = await body_json(request)
        job_id = number(data.get("job_id"), label="岗位编号", low=1, high=2**31 - 1)
        graduate_id = request.path_params["graduate_id"]

        def work(session: Session) -> dict[str, Any] | None:
            if self._graduate(session, request, graduate_id) is None:
                return None
            if session.get(Job, job_id) is None:
                raise BadRequest("没有这个岗位")
            slot = store.add_recommendation(session, graduate_id=graduate_id, job_id=job_id,
                                            now=self.c.services.clock())
            if slot is None:
                raise BadRequest("三次推荐已经用完，或这个岗位推荐过了")
            self.c.audit(session, request, "graduate.recommend", graduate_id, job=job_id)
            return {"slot": slot}

        found = await self.c.db(work)
        return JSONResponse(found, 201) if found else JSONResponse({"error": "没有这个毕业生"}, 404)

    async def bases(self, request: Request) -> Response:
        rows = await self.c.db(lambda s: store.bases(s, active_only=False))
        return JSONResponse({"bases": readable(who(request), [self.base_row(b) for b in rows])})

    def _base_fields(self, data: dict[str, Any], staff: Staff, *, partial: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if not partial or "name" in data:
            fields["name"] = text_field(data, "name", max_len=128, required=True, label="基地名称")
        for name, size, label in (("industry", 64, "行业"), ("address", 256, "地址"), ("phone", 32, "电话"),
                                  ("description", 500, "说明")):
            if not partial or name in data:
                fields[name] = text_field(data, name, max_len=size, label=label)
        if not partial or "town" in data:
            fields["town"] = town_of(self.c, data.get("town"), staff)
        if not partial or "positions" in data:
            fields["positions"] = number(data.get("positions"), label="见习岗位数", low=0, high=10000, default=0)
        if "active" in data:
            fields["active"] = flag(data.get("active"))
        return fields

    async def add_base(self, request: Request) -> Response:
        data = await body_json(request)
        fields = self._base_fields(data, who(request), partial=False)
        request_id = text_field(data, "request_id", max_len=64)

        def work(session: Session) -> dict[str, Any]:
            base = store.save_base(session, fields=fields, now=self.c.services.clock(),
                                   source_key=f"console-base-{request_id}" if request_id else None)
            assert base is not None
            self.c.audit(session, request, "base.add", base.id, name=base.name)
            return self.base_row(base)

        return JSONResponse(await self.c.db(work), 201)

    async def change_base(self, request: Request) -> Response:
        data = await body_json(request)
        fields = self._base_fields(data, who(request), partial=True)
        base_id = request.path_params["base_id"]

        def work(session: Session) -> dict[str, Any] | None:
            if (found := session.get(InternshipBase, base_id)) is not None:
                who(request).check(found.town)
            base = store.save_base(session, fields=fields, now=self.c.services.clock(), base_id=base_id)
            if base is not None:
                self.c.audit(session, request, "base.change", base_id, fields=sorted(fields))
            return self.base_row(base) if base else None

        found = await self.c.db(work)
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个见习基地"}, 404)

    async def page(self, request: Request) -> Response:
        owed = request.query_params.get("owed") in ("1", "true")
        rows = await self.c.db(self._graduates, who(request), owed)
        bases = await self.c.db(lambda s: readable(who(request),
                                                   [self.base_row(b) for b in store.bases(s, active_only=False)]))
        return self.c.page(request, "loop_graduates.html", graduates=rows, owed=owed, bases=bases,
                           towns=self.c.services.places.names)

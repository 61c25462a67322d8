"""Console: training courses — post one, see the list with seats taken, see who signed up,
mark who finished (结业)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, int_list, text_field, who
from bot.console.loop.shared import day, flag, number, person, readable, town_of, visible, when
from bot.console.roles import OutOfScope, Perm, Staff
from knowledge import taxonomy
from storage import courses as store
from storage.models import Course

KINDS = ("技能培训", "创业培训")
STATUS = {store.SIGNED: "已报名", store.CANCELLED: "已取消", store.COMPLETED: "已结业"}


class Training:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, L = self.c.api, Perm.LOOP
        return [Route("/courses", a(self.courses, L)), Route("/courses", a(self.add, L), methods=["POST"]),
                Route("/courses/{course_id:int}", a(self.course, L)),
                Route("/courses/{course_id:int}/complete", a(self.complete, L), methods=["POST"])]

    def pages(self) -> list[BaseRoute]:
        h, L = self.c.html, Perm.LOOP
        return [Route("/courses", h(self.courses_page, L)), Route("/courses/{course_id:int}", h(self.course_page, L))]

    # --- shapes ------------------------------------------------------------------------------------------
    def row(self, course: Course, taken: int, completed: int = 0) -> dict[str, Any]:
        return {"id": course.id, "title": course.title, "kind": course.kind,
                "skills": taxonomy.skills().labels_of(course.skills) if course.skills else "不限",
                "town": course.town, "venue": course.venue,
                "starts_on": course.starts_on.isoformat() if course.starts_on else None,
                "ends_on": course.ends_on.isoformat() if course.ends_on else None,
                "seats": course.seats, "taken": taken, "left": course.seats - taken, "completed": completed,
                "certificate": course.certificate, "fee": course.fee, "hours": course.hours}

    def _list(self, session: Session, staff: Staff) -> list[dict[str, Any]]:
        rows = store.list_courses(session)
        ids = [c.id for c in rows if c.id]
        taken, done = store.taken_seats(session, ids), store.taken_seats(session, ids, (store.COMPLETED,))
        return readable(staff, [self.row(c, taken.get(c.id or 0, 0), done.get(c.id or 0, 0)) for c in rows])

    def _detail(self, session: Session, staff: Staff, course_id: int) -> dict[str, Any] | None:
        """A course and who signed up; a town's staff see only their town's people."""
        course = store.get_course(session, course_id)
        if course is None:
            return None
        if not staff.reads(course.town):
            raise OutOfScope
        people = store.signups(session, course_id=course_id)
        taken = sum(1 for s, _ in people if s.status in store.HOLDS_SEAT)
        completed = sum(1 for s, _ in people if s.status == store.COMPLETED)
        return {**self.row(course, taken, completed), "signups": visible(staff, [
            {**person(w, self.c), "status": s.status, "status_label": STATUS.get(s.status, s.status),
             "signed_at": when(s.created_at, self.c), "completed_at": when(s.completed_at, self.c)}
            for s, w in people])}

    # --- API ---------------------------------------------------------------------------------------------
    async def courses(self, request: Request) -> Response:
        return JSONResponse({"courses": await self.c.db(self._list, who(request))})

    async def course(self, request: Request) -> Response:
        found = await self.c.db(self._detail, who(request), request.path_params["course_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个培训"}, 404)

    def fields(self, data: dict[str, Any], staff: Staff) -> dict[str, Any]:
        title = text_field(data, "title", max_len=128, required=True, label="培训名称")
        kind = str(data.get("kind") or KINDS[0])
        if kind not in KINDS:
            raise BadRequest("培训类型只能是 技能培训 或 创业培训")
        raw_skills = data.get("skills") or []
        if isinstance(raw_skills, str):
            raw_skills = [raw_skills]
        skills: list[str] = []
        for item in raw_skills:
            if str(item).strip():
                parsed = [str(item)] if str(item) in taxonomy.skills() else taxonomy.skills().parse(str(item))
                if not parsed:
                    raise BadRequest(f"不认识的工种：{item}")
                skills.extend(s for s in parsed if s not in skills)
        starts = day(data.get("starts_on"), label="开课日期")
        ends = day(data.get("ends_on"), label="结束日期", required=False) or starts
        if starts and ends and ends < starts:
            raise BadRequest("结束日期早于开课日期")
        return {"title": title, "kind": kind, "skills": skills, "town": town_of(self.c, data.get("town"), staff),
                "venue": text_field(data, "venue", label="地点"), "starts_on": starts, "ends_on": ends,
                "seats": number(data.get("seats"), label="名额", low=1, high=2000, default=30),
                "certificate": flag(data.get("certificate")), "fee": text_field(data, "fee", max_len=64, label="费用"),
                "hours": text_field(data, "hours", max_len=64, label="上课时间")}

    async def add(self, request: Request) -> Response:
        data = await body_json(request)
        fields = self.fields(data, who(request))
        request_id = text_field(data, "request_id", max_len=64)
        fields["source_key"] = f"console-course-{request_id or uuid.uuid4().hex}"

        def work(session: Session) -> tuple[dict[str, Any], bool]:
            course = store.add_course(session, fields=fields, now=self.c.services.clock())
            if course is None:  # the same form sent twice
                course = session.exec(select(Course).where(col(Course.source_key) == fields["source_key"])).one()
                return self.row(course, 0), False
            self.c.audit(session, request, "course.add", course.id, title=course.title)
            return self.row(course, 0), True

        row, new = await self.c.db(work)
        return JSONResponse(row, 201 if new else 200)

    async def complete(self, request: Request) -> Response:
        data = await body_json(request)
        course_id = request.path_params["course_id"]

        def work(session: Session) -> dict[str, Any] | None:
            course = store.get_course(session, course_id)
            if course is None:
                return None
            who(request).check(course.town)
            if course.starts_on and course.starts_on > self.c.services.local_now().date():
                raise BadRequest(f"这个培训{course.starts_on.month}月{course.starts_on.day}日才开课，还不能结业")
            ids = int_list(data.get("worker_ids"))
            if flag(data.get("all")):
                ids = [s.worker_id for s, _ in store.signups(session, course_id=course_id) if s.status == store.SIGNED]
            if not ids:
                raise BadRequest("请选择结业的人")
            done = store.complete(session, course_id=course_id, worker_ids=ids, now=self.c.services.clock())
            self.c.audit(session, request, "course.complete", course_id, workers=ids, done=done)
            return {"completed": done}

        found = await self.c.db(work)
        return JSONResponse(found) if found is not None else JSONResponse({"error": "没有这个培训"}, 404)

    # --- pages -------------------------------------------------------------------------------------------
    async def courses_page(self, request: Request) -> Response:
        rows = await self.c.db(self._list, who(request))
        return self.c.page(request, "loop_courses.html", courses=rows, kinds=KINDS, towns=self.c.services.places.names,
                           skills=taxonomy.skills().options, today=self.c.services.local_now().date())

    async def course_page(self, request: Request) -> Response:
        found = await self.c.db(self._detail, who(request), request.path_params["course_id"])
        if found is None:
            raise BadRequest("没有这个培训")
        return self.c.page(request, "loop_course.html", course=found)

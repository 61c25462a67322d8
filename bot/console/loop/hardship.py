"""Console: people who declared hardship (with their consent; withdrawn ones are gone), the
open public-welfare jobs (公益性岗位), and the 残疾人之家 workplaces staff list as employers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import Console, body_json, text_field, who
from bot.console.loop.shared import person, readable, town_of, visible, when
from bot.console.roles import Perm, Staff
from handlers.hardship import home_kind
from storage import eligibility as el
from storage.jobs import employer_id
from storage.models import Employer, Job


class Hardship:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, L = self.c.api, Perm.LOOP
        return [Route("/hardship", a(self.overview, L)), Route("/hardship/homes", a(self.add_home, L),
                                                               methods=["POST"])]

    def pages(self) -> list[BaseRoute]:
        return [Route("/hardship", self.c.html(self.page, Perm.LOOP))]

    def home_row(self, e: Employer) -> dict[str, Any]:
        return {"id": e.id, "name": e.name, "town": e.town, "address": e.address, "phone": e.phone}

    def _overview(self, session: Session, staff: Staff) -> dict[str, Any]:
        open_jobs = session.exec(select(func.count()).select_from(Job).where(
            col(Job.status) == "open", col(Job.public_welfare) == True)).one()  # noqa: E712
        homes = session.exec(select(Employer).where(col(Employer.kind) == home_kind()).order_by(col(Employer.town)))
        return {"people": visible(staff, [{**person(w, self.c), "category": d.category,
                                           "consented_at": when(d.consented_at, self.c)}
                                          for d, w in el.declarations(session)]),
                "public_welfare_open": open_jobs, "homes": readable(staff, [self.home_row(e) for e in homes])}

    async def overview(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._overview, who(request)))

    async def add_home(self, request: Request) -> Response:
        data = await body_json(request)
        name = text_field(data, "name", max_len=128, required=True, label="名称") or ""
        town = town_of(self.c, data.get("town"), who(request))
        address, phone = text_field(data, "address", label="地址"), text_field(data, "phone", max_len=32, label="电话")

        def work(session: Session) -> dict[str, Any]:
            found = session.get(Employer, employer_id(session, name=name, kind=home_kind(), town=town, phone=phone))
            assert found is not None
            found.kind, found.town, found.address, found.phone = home_kind(), town, address, phone
            session.add(found)
            self.c.audit(session, request, "home.add", found.id, name=name)
            return self.home_row(found)

        return JSONResponse(await self.c.db(work), 201)

    async def page(self, request: Request) -> Response:
        data = await self.c.db(self._overview, who(request))
        return self.c.page(request, "loop_hardship.html", towns=self.c.services.places.names, **data)

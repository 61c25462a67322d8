"""The console's HTML pages, rendered on the server: dashboard, jobs, fairs, broadcasts
(compose, preview, live report) and workers. Forms post JSON to the API with a little
vanilla JavaScript (static/console.js). Logging in and accounts are in bot/console/login.py."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console import charts
from bot.console.accounts import ACTIONS
from bot.console.api import Api, audience_label, broadcast_row, fair_row, scoped_town
from bot.console.context import BadRequest, Console, mask_id, mask_phone, page_of, who
from bot.console.roles import Perm
from handlers.fair_text import fair_block
from handlers.notices import JOB_STATUS
from knowledge import taxonomy
from storage import broadcasts as bc
from storage import fairs as fr
from storage import stats
from storage.applications import LABELS as APPLICATION_LABELS
from storage.applications import OUTCOMES
from storage.jobs import applications, open_jobs
from storage.models import Employer, StaffAudit, saved_id
from storage.questions import recent_questions


class Pages:
    def __init__(self, console: Console, api: Api):
        self.c = console
        self.api = api

    def routes(self) -> list[BaseRoute]:
        h = self.c.html
        return [
            Route("/", h(self.dashboard, Perm.FIGURES)), Route("/jobs", h(self.jobs, Perm.JOBS)),
            Route("/jobs/{job_id:int}", h(self.job, Perm.JOBS)),
            Route("/fairs", h(self.fairs, Perm.FAIRS)), Route("/broadcasts", h(self.broadcasts, Perm.BROADCAST)),
            Route("/broadcasts/{broadcast_id:int}", h(self.broadcast, Perm.BROADCAST)),
            Route("/workers", h(self.workers, Perm.WORKERS)),
        ]

    # --- dashboard ---------------------------------------------------------------------------------
    def _dashboard(self, session: Session, show_audit: bool) -> dict[str, Any]:
        figs, months, year = self.api._figures(session)
        audit = list(session.exec(select(StaffAudit).order_by(col(StaffAudit.id).desc()).limit(10))
                     ) if show_audit else []
        return {"year": year, "target_year": stats.target_year(year), "plan_years": stats.PLAN_YEARS,
                "figures": figs, "progress": charts.progress(figs),
                "fairs_chart": charts.by_month(months, "fairs_held", "每月举办招聘会（场）"),
                "jobs_chart": charts.by_month(months, "jobs_posted", "每月发布岗位（个）"),
                "questions": recent_questions(session, answered=False, limit=20),
                "audit": [(a, ACTIONS.get(a.action, a.action)) for a in audit]}

    async def dashboard(self, request: Request) -> Response:
        data = await self.c.db(self._dashboard, who(request).can(Perm.ACCOUNTS))
        return self.c.page(request, "dashboard.html", tz=self.c.services.tz, **data)

    # --- jobs --------------------------------------------------------------------------------------
    async def jobs(self, request: Request) -> Response:
        status = request.query_params.get("status", "open") or None
        town = scoped_town(who(request), request.query_params.get("town") or None)
        data = await self.c.db(self.api._job_rows, None if status == "all" else status, town, page_of(request))
        recent = await self.c.db(lambda s: applications(s, limit=20, town=who(request).place))
        return self.c.page(request, "jobs.html", status=status, town=town, towns=self.c.services.places.names,
                           skills=taxonomy.skills().options, applications=recent, mask_id=mask_id, statuses=JOB_STATUS,
                           mask_phone=mask_phone, application_labels=APPLICATION_LABELS,
                           tz=self.c.services.tz, **data)

    async def job(self, request: Request) -> Response:
        """One job for its employer: who applied (phones masked, revealed one by one), outcomes."""
        view = await self.c.db(self.api.job_view, request, request.path_params["job_id"])
        if view is None:
            return HTMLResponse("没有这个岗位。", 404)
        return self.c.page(request, "job.html", job=view, outcomes=list(OUTCOMES.values()),
                           today=self.c.services.local_now().date())

    # --- fairs -------------------------------------------------------------------------------------
    def _fairs(self, session: Session) -> dict[str, Any]:
        now, tz = self.c.services.clock(), self.c.services.tz
        fr.ensure_fixed_fairs(session, now, tz, self.c.settings)
        first = now.astimezone(tz).date().replace(day=1)
        start = datetime.combine(first, time(), tz)
        rows = fr.list_fairs(session, start=start, end=start + timedelta(days=124))
        months: dict[str, list[dict[str, Any]]] = {}
        for fair in rows:
            local = fair.starts_at.astimezone(tz)
            row = fair_row(fair, self.c)
            row["past"] = fr.end_of(fair) <= now
            months.setdefault(f"{local.year}年{local.month}月", []).append(row)
        return {"months": months, "jobs": open_jobs(session),
                "employers": list(session.exec(select(Employer).order_by(col(Employer.name))))}

    async def fairs(self, request: Request) -> Response:
        data = await self.c.db(self._fairs)
        return self.c.page(request, "fairs.html", kinds=[k for k in fr.KINDS if k != fr.FIXED_KIND],
                           towns=self.c.services.places.names, today=self.c.services.local_now().date(), **data)

    # --- broadcasts --------------------------------------------------------------------------------
    def _broadcasts(self, session: Session, fair_id: int | None, town: str | None) -> dict[str, Any]:
        now, tz = self.c.services.clock(), self.c.services.tz
        fairs = fr.upcoming_fairs(session, now=now, limit=30)
        titles = {saved_id(f): f"{f.starts_at.astimezone(tz):%m-%d} {f.title}" for f in fairs}
        chosen = next((f for f in fairs if f.id == fair_id), None)
        draft = fair_block(chosen, tz, heading="招聘会通知：") + "\n回复“招聘会”看详情。" if chosen else ""
        rows = bc.list_broadcasts(session, limit=30, town=town)
        listed = [{**broadcast_row(r, self.c), "audience_label": audience_label(bc.Audience.from_dict(r.audience),
                                                                                titles)} for r in rows]
        return {"fairs": titles, "fair_id": fair_id, "draft": draft, "broadcasts": listed}

    async def broadcasts(self, request: Request) -> Response:
        raw = request.query_params.get("fair_id") or ""
        data = await self.c.db(self._broadcasts, int(raw) if raw.isdigit() else None, who(request).place)
        return self.c.page(request, "broadcasts.html", towns=self.c.services.places.names,
                           skills=taxonomy.skills().options, age_bands=bc.AGE_BANDS, **data)

    async def broadcast(self, request: Request) -> Response:
        found = await self.c.db(self.api._broadcast_view, request, request.path_params["broadcast_id"])
        if found is None:
            raise BadRequest("没有这条通知")
        return self.c.page(request, "broadcast.html", **found)

    # --- workers -----------------------------------------------------------------------------------
    async def workers(self, request: Request) -> Response:
        params = request.query_params
        q, town, skill = (params.get("q") or "").strip()[:32], params.get("town") or None, params.get("skill") or None
        if skill and skill not in taxonomy.skills():
            skill = None
        found = await self.c.db(self.api._workers, who(request), q, town, skill, 1)
        counts = await self.c.db(self.api._counts)
        return self.c.page(request, "workers.html", q=q, town=town, skill=skill, towns=self.c.services.places.names,
                           skills=taxonomy.skills().options, counts=counts, **found)

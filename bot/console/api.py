"""The staff JSON API under /console/api: figures, jobs, fairs, broadcasts and workers.

Every route names the permission it needs (bot/console/roles.py) and keeps to the place of
the account asking: a town's staff see and change only their town's jobs, fairs, people and
broadcasts. Personal details come masked, except the one contact route, which is written to
the staff audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels import costs
from bot.console.context import (
    BadRequest,
    Console,
    body_json,
    int_list,
    local_datetime,
    mask_id,
    mask_phone,
    page_of,
    parse_day,
    text_field,
    who,
)
from bot.console.roles import OutOfScope, Perm, Role, Staff
from bot.outreach import broadcasts as broadcast_outreach
from bot.outreach import fairs as fair_outreach
from bot.outreach.jobs import classify_job, import_jobs, post_job
from bot.postings import job_fields, understood
from handlers.fair_text import when_text
from handlers.notices import JOB_STATUS, pay_text
from handlers.registration import notes_text
from knowledge import taxonomy
from storage import applications, stats
from storage import broadcasts as bc
from storage import fairs as fr
from storage.jobs import STATUSES as JOB_STATUSES
from storage.jobs import list_jobs, set_status
from storage.models import ChatAccount, Employer, Fair, Job, JobApplication, Worker, WorkerSkill, saved_id
from storage.questions import recent_questions
from storage.sql import table_of

PAGE_SIZE = 50
MAX_UPLOAD = 5 * 1024 * 1024
FAIR_STATUS = {fr.SCHEDULED: "按计划", fr.MOVED: "已改期", fr.CANCELLED: "已取消"}
BROADCAST_STATUS = {bc.DRAFT: "草稿（未发送）", bc.QUEUED: "已确认发送", bc.STOPPED: "已停止"}


def scoped_town(staff: Staff, asked: str | None) -> str | None:
    """The town a list or a new record is kept to: a town account's own, whatever was asked."""
    if staff.place is None:
        return asked
    if asked and asked != staff.place:
        raise OutOfScope
    return staff.place


def _own_job(session: Session, request: Request, job_id: int) -> Job | None:
    """The job, if any; one of another town is out of a town account's reach."""
    job = session.get(Job, job_id)
    if job is not None:
        who(request).check(job.town)
    return job


def _iso(value: Any, console: Console) -> str | None:
    return value.astimezone(console.services.tz).strftime("%Y-%m-%d %H:%M") if value else None


# --- shapes sent to the browser ----------------------------------------------------------------------
UNCLASSIFIED = "未归类"


def job_row(job: Job, employers: dict[int, str], console: Console) -> dict[str, Any]:
    return {"id": job.id, "title": job.title, "employer": employers.get(job.employer_id or 0, ""),
            "town": job.town or "全县", "village": job.village,
            "skills": taxonomy.skills().labels_of(job.skills) if job.skills else UNCLASSIFIED,
            "pay": pay_text(job), "headcount": job.headcount, "status": job.status,
            "status_label": JOB_STATUS.get(job.status, job.status),
            "created_at": _iso(job.created_at, console)}


def fair_row(fair: Fair, console: Console) -> dict[str, Any]:
    tz = console.services.tz
    start, end = fair.starts_at.astimezone(tz), fr.end_of(fair).astimezone(tz)
    return {"id": fair.id, "kind": fair.kind, "title": fair.title, "town": fair.town, "venue": fair.venue,
            "stream_url": fair.stream_url, "date": start.date().isoformat(), "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"), "when": when_text(fair, tz), "status": fair.status,
            "status_label": FAIR_STATUS.get(fair.status, fair.status), "job_ids": fair.job_ids,
            "fixed": fair.source_key.startswith("fixed-")}


def broadcast_row(row: Any, console: Console) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "texts": row.texts, "audience": row.audience, "fair_id": row.fair_id,
            "status": row.status, "status_label": BROADCAST_STATUS.get(row.status, row.status),
            "queued": row.queued, "created_at": _iso(row.created_at, console),
            "confirmed_at": _iso(row.confirmed_at, console), "stopped_at": _iso(row.stopped_at, console)}


def audience_label(audience: bc.Audience, fair_titles: dict[int, str] | None = None) -> str:
    parts = []
    if audience.towns:
        parts.append("乡镇：" + "、".join(audience.towns))
    if audience.skills:
        parts.append("会做：" + taxonomy.skills().labels_of(list(audience.skills)))
    if audience.age_bands:
        parts.append("年龄：" + "、".join(bc.AGE_BANDS[b][0] for b in audience.age_bands))
    if audience.registered_since:
        parts.append(f"{audience.registered_since.isoformat()} 以后登记")
    if audience.fair_id:
        parts.append("适合招聘会：" + (fair_titles or {}).get(audience.fair_id, f"#{audience.fair_id}"))
    return "；".join(parts) or "全部订阅的求职者"


class Api:
    def __init__(self, console: Console):
        self.c = console

    def routes(self) -> list[BaseRoute]:
        a, F, J, B, W = self.c.api, Perm.FIGURES, Perm.JOBS, Perm.BROADCAST, Perm.WORKERS
        return [
            Route("/stats", a(self.stats, F)), Route("/stats.csv", a(self.stats_csv, F)),
            Route("/stats.xlsx", a(self.stats_xlsx, F)), Route("/questions", a(self.questions, F)),
            Route("/jobs", a(self.jobs, J)), Route("/jobs", a(self.add_job, J), methods=["POST"]),
            Route("/jobs/import", a(self.import_jobs, J), methods=["POST"]),
            Route("/jobs/{job_id:int}/close", a(self.close_job, J), methods=["POST"]),
            Route("/jobs/{job_id:int}/skills", a(self.classify_job, J), methods=["POST"]),
            Route("/jobs/{job_id:int}", a(self.job, J)),
            Route("/applications/{application_id:int}/outcome", a(self.application_outcome, J), methods=["POST"]),
            Route("/employers", a(self.employers, J)),
            Route("/fairs", a(self.fairs, Perm.FAIRS)), Route("/fairs", a(self.add_fair, Perm.FAIRS), methods=["POST"]),
            Route("/fairs/{fair_id:int}", a(self.fair, Perm.FAIRS)),
            Route("/fairs/{fair_id:int}/move", a(self.move_fair, Perm.FAIRS), methods=["POST"]),
            Route("/fairs/{fair_id:int}/cancel", a(self.cancel_fair, Perm.FAIRS), methods=["POST"]),
            Route("/fairs/{fair_id:int}/offer", a(self.fair_offer, Perm.FAIRS), methods=["POST"]),
            Route("/audience", a(self.audience, B), methods=["POST"]),
            Route("/broadcasts", a(self.broadcasts, B)), Route("/broadcasts", a(self.add_broadcast, B),
                                                               methods=["POST"]),
            Route("/broadcasts/{broadcast_id:int}", a(self.broadcast, B)),
            Route("/broadcasts/{broadcast_id:int}/confirm", a(self.confirm_broadcast, B), methods=["POST"]),
            Route("/broadcasts/{broadcast_id:int}/stop", a(self.stop_broadcast, B), methods=["POST"]),
            Route("/workers", a(self.workers, W)), Route("/workers/counts", a(self.worker_counts, W)),
            Route("/workers/{worker_id:int}/contact", a(self.worker_contact, Perm.PHONES)),
        ]

    # --- figures -----------------------------------------------------------------------------------
    def _figures(self, session: Session) -> tuple[list[stats.Figure], list[stats.Month], int]:
        now, tz = self.c.services.clock(), self.c.services.tz
        return stats.figures(session, now=now, tz=tz), stats.monthly(session, now=now, tz=tz), \
            now.astimezone(tz).year

    async def stats(self, request: Request) -> Response:
        figs, months, year = await self.c.db(self._figures)
        return JSONResponse({"year": year, "target_year": stats.target_year(year), **stats.as_dicts(figs, months)})

    async def stats_csv(self, request: Request) -> Response:
        figs, months, year = await self.c.db(self._figures)
        return Response(stats.to_csv(figs, months, year=year), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="jobbot-{year}.csv"'})

    async def stats_xlsx(self, request: Request) -> Response:
        figs, months, year = await self.c.db(self._figures)
        return Response(stats.to_xlsx(figs, months, year=year),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="jobbot-{year}.xlsx"'})

    async def questions(self, request: Request) -> Response:
        flag = request.query_params.get("answered")
        answered = None if flag in (None, "") else flag in ("1", "true")
        rows = await self.c.db(lambda s: recent_questions(s, answered=answered, limit=100))
        return JSONResponse({"questions": [{"id": q.id, "asked_at": _iso(q.asked_at, self.c), "text": q.text,
                                            "answered": q.answered} for q in rows]})

    # --- jobs --------------------------------------------------------------------------------------
    def _job_rows(self, session: Session, status: str | None, town: str | None, page: int) -> dict[str, Any]:
        jobs = list_jobs(session, status=status, town=town, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        ids = {j.employer_id for j in jobs if j.employer_id}
        names = ({saved_id(e): e.name for e in session.exec(select(Employer).where(col(Employer.id).in_(ids)))}
                 if ids else {})
        return {"jobs": [job_row(j, names, self.c) for j in jobs[:PAGE_SIZE]], "page": page,
                "more": len(jobs) > PAGE_SIZE}

    async def jobs(self, request: Request) -> Response:
        status = request.query_params.get("status") or None
        if status and status not in JOB_STATUSES:
            raise BadRequest("岗位状态不对")
        town = scoped_town(who(request), request.query_params.get("town") or None)
        return JSONResponse(await self.c.db(self._job_rows, status, town, page_of(request)))

    async def add_job(self, request: Request) -> Response:
        """Post one job; with `"check": true` only say what was read from it, saving nothing."""
        data = await body_json(request)
        spec = {k: v for k, v in data.items() if k in (
            "title", "employer", "employer_kind", "town", "village", "address", "skills", "pay", "season",
            "start_date", "end_date", "hours", "headcount", "age", "physical", "night_shift", "phone",
            "show_phone", "public_welfare", "description", "key")}
        if data.get("check"):
            fields = await self.c.db(lambda session: job_fields(spec, self.c.services))
            return JSONResponse({"check": True, "understood": understood(fields), "unclassified": not fields["skills"]})

        def work(session: Session) -> dict[str, Any]:
            job, pushes = post_job(session, self.c.services, spec, only_town=who(request).place)
            if job is None:
                return {"added": False, "error": "这个岗位已经发布过了"}
            self.c.audit(session, request, "job.add", job.id, title=job.title)
            return {"added": True, "id": job.id, "pushes": pushes, "unclassified": not job.skills}

        result = await self.c.db(work)
        return JSONResponse(result, 200 if result["added"] else 409)

    async def import_jobs(self, request: Request) -> Response:
        filename = request.query_params.get("filename") or request.headers.get("x-filename") or ""
        data = await request.body()
        if not data:
            raise BadRequest("没有收到文件")
        if len(data) > MAX_UPLOAD:
            raise BadRequest("文件太大了（最多 5MB）")

        check = request.query_params.get("check") in ("1", "true")

        def work(session: Session) -> dict[str, Any]:
            report = import_jobs(session, self.c.services, data, filename, check=check, only_town=who(request).place)
            if not check:
                self.c.audit(session, request, "job.import", filename, added=report.added, errors=len(report.errors))
            return {"check": check, "added": report.added, "duplicates": report.duplicates, "pushes": report.pushes,
                    "errors": [{"row": r, "reason": why} for r, why in report.errors],
                    "understood": [{"row": r, "title": t, "text": why} for r, t, why in report.understood],
                    "unclassified": report.unclassified}

        return JSONResponse(await self.c.db(work))

    async def classify_job(self, request: Request) -> Response:
        """Staff pick the kind of a job (未归类 ones are pushed only once they have one)."""
        job_id = request.path_params["job_id"]
        kinds = text_field(await body_json(request), "skills", max_len=64, required=True, label="工种")

        def work(session: Session) -> dict[str, Any]:
            _own_job(session, request, job_id)
            job, pushes = classify_job(session, self.c.services, job_id=job_id, kinds=kinds or "")
            self.c.audit(session, request, "job.classify", job_id, skills=job.skills)
            return {"ok": True, "skills": taxonomy.skills().labels_of(job.skills), "pushes": pushes}

        return JSONResponse(await self.c.db(work))

    def job_view(self, session: Session, request: Request, job_id: int) -> dict[str, Any] | None:
        """One job as its employer sees it: applicants (phones masked), hired, headcount left."""
        _own_job(session, request, job_id)
        view = applications.job_view(session, job_id=job_id)
        if view is None:
            return None
        return {"id": job_id, "title": view.job.title, "status": view.job.status, "headcount": view.job.headcount,
                "hired": view.hired, "left": view.left,
                "applicants": [{"id": a.id, "at": _iso(a.at, self.c), "name": a.name or "", "worker_id": a.worker_id,
                                "phone": mask_phone(a.phone), "status": a.status,
                                "status_label": applications.LABELS.get(a.status, a.status),
                                "outcome_on": a.outcome_on.isoformat() if a.outcome_on else None}
                               for a in view.applicants]}

    async def job(self, request: Request) -> Response:
        found = await self.c.db(self.job_view, request, request.path_params["job_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个岗位"}, 404)

    async def application_outcome(self, request: Request) -> Response:
        """Staff record 联系上 / 录用 / 未录用 with a date (today when none is given)."""
        application_id = request.path_params["application_id"]
        data = await body_json(request)
        outcome = applications.outcome_code(str(data.get("outcome") or ""))
        if outcome is None:
            raise BadRequest("结果只能是：联系上、录用、未录用")
        day = parse_day(data["date"]) if data.get("date") else self.c.services.local_now().date()

        def work(session: Session) -> dict[str, Any] | None:
            applied = session.get(JobApplication, application_id)
            if applied is not None:
                _own_job(session, request, applied.job_id)
            recorded = applications.record_outcome(session, application_id=application_id, outcome=outcome, on=day,
                                                   by="staff", now=self.c.services.clock())
            if recorded is None:
                return None
            self.c.audit(session, request, "application.outcome", application_id, outcome=outcome, on=day)
            return {"ok": True, "status": outcome, "filled": recorded.filled, "job_id": recorded.job.id}

        found = await self.c.db(work)
        return JSONResponse(found) if found else JSONResponse({"error": "没有这条报名"}, 404)

    async def close_job(self, request: Request) -> Response:
        job_id = request.path_params["job_id"]
        data = await body_json(request)
        status = data.get("status") or "closed"
        if status not in ("closed", "filled"):
            raise BadRequest("只能改成 已结束(closed) 或 已招满(filled)")

        def work(session: Session) -> bool:
            if _own_job(session, request, job_id) is None:
                return False
            done = set_status(session, job_id=job_id, status=status, now=self.c.services.clock())
            if done:
                self.c.audit(session, request, "job.close", job_id, status=status)
            return done

        if not await self.c.db(work):
            return JSONResponse({"error": "没有这个岗位"}, 404)
        return JSONResponse({"ok": True})

    async def employers(self, request: Request) -> Response:
        rows = await self.c.db(lambda s: list(s.exec(select(Employer).order_by(col(Employer.name)))))
        return JSONResponse({"employers": [{"id": e.id, "name": e.name, "town": e.town} for e in rows]})

    # --- fairs -------------------------------------------------------------------------------------
    def _span(self, request: Request) -> tuple[Any, Any]:
        tz, today = self.c.services.tz, self.c.services.local_now().date()
        start = parse_day(request.query_params.get("from") or today.replace(day=1), label="开始日期")
        end = parse_day(request.query_params["to"], label="结束日期") if request.query_params.get("to") \
            else start + timedelta(days=124)
        return local_datetime(start, "00:00", tz), local_datetime(end, "00:00", tz)

    async def fairs(self, request: Request) -> Response:
        start, end = self._span(request)
        rows = await self.c.db(lambda s: fr.list_fairs(s, start=start, end=end))
        return JSONResponse({"fairs": [fair_row(f, self.c) for f in rows]})

    def _fair_detail(self, session: Session, fair_id: int) -> dict[str, Any] | None:
        fair = fr.get_fair(session, fair_id)
        if fair is None:
            return None  # every fair may be read: fairs are public notices
        tz = self.c.services.tz
        return {**fair_row(fair, self.c),
                "employers": [{"id": e.id, "name": e.name} for e in fr.fair_employers(session, fair)],
                "jobs": [{"id": j.id, "title": j.title, "town": j.town} for j in fr.fair_jobs(session, fair)],
                "told": len(fr.told_worker_ids(session, fair_id)),
                "changes": [{"action": ch.action, "at": _iso(ch.created_at, self.c),
                             "from": _iso(ch.old_starts_at, self.c), "to": _iso(ch.new_starts_at, self.c),
                             "venue": ch.new_venue, "reason": ch.reason, "notified": ch.notified}
                            for ch in fr.changes(session, fair_id)],
                "reminders": {k: v for kind in (fr.PUSH_KIND, fr.CHANGE_KIND)
                              for k, v in bc.outbox.counts(session, kind=kind, ref_id=fair_id).items()},
                "tz": str(tz)}

    async def fair(self, request: Request) -> Response:
        found = await self.c.db(self._fair_detail, request.path_params["fair_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "没有这场招聘会"}, 404)

    def _employer_ids(self, session: Session, data: dict[str, Any]) -> list[int]:
        from storage.jobs import employer_id

        ids = int_list(data.get("employer_ids"))
        names = data.get("employer_names") or []
        if isinstance(names, str):
            names = [n for part in names.replace("，", ",").replace("、", ",").split(",") if (n := part.strip())]
        for name in names:
            if len(str(name)) > 128:
                raise BadRequest("单位名称太长了")
            ids.append(employer_id(session, name=str(name)))
        return ids

    async def add_fair(self, request: Request) -> Response:
        data = await body_json(request)
        tz = self.c.services.tz
        town = text_field(data, "town", max_len=32)
        if town and town not in self.c.services.places.names:
            raise BadRequest(f"乡镇“{town}”不认识")
        town = scoped_town(who(request), town)
        starts = local_datetime(data.get("date"), data.get("start") or "09:00", tz, label="开始时间")
        ends = local_datetime(data.get("date"), data["end"], tz, label="结束时间") if data.get("end") else None
        request_id = text_field(data, "request_id", max_len=64)

        key = f"console-{request_id}" if request_id else None

        def work(session: Session) -> tuple[dict[str, Any], bool]:
            if key and (fair := session.exec(select(Fair).where(col(Fair.source_key) == key)).first()):
                return fair_row(fair, self.c), False  # the same form sent twice
            fair = fr.add_fair(
                session, kind=str(data.get("kind") or ""), title=text_field(data, "title", max_len=128) or "",
                starts_at=starts, ends_at=ends, now=self.c.services.clock(), town=town,
                venue=text_field(data, "venue"), stream_url=text_field(data, "stream_url", max_len=512),
                job_ids=int_list(data.get("job_ids")), employer_ids=self._employer_ids(session, data),
                source_key=key)
            self.c.audit(session, request, "fair.add", fair.id, title=fair.title, starts_at=fair.starts_at)
            return fair_row(fair, self.c), True

        row, new = await self.c.db(work)
        return JSONResponse(row, 201 if new else 200)

    async def move_fair(self, request: Request) -> Response:
        data = await body_json(request)
        tz = self.c.services.tz
        starts = local_datetime(data.get("date"), data.get("start"), tz, label="新的开始时间")
        ends = local_datetime(data.get("date"), data["end"], tz, label="新的结束时间") if data.get("end") else None
        fair_id = request.path_params["fair_id"]

        def work(session: Session) -> dict[str, Any]:
            self._own_fair(session, request, fair_id)
            result = fair_outreach.move_fair(session, fair_id=fair_id, starts_at=starts, ends_at=ends,
                                  venue=text_field(data, "venue"), reason=text_field(data, "reason"),
                                  now=self.c.services.clock(), tz=tz)
            if result.change:
                self.c.audit(session, request, "fair.move", fair_id, to=starts, notified=result.notified)
            return {"fair": fair_row(result.fair, self.c), "changed": result.change is not None,
                    "notified": result.notified}

        return JSONResponse(await self.c.db(work))

    async def cancel_fair(self, request: Request) -> Response:
        data = await body_json(request)
        fair_id = request.path_params["fair_id"]

        def work(session: Session) -> dict[str, Any]:
            self._own_fair(session, request, fair_id)
            result = fair_outreach.cancel_fair(session, fair_id=fair_id, reason=text_field(data, "reason"),
                                    now=self.c.services.clock(), tz=self.c.services.tz)
            if result.change:
                self.c.audit(session, request, "fair.cancel", fair_id, notified=result.notified)
            return {"fair": fair_row(result.fair, self.c), "changed": result.change is not None,
                    "notified": result.notified}

        return JSONResponse(await self.c.db(work))

    async def fair_offer(self, request: Request) -> Response:
        data = await body_json(request)
        fair_id = request.path_params["fair_id"]

        def work(session: Session) -> dict[str, Any]:
            self._own_fair(session, request, fair_id)
            jobs = int_list(data.get("job_ids"))
            found = set(session.exec(select(col(Job.id)).where(col(Job.id).in_(jobs)))) if jobs else set()
            if missing := [j for j in jobs if j not in found]:
                raise BadRequest(f"没有这些岗位：{', '.join(map(str, missing))}")
            fair = fr.set_fair_offer(session, fair_id=fair_id, job_ids=jobs,
                                     employer_ids=self._employer_ids(session, data), now=self.c.services.clock())
            self.c.audit(session, request, "fair.offer", fair_id, jobs=jobs)
            return fair_row(fair, self.c)

        return JSONResponse(await self.c.db(work))

    def _own_fair(self, session: Session, request: Request, fair_id: int) -> None:
        """Town staff change only their own town's fairs, not the county's fixed ones."""
        fair = fr.get_fair(session, fair_id)
        if fair is not None:
            who(request).check(fair.town)

    # --- broadcasts --------------------------------------------------------------------------------
    def _audience(self, request: Request, data: Any) -> bc.Audience:
        data = data if isinstance(data, dict) else {}
        if isinstance(data.get("registered_since"), str) and data["registered_since"].strip():
            data = {**data, "registered_since": parse_day(data["registered_since"], label="登记日期")}
        audience = bc.Audience.from_dict(data)
        places, skills = self.c.services.places, taxonomy.skills()
        if unknown := [t for t in audience.towns if t not in places.names]:
            raise BadRequest(f"不认识的乡镇：{'、'.join(unknown)}")
        if unknown := [s for s in audience.skills if s not in skills]:
            raise BadRequest(f"不认识的技能：{'、'.join(unknown)}")
        towns = who(request).towns(audience.towns)
        return replace(audience, towns=tuple(towns))

    def _own_broadcast(self, session: Session, request: Request, broadcast_id: int) -> None:
        row = bc.get_broadcast(session, broadcast_id)
        if row is not None:
            staff = who(request)
            towns = bc.Audience.from_dict(row.audience).towns
            if staff.place is not None and list(towns) != [staff.place]:
                raise OutOfScope

    def _reach(self, session: Session, audience: bc.Audience, texts: tuple[str, ...] = ()) -> dict[str, Any]:
        now = self.c.services.clock()
        found = bc.reach(session, audience, now=now, tz=self.c.services.tz, terms=self.c.terms)
        ids = bc.audience_ids(session, audience, now=now, tz=self.c.services.tz, terms=self.c.terms)
        by_channel = costs.preview(session, self.c.settings, worker_ids=ids, kind=bc.PUSH_KIND, texts=texts, now=now)
        return {"total": found.total, "by_town": [{"town": t, "count": n} for t, n in found.by_town],
                "by_channel": by_channel.to_dict()}

    async def audience(self, request: Request) -> Response:
        data = await body_json(request)
        audience = self._audience(request, data.get("audience", data))
        return JSONResponse({**await self.c.db(self._reach, audience), "label": audience_label(audience)})

    async def broadcasts(self, request: Request) -> Response:
        rows = await self.c.db(lambda s: bc.list_broadcasts(s, limit=PAGE_SIZE, town=who(request).place))
        return JSONResponse({"broadcasts": [broadcast_row(r, self.c) for r in rows]})

    async def add_broadcast(self, request: Request) -> Response:
        data = await body_json(request)
        audience = self._audience(request, data.get("audience"))
        texts = data.get("texts")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list):
            raise BadRequest("请填写要发的内容")

        def work(session: Session) -> dict[str, Any]:
            row = broadcast_outreach.create_broadcast(session, texts=[str(t) for t in texts], audience=audience,
                                      now=self.c.services.clock(), title=text_field(data, "title", max_len=128),
                                      fair_id=int_list([data["fair_id"]])[0] if data.get("fair_id") else None)
            self.c.audit(session, request, "broadcast.create", row.id, title=row.title)
            return {"broadcast": broadcast_row(row, self.c), "reach": self._reach(session, audience, tuple(row.texts)),
                    "audience_label": audience_label(audience)}

        return JSONResponse(await self.c.db(work), 201)

    def _broadcast_view(self, session: Session, request: Request, broadcast_id: int) -> dict[str, Any] | None:
        self._own_broadcast(session, request, broadcast_id)
        row = bc.get_broadcast(session, broadcast_id)
        if row is None:
            return None
        report = bc.report(session, broadcast_id=broadcast_id, now=self.c.services.clock())
        return {"broadcast": broadcast_row(row, self.c), "report": report.to_dict(),
                "audience_label": audience_label(bc.Audience.from_dict(row.audience))}

    async def broadcast(self, request: Request) -> Response:
        found = await self.c.db(self._broadcast_view, request, request.path_params["broadcast_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "没有这条通知"}, 404)

    async def confirm_broadcast(self, request: Request) -> Response:
        broadcast_id = request.path_params["broadcast_id"]

        def work(session: Session) -> dict[str, Any]:
            self._own_broadcast(session, request, broadcast_id)
            done = broadcast_outreach.confirm_broadcast(session, broadcast_id=broadcast_id, now=self.c.services.clock(),
                                        tz=self.c.services.tz, terms=self.c.terms)
            if done.first:
                self.c.audit(session, request, "broadcast.confirm", broadcast_id, queued=done.queued)
            return {"queued": done.queued, "first": done.first}

        return JSONResponse(await self.c.db(work))

    async def stop_broadcast(self, request: Request) -> Response:
        broadcast_id = request.path_params["broadcast_id"]

        def work(session: Session) -> dict[str, Any]:
            self._own_broadcast(session, request, broadcast_id)
            stopped = broadcast_outreach.stop_broadcast(session, broadcast_id=broadcast_id, now=self.c.services.clock())
            self.c.audit(session, request, "broadcast.stop", broadcast_id, stopped=stopped)
            return {"stopped": stopped}

        return JSONResponse(await self.c.db(work))

    # --- workers -----------------------------------------------------------------------------------
    def _workers(self, session: Session, staff: Staff, q: str, town: str | None, skill: str | None,
                 page: int) -> dict[str, Any]:
        stmt = select(Worker).where(col(Worker.consent_pending) == false())  # the rest wait on the villagers page
        town = scoped_town(staff, town)
        if town:
            stmt = stmt.where(col(Worker.town) == town)
        if staff.role is Role.VILLAGE:
            stmt = stmt.where(col(Worker.village) == staff.village)
        if skill:
            stmt = stmt.where(exists().where(col(WorkerSkill.worker_id) == col(Worker.id),
                                             col(WorkerSkill.skill) == skill))
        if q:
            like = f"%{q.replace('%', '').replace('_', '')}%"
            conditions: list[ColumnElement[bool]] = [col(Worker.village).like(like), col(Worker.phone).like(like)]
            if q.isdigit():
                conditions.append(col(Worker.id) == int(q))
            stmt = stmt.where(or_(*conditions))
        workers = list(session.exec(stmt.order_by(col(Worker.id).desc()).offset((page - 1) * PAGE_SIZE)
                                    .limit(PAGE_SIZE + 1)))
        ids = [w.id for w in workers]
        accounts: dict[int, list[str]] = {}
        if ids:
            for account in session.exec(select(ChatAccount).where(col(ChatAccount.worker_id).in_(ids))):
                accounts.setdefault(account.worker_id or 0, []).append(f"{account.channel} {mask_id(account.user_id)}")
        year = self.c.services.local_now().year
        skills, times = taxonomy.skills(), taxonomy.availability()
        return {"page": page, "more": len(workers) > PAGE_SIZE, "workers": [{
            "id": w.id, "town": w.town, "village": w.village,
            "age": year - w.birth_year if w.birth_year else w.age, "skills": skills.labels_of(w.skills),
            "availability": times.labels_of(w.availability), "notes": notes_text(w.notes),
            "phone": mask_phone(w.phone),
            "subscribed": w.subscribed, "want_fair_push": w.want_fair_push, "want_job_push": w.want_job_push,
            "accounts": accounts.get(w.id or 0, []), "registered": _iso(w.created_at, self.c),
        } for w in workers[:PAGE_SIZE]]}

    async def workers(self, request: Request) -> Response:
        params = request.query_params
        q = (params.get("q") or "").strip()[:32]
        skill = params.get("skill") or None
        if skill and skill not in taxonomy.skills():
            raise BadRequest("不认识的技能")
        return JSONResponse(await self.c.db(self._workers, who(request), q, params.get("town") or None, skill,
                                            page_of(request)))

    def _counts(self, session: Session) -> dict[str, Any]:
        w = table_of(Worker)
        agreed = w.c.consent_pending == false()
        by_town = session.connection().execute(
            sa_select(w.c.town, func.count()).where(agreed).group_by(w.c.town)).all()
        by_skill = session.connection().execute(
            sa_select(col(WorkerSkill.skill), func.count()).join(w, w.c.id == col(WorkerSkill.worker_id))
            .where(agreed).group_by(col(WorkerSkill.skill))).all()
        year = self.c.services.local_now().year
        bands = []
        for code, (label, low, high) in bc.AGE_BANDS.items():
            conditions: list[ColumnElement[bool]] = [agreed, w.c.birth_year.is_not(None)]
            if low is not None:
                conditions.append(w.c.birth_year <= year - low)
            if high is not None:
                conditions.append(w.c.birth_year >= year - high)
            bands.append({"code": code, "label": label, "count": session.connection().execute(
                sa_select(func.count()).select_from(w).where(and_(*conditions))).scalar_one()})
        total = session.connection().execute(sa_select(func.count()).select_from(w).where(agreed)).scalar_one()
        subscribed = session.connection().execute(
            sa_select(func.count()).select_from(w).where(w.c.subscribed == true())).scalar_one()
        skills = taxonomy.skills()
        return {"total": total, "subscribed": subscribed,
                "by_town": sorted(({"town": t or "未填", "count": n} for t, n in by_town), key=lambda r: -r["count"]),
                "by_skill": sorted(({"skill": s, "label": skills.label(s), "count": n} for s, n in by_skill),
                                   key=lambda r: -r["count"]),
                "by_age": bands}

    async def worker_counts(self, request: Request) -> Response:
        return JSONResponse(await self.c.db(self._counts))

    async def worker_contact(self, request: Request) -> Response:
        worker_id = request.path_params["worker_id"]

        def work(session: Session) -> dict[str, Any] | None:
            worker = session.get(Worker, worker_id)
            if worker is None:
                return None
            who(request).check(worker.town, worker.village)
            self.c.audit(session, request, "worker.contact", worker_id)
            return {"id": worker.id, "phone": worker.phone or ""}

        found = await self.c.db(work)
        return JSONResponse(found) if found else JSONResponse({"error": "没有这个人"}, 404)

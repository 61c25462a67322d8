"""Console: village staff (and town and county staff) register a villager with the chat's checks
(a mainland mobile nobody else has, the place kept to the account's own, age, skills …) and a
consent record — a code sent to the villager's phone and typed back, or consent given in person
on signed paper, recorded with the staff account."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.context import BadRequest, Console, body_json, mask_phone, text_field, who
from bot.console.roles import OutOfScope, Perm, Role, Staff
from bot.outreach.consent import send_code
from handlers import family
from handlers.rights import parse_mobile
from knowledge import taxonomy
from knowledge.ages import MAX_AGE, MIN_AGE, parse_age
from storage import consent as store
from storage.models import Consent, Worker

ACTIONS = {"villager.add": "代村民登记", "villager.consent": "村民确认登记", "villager.code": "重发登记验证码"}
BY_STAFF = "村里工作人员"  # who the consent message says is registering them
CONSENT_WAYS = {"sms": "短信验证码", "paper": "本人当面同意（签字）"}
METHOD_LABELS = {"sms_code": "短信验证码", "voice_code": "电话验证码", store.PAPER: "当面签字"}
CODE_ANSWERS = {store.CodeCheck.WRONG: "验证码不对，还可以再试{left}次",
                store.CodeCheck.USED_UP: "输错太多次，这个验证码作废了，请重发",
                store.CodeCheck.EXPIRED: "验证码过期了，请重发"}


def _codes(options: taxonomy.OptionSet, value: Any, label: str) -> list[str]:
    """Options picked in the form, by code or by label."""
    picked = value if isinstance(value, list) else [value] if value else []
    by_label = {o.label: o.code for o in options.options}
    codes = [str(v) if str(v) in options else by_label.get(str(v), "") for v in picked if str(v).strip()]
    if not all(codes):
        raise BadRequest(f"请从列表里选{label}")
    return list(dict.fromkeys(codes))


class Villagers:
    def __init__(self, console: Console):
        self.c = console

    def api(self) -> list[BaseRoute]:
        a, W = self.c.api, Perm.WORKERS
        return [Route("/villagers", a(self.listing, W)), Route("/villagers", a(self.add, W), methods=["POST"]),
                Route("/villagers/{worker_id:int}/consent", a(self.consent, W), methods=["POST"]),
                Route("/villagers/{worker_id:int}/code", a(self.resend, W), methods=["POST"])]

    def pages(self) -> list[BaseRoute]:
        return [Route("/villagers", self.c.html(self.page, Perm.WORKERS))]

    # --- reading the form ------------------------------------------------------------------------
    def _place(self, staff: Staff, data: dict[str, Any]) -> tuple[str, str | None]:
        """The villager's town and village: a village account's own, a town account's town."""
        asked_town = text_field(data, "town", max_len=32)
        town = self.c.services.places.resolve(asked_town).town if asked_town else None
        if asked_town and town is None:
            raise BadRequest(f"乡镇“{asked_town}”不认识")
        village = text_field(data, "village", max_len=64, label="村/社区")
        if staff.place is not None:
            if town not in (None, staff.place):
                raise OutOfScope
            town = staff.place
        if staff.role is Role.VILLAGE:
            if village not in (None, staff.village):
                raise OutOfScope
            village = staff.village
        if town is None:
            raise BadRequest("请选择乡镇")
        return town, village

    def _fields(self, data: dict[str, Any]) -> dict[str, Any]:
        this_year = self.c.services.local_now().year
        age_text = text_field(data, "age", max_len=16, label="年龄")
        parsed = parse_age(age_text, this_year) if age_text else None
        if age_text and (parsed is None or not MIN_AGE <= parsed[0] <= MAX_AGE):
            raise BadRequest(f"年龄要在{MIN_AGE}到{MAX_AGE}岁之间")
        travel = text_field(data, "travel_range", max_len=16) or "town"
        if travel not in taxonomy.travel_ranges():
            raise BadRequest("请从列表里选能去多远")
        reach = text_field(data, "reach", max_len=8) or "sms"
        if reach not in family.REACH:
            raise BadRequest("联系方式只能是 短信(sms)、电话(voice) 或 不发(none)")
        return {"name": text_field(data, "name", max_len=32, label="称呼"),
                "age": parsed[0] if parsed else None,
                "birth_year": (parsed[1] or this_year - parsed[0]) if parsed else None,
                "skills": _codes(taxonomy.skills(), data.get("skills"), "会做的活"),
                "availability": _codes(taxonomy.availability(), data.get("availability"), "空闲时间"),
                "travel_range": travel, "want_job_push": reach != "none", "want_fair_push": reach != "none",
                "reach": reach}

    # --- the routes -------------------------------------------------------------------------------
    async def add(self, request: Request) -> Response:
        data = await body_json(request)
        staff = who(request)
        phone = parse_mobile(str(data.get("phone") or ""))
        if phone is None:
            raise BadRequest("手机号要11位数字，1开头")
        town, village = self._place(staff, data)
        fields = self._fields(data)
        reach = fields.pop("reach")
        way = text_field(data, "consent", max_len=8) or ""
        if way not in CONSENT_WAYS:
            raise BadRequest("请选择怎么确认本人同意：短信验证码(sms)，或本人当面签字(paper)")

        def work(session: Session) -> dict[str, Any]:
            now = self.c.services.clock()
            if store.phone_taken(session, phone=phone, by_account_id=None, now=now):
                raise BadRequest("这个手机号已经有人登记过了")
            consent = store.register(session, fields={**fields, "town": town, "village": village}, phone=phone,
                                     reach=reach, now=now, by_staff=(staff.account_id, staff.name))
            if way == "paper":
                store.give(session, consent=consent, method=store.PAPER, now=now)
            else:
                send_code(session, consent=consent, now=now, by=BY_STAFF)
            self.c.audit(session, request, "villager.add", consent.worker_id, consent=way, phone=mask_phone(phone))
            return {"id": consent.worker_id, "status": "given" if way == "paper" else "pending"}

        return JSONResponse(await self.c.db(work), 201)

    def _own(self, session: Session, request: Request, worker_id: int) -> tuple[Worker, Consent]:
        """A villager staff registered, within the account's place; anyone else is not there."""
        worker = session.get(Worker, worker_id)
        consent = store.consent_of(session, worker_id=worker_id) if worker else None
        if worker is None or consent is None or consent.by_account_id is not None:
            raise OutOfScope
        who(request).check(worker.town, worker.village)
        return worker, consent

    async def consent(self, request: Request) -> Response:
        data = await body_json(request)
        typed = (text_field(data, "code", max_len=8, label="验证码") or "").strip()
        worker_id = int(request.path_params["worker_id"])

        def work(session: Session) -> dict[str, Any]:
            worker, consent = self._own(session, request, worker_id)
            if not worker.consent_pending:
                return {"id": worker_id, "status": "given"}
            checked = store.check_code(session, consent=consent, typed=typed, now=self.c.services.clock())
            self.c.audit(session, request, "villager.consent", worker_id, result=checked.value)
            return {"id": worker_id, "status": "given" if checked is store.CodeCheck.GIVEN else "pending",
                    "error": None if checked is store.CodeCheck.GIVEN else
                    CODE_ANSWERS[checked].format(left=store.MAX_WRONG - consent.wrong_tries)}

        result = await self.c.db(work)
        return JSONResponse(result, 400 if result.get("error") else 200)

    async def resend(self, request: Request) -> Response:
        worker_id = int(request.path_params["worker_id"])

        def work(session: Session) -> dict[str, Any]:
            worker, consent = self._own(session, request, worker_id)
            if not worker.consent_pending:
                raise BadRequest("本人已经确认过了")
            if not send_code(session, consent=consent, now=self.c.services.clock(), by=BY_STAFF):
                raise BadRequest(f"验证码已经发了{store.MAX_SENDS}次，请改用本人当面签字")
            self.c.audit(session, request, "villager.code", worker_id)
            return {"id": worker_id, "status": "pending"}

        return JSONResponse(await self.c.db(work))

    def _rows(self, session: Session, staff: Staff) -> list[dict[str, Any]]:
        rows = session.exec(select(Worker, Consent).join(Consent, col(Consent.worker_id) == col(Worker.id))
                            .where(col(Consent.by_account_id).is_(None)).order_by(col(Consent.id).desc()).limit(200))
        return [{"id": w.id, "name": w.name, "phone": mask_phone(w.phone), "town": w.town, "village": w.village,
                 "status": "pending" if w.consent_pending else "given",
                 "method": METHOD_LABELS.get(c.method or "", "等本人确认"), "by": c.by_staff_name,
                 "reach": family.REACH_LABEL[c.reach]}
                for w, c in rows if staff.sees(w.town, w.village)]

    async def listing(self, request: Request) -> Response:
        return JSONResponse({"villagers": await self.c.db(self._rows, who(request))})

    async def page(self, request: Request) -> Response:
        staff = who(request)
        return self.c.page(request, "villagers.html", villagers=await self.c.db(self._rows, staff),
                           towns=self.c.services.places.names, skills=taxonomy.skills().options,
                           times=taxonomy.availability().options, travel=taxonomy.travel_ranges().options,
                           reach=list(zip(family.REACH, family.REACH_CHOICES, strict=True)), ways=CONSENT_WAYS)

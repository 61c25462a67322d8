"""代家人登记: a family member registers a relative (称呼, mobile, how to reach them, then the
registration's own questions asked about "您家里人"); the relative agrees by a code sent to
their phone, which the family member types back. 我的信息 lists the relatives registered from
this chat, to change or erase one."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply
from bot.outreach.consent import MINUTES, send_code
from bot.router import Ctx, Router
from handlers import asking, misses, policy, registration
from handlers.rights import parse_mobile
from knowledge.text import choice_numbers, compact
from storage import consent as store
from storage.cases import mask_phone
from storage.models import Consent, Worker, saved_id
from storage.workers import AccountRef, save_worker

router = Router("family")
flow = router.flow("family", title="代家人登记", you="您家里人")
flow.steps.update(registration.flow.steps)  # the same questions; name, phone, reach and confirm are ours
pick_flow = router.flow("family_pick", title="")  # a light flow: any command leaves it
erase_flow = router.flow("family_erase", title="注销家人")

RELATIVE = "relative_id"  # changing a relative already registered (not a new one)
CONSENT_ID = "consent_id"
REACH = ("sms", "voice", "none")
REACH_CHOICES = ("短信", "电话", "都不要，只让我看")
REACH_LABEL = {"sms": "短信", "voice": "电话", "none": "不发，只给我看"}
RESEND = ("重发", "再发", "重新发", "没收到", "再发一次", "重新发送", "发验证码")
AFTER_CONSENT = {"sms": "有合适的活，会发短信告诉TA。", "voice": "有合适的活，会打电话告诉TA。",
                 "none": "不给TA发消息。"}
SHOWN_LINES = 3  # 乡镇村, 年龄, 会做的活: enough to tell who it is within one short message


@router.command("代家人登记", "帮家人登记", "给家人登记", "替家人登记", "帮家里人登记", "给爸妈登记", "帮爸妈登记",
                "帮老人登记", "代登记")
@policy.done_at_once("family_now")
def start(ctx: Ctx) -> Reply:
    if _OWN_CHAT.search(compact(ctx.text)):
        return _own_chat(ctx)
    return ctx.start(flow.name, "name", {"reach": "sms"},
                     "好的，帮家里人登记找活。问题和自己登记一样，最后请家里人在手机上确认。随时回复“取消”退出。")


_KIN = (r"(?:[他她]|TA|老人家?"
        r"|我?(?:爸爸?|妈妈?|奶奶|爷爷|外婆|外公|姥姥|姥爷|父亲|母亲|老爸|老妈|婆婆|公公|老公|老婆|老伴))")
# "这是她的手机", "微信是她的", "我替她打字": the chat is the relative's own, someone only types for them
_OWN_CHAT = re.compile(rf"是{_KIN}(?:自己)?的?(?:微信|手机|号)|(?:微信|手机)号?就?是{_KIN}(?:自己)?的"
                       rf"|[替帮给]{_KIN}打字|(?:旁边|边上)[替帮给]{_KIN}打|{_KIN}(?:自己)?的(?:微信|手机)号?[，,]?[我俺]")


def _own_chat(ctx: Ctx) -> Reply:
    """The relative's own chat: an ordinary registration of it, answered by whoever types."""
    ctx.finish()
    lead = Reply.of("这个微信是您家里人自己的，那就直接给这个微信登记，您在旁边帮着打字就行。")
    return lead + registration.start(ctx)


# --- 称呼 and mobile ----------------------------------------------------------------------------
def _ask_name(ctx: Ctx) -> Reply:
    return Reply.of("怎么称呼您家里人？比如：王阿姨、我爸。")


@asking.step(flow, "name", ask=_ask_name)
def name(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if _OWN_CHAT.search(key):
        return _own_chat(ctx)
    if key and not key.isdigit() and len(key) <= 12:
        ctx.data["name"] = ctx.text.strip()[:32]
        return ctx.next("phone")
    if misses.missed(ctx, "name"):
        ctx.data["name"] = None
        return ctx.next("phone", "称呼先空着。")
    return Reply.of("称呼写几个字就行，比如：王阿姨。") + _ask_name(ctx)


def _ask_phone(ctx: Ctx) -> Reply:
    return Reply.of("您家里人的手机号是多少？要发验证码到这个手机上，请家里人确认。")


@asking.step(flow, "phone", ask=_ask_phone)
def phone(ctx: Ctx) -> Reply:
    number = parse_mobile(ctx.text)
    if number is None:
        return Reply.of("手机号是11位数字，1开头，比如 13812345678。不登记了回复“取消”。") + _ask_phone(ctx)
    unchanged = ctx.data.get(RELATIVE) and number == ctx.data.get("phone")
    if not unchanged and store.phone_taken(ctx.session, phone=number, by_account_id=saved_id(ctx.account),
                                           now=ctx.now):
        return Reply.of("这个号码已经有人登记过了，不能再登记。请换一个号码，或回复“取消”。")
    ctx.data["phone"] = number
    return ctx.next("town", f"好的，{mask_phone(number)}。")


# --- how to reach them (in place of the registration's two push questions) ----------------------
def _ask_reach(ctx: Ctx) -> Reply:
    return Reply.of("有合适的活和招聘会，怎么告诉您家里人？", choices=REACH_CHOICES)


@asking.step(flow, "job_push", ask=_ask_reach)
def reach(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    picked = choice_numbers(ctx.text, len(REACH))
    said = next((code for code, label in zip(REACH, REACH_CHOICES, strict=True) if compact(label)[:2] in key), None)
    chosen = REACH[picked[0] - 1] if picked and len(picked) == 1 else said
    if chosen is None and not misses.missed(ctx, "job_push"):
        return Reply.of("请回复 1、2 或 3。") + _ask_reach(ctx)
    lead = "" if chosen else "先按“短信”记下。"
    ctx.data["reach"] = chosen or "sms"
    ctx.data["want_job_push"] = ctx.data["want_fair_push"] = ctx.data["reach"] != "none"
    return ctx.next("confirm", lead)


# --- summary, then the consent code ------------------------------------------------------------
def _ask_confirm(ctx: Ctx) -> Reply:
    summary = registration.describe(ctx.data)
    return Reply.of(f"请核对您家里人的信息：\n{summary}\n怎么告诉TA：{REACH_LABEL[ctx.data.get('reach') or 'sms']}",
                    choices=["确认", "修改"])


@asking.step(flow, "confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "修改", "改") or key.startswith("修改"):
        return ctx.goto("edit_pick")
    if not (key in ("1", "确认", "对", "没错", "好", "是") or registration.yes_no(key)):
        return Reply.of("请回复 1 确认，或回复 2 修改。") + _ask_confirm(ctx)
    if not ctx.data.get("phone"):  # the number is what consent hangs on: never saved without one
        return ctx.goto("phone")
    fields = {name: ctx.data.get(name) for name in registration.PROFILE_FIELDS if name != "phone"}
    if ctx.data.get(RELATIVE):
        return _save_changes(ctx, fields)
    if store.phone_taken(ctx.session, phone=ctx.data["phone"], by_account_id=saved_id(ctx.account), now=ctx.now):
        ctx.finish()
        return Reply.of("这个号码刚刚已经有人登记过了，不能再登记。")
    consent = store.register(ctx.session, fields=fields, phone=ctx.data["phone"], reach=ctx.data["reach"],
                             now=ctx.now, by_account_id=saved_id(ctx.account))
    return _ask_for_code(ctx, consent)


def _save_changes(ctx: Ctx, fields: dict[str, Any]) -> Reply:
    relative = _relative(ctx, ctx.data[RELATIVE])
    if relative is None:
        ctx.finish()
        return Reply.of("没找到这位家人的登记，可能已经注销了。")
    worker, consent = relative
    new_phone = ctx.data["phone"] != worker.phone
    account = store.link_phone(ctx.session, worker=worker, phone=ctx.data["phone"], reach=ctx.data["reach"])
    save_worker(ctx.session, account=AccountRef(saved_id(account), worker.id), worker=worker,
                fields={**fields, "phone": ctx.data["phone"]})
    if consent.reach != ctx.data["reach"] and not worker.consent_pending:
        worker.subscribed = ctx.data["reach"] != "none"
    consent.reach = ctx.data["reach"]
    ctx.session.add_all([worker, consent])
    if new_phone:
        store.ask_again(ctx.session, consent=consent, worker=worker)
        return _ask_for_code(ctx, consent, "换了手机号，要请家里人在新手机上再确认一次。")
    ctx.finish()
    return Reply.of("已保存修改。回复“我的信息”可以再看看。")


def _ask_for_code(ctx: Ctx, consent: Consent, *lead: str) -> Reply:
    if not send_code(ctx.session, consent=consent, now=ctx.now, by="您的家人"):
        ctx.finish()
        return Reply.of(*lead, f"验证码已经发了{store.MAX_SENDS}次。请家里人看看手机短信，或请村里工作人员帮忙登记。")
    ctx.finish()
    how = "打电话念给TA听" if consent.reach == "voice" else "发短信给TA"
    return ctx.start(flow.name, "code", {CONSENT_ID: consent.id}, *lead,
                     f"验证码已经{how}了（{mask_phone(_phone_of(ctx, consent))}）。")


def _phone_of(ctx: Ctx, consent: Consent) -> str | None:
    worker = ctx.session.get(Worker, consent.worker_id)
    return worker.phone if worker else None


def _ask_code(ctx: Ctx) -> Reply:
    return Reply.of(f"请家里人把6位验证码告诉您，您回复给我（{MINUTES}分钟内有效）。\n"
                    "没收到回复“重发”，不登记了回复“取消”。")


@flow.step("code", ask=_ask_code)
def code(ctx: Ctx) -> Reply:
    consent_id = ctx.data.get(CONSENT_ID)
    consent = ctx.session.get(Consent, consent_id) if consent_id else None
    if consent is None:
        ctx.finish()
        return Reply.of("这次登记已经没有了，可能已经注销。想重新登记，回复“代家人登记”。")
    key = compact(ctx.text)
    if key in RESEND:
        return _ask_for_code(ctx, consent, "好的，重新发一个。")
    if not (key.isdigit() and len(key) == store.CODE_DIGITS):
        return Reply.of(f"验证码是{store.CODE_DIGITS}位数字。") + _ask_code(ctx)
    checked = store.check_code(ctx.session, consent=consent, typed=key, now=ctx.now)
    if checked is store.CodeCheck.GIVEN:
        ctx.finish()
        worker = ctx.session.get_one(Worker, consent.worker_id)
        return Reply.of(f"确认好了！{worker.name or '您家里人'}已经登记上了。{AFTER_CONSENT[consent.reach]}",
                        "回复“我的信息”可以看、改或注销。")
    if checked is store.CodeCheck.WRONG:
        return Reply.of(f"验证码不对，还可以再试{store.MAX_WRONG - consent.wrong_tries}次。请再核对一下。")
    if checked is store.CodeCheck.USED_UP:
        return Reply.of(f"输错{store.MAX_WRONG}次了，这个验证码作废了。回复“重发”发一个新的，或回复“取消”。")
    return Reply.of(f"验证码过期了（{MINUTES}分钟内有效）。回复“重发”再发一个，或回复“取消”。")


# --- 我的信息: the relatives registered from this chat -----------------------------------------
def _relatives(ctx: Ctx) -> list[tuple[Worker, Consent]]:
    """The relatives registered from this chat account or another of the same person (绑定)."""
    return store.relatives(ctx.session, account_id=ctx.account_ref.id,
                           worker_id=ctx.worker.id if ctx.worker is not None else None)


def _relative(ctx: Ctx, worker_id: int) -> tuple[Worker, Consent] | None:
    return next(((w, c) for w, c in _relatives(ctx) if w.id == worker_id), None)


def _label(worker: Worker) -> str:
    waiting = "（还没确认）" if worker.consent_pending else ""
    return f"{worker.name or '家里人'} {mask_phone(worker.phone)}{waiting}"


def listing(ctx: Ctx) -> Reply | None:
    """"您帮登记的家人" for 我的信息, as numbered choices; None when there are none."""
    found = _relatives(ctx)
    if not found:
        return None
    return ctx.start(pick_flow.name, "pick", {"ids": [w.id for w, _ in found]}, "您帮登记的家人：")


def _ask_pick(ctx: Ctx) -> Reply:
    people = [w for w in (ctx.session.get(Worker, i) for i in ctx.data.get("ids", [])) if w is not None]
    return Reply.of("回复编号，可以改或注销。", choices=[_label(w) for w in people])


@pick_flow.step("pick", ask=_ask_pick)
def pick(ctx: Ctx) -> Reply:
    ids: list[int] = ctx.data.get("ids", [])
    picked = choice_numbers(ctx.text, len(ids))
    if not picked or len(picked) != 1:
        return asking.leave(ctx)
    relative = _relative(ctx, ids[picked[0] - 1])
    if relative is None:
        return asking.leave(ctx)
    worker, _ = relative
    ctx.data["chosen"] = worker.id
    ctx.data["choices"] = ["修改", "注销", *(["发验证码"] if worker.consent_pending else [])]
    place_age_skills = registration.describe(registration.profile_fields(worker)).split("\n")[:SHOWN_LINES]
    return ctx.goto("chosen", "\n".join([_label(worker), *place_age_skills]))


def _ask_chosen(ctx: Ctx) -> Reply:
    return Reply.of("要做什么？", choices=ctx.data.get("choices", []))


@pick_flow.step("chosen", ask=_ask_chosen)
def chosen(ctx: Ctx) -> Reply:
    choices: list[str] = ctx.data.get("choices", [])
    picked = choice_numbers(ctx.text, len(choices))
    said = next((c for c in choices if compact(c) in compact(ctx.text)), None)
    action = choices[picked[0] - 1] if picked and len(picked) == 1 else said
    relative = _relative(ctx, ctx.data.get("chosen", 0))
    if action is None or relative is None:
        return asking.leave(ctx)
    worker, consent = relative
    if action == "修改":
        fields = {**registration.profile_fields(worker), "reach": consent.reach, RELATIVE: worker.id}
        return ctx.start(flow.name, "edit_pick", fields)
    if action == "注销":
        return ctx.start(erase_flow.name, "confirm", {RELATIVE: worker.id, "name": worker.name})
    return _ask_for_code(ctx, consent)


def _ask_erase(ctx: Ctx) -> Reply:
    return Reply.of(f"注销后，{ctx.data.get('name') or '这位家人'}的登记信息会全部删除，不能恢复。确定吗？",
                    choices=["确认注销", "不注销"])


@erase_flow.step("confirm", ask=_ask_erase)
def erase_confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "不注销", "不", "不要", "算了"):
        ctx.finish()
        return Reply.of("好的，信息保留不变。")
    if key not in ("1", "确认注销", "确认", "确定", "是"):
        return Reply.of("请回复 1 确认注销，或回复 2 不注销。") + _ask_erase(ctx)
    relative = _relative(ctx, ctx.data.get(RELATIVE, 0))
    ctx.finish()
    if relative is not None:
        store.erase(ctx.session, worker=relative[0], now=ctx.now)
    return Reply.of("已删除这位家人的登记信息和待发的消息。")

"""维权 / 欠工资 (measure 20, 根治欠薪): a short form — who owes the wages, how much, since when,
in which town, a phone number — gives the person a case number (WQ2026-000123). Staff move the
case on in the console and each change is pushed to the person (bot.outreach.rights); 查进度 /
我的维权 shows it.

The phone number is shown masked (138****1234) everywhere in the chat and never logged.
"""

from __future__ import annotations

import re
from typing import Any

import cn2an

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers import misses
from knowledge.text import arabize, choice_numbers, compact, normalize
from storage import cases as store
from storage.models import RightsCase, saved_id

router = Router("rights")
flow = router.flow("rights", title="维权登记")
withdraw_flow = router.flow("rights_withdraw", title="撤回维权")

MAX_AMOUNT = 10_000_000
OUTSIDE = "不在开化县"
UNKNOWN_WORDS = ("不清楚", "不知道", "说不清", "记不清", "不记得", "不确定", "不晓得")
EDITABLE = (("欠钱的老板或单位", "employer"), ("欠多少钱", "amount"), ("从什么时候欠", "since"),
            ("在哪个乡镇", "town"), ("联系电话", "phone"))
_AMOUNT = re.compile(r"[\d.零〇一二两三四五六七八九十百千万]+")
_NOT_MONEY = "年月日号天个岁次周"  # "3个月", "2025年": numbers that are not the amount
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def parse_amount(text: str) -> int | None:
    """Yuan owed from "3500", "三千五百元", "1.5万", "两万三", "欠了两个月共6000块"; the largest
    sum named wins, numbers that count months or name a year do not."""
    plain = normalize(text).replace(",", "").replace("，", "")
    found = []
    for m in _AMOUNT.finditer(plain):
        token = m.group(0).strip(".")
        after = plain[m.end():m.end() + 1]
        if not token or (after and after in _NOT_MONEY):
            continue
        try:
            value = float(cn2an.cn2an(token, "smart"))
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        if value >= 1:
            found.append(round(value))
    return max(found) if found else None


def parse_phone(text: str) -> str | None:
    """A mobile (13800001234) or landline (0570-1234567) number, digits only; None if it is not one."""
    digits = re.sub(r"\D", "", arabize(text))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.match(digits) or _LANDLINE.match(digits) else None


def parse_mobile(text: str) -> str | None:
    """A mainland mobile number (13800001234), digits only; None for anything else, a landline too."""
    number = parse_phone(text)
    return number if number and _MOBILE.match(number) else None


def amount_text(amount: int | None) -> str:
    return f"{amount}元" if amount else "不清楚"


@router.command("我要维权", "维权", "欠工资", "拖欠工资", "工资不给", "欠薪", "讨薪", "老板不给钱", "不给工资",
                "工钱不给", "要工资", "讨工资", "拿不到工资", "工资没给", "欠我工资", menu=(45, "维权（欠工资）"))
def start(ctx: Ctx) -> Reply:
    return ctx.start(flow.name, "employer", None,
                     "别着急，我们帮您登记，工作人员会打电话联系您。一共5个问题，随时回复“取消”可以退出。")


# --- 1. who owes --------------------------------------------------------------------------------------
def _ask_employer(ctx: Ctx) -> Reply:
    return Reply.of("是哪个老板或单位欠您的工资？\n请打名字，比如：某某茶厂、张老板。")


@flow.step("employer", ask=_ask_employer)
def employer(ctx: Ctx) -> Reply:
    name = ctx.text.strip()
    if not compact(name) or compact(name).isdigit() or len(name) > 64:
        return Reply.of("名字好像不对。") + _ask_employer(ctx)
    ctx.data["employer"] = name
    return ctx.next("amount")


# --- 2. how much -------------------------------------------------------------------------------------
def _ask_amount(ctx: Ctx) -> Reply:
    return Reply.of("一共欠了多少钱？\n回复数字，比如：3500 或 三千五。说不清就回复“不清楚”。")


@flow.step("amount", ask=_ask_amount)
def amount(ctx: Ctx) -> Reply:
    if any(compact(ctx.text).startswith(w) for w in UNKNOWN_WORDS):
        ctx.data["amount"] = None
        return ctx.next("since")
    value = parse_amount(ctx.text)
    if value is None or value > MAX_AMOUNT:
        if misses.missed(ctx, "amount"):
            ctx.data["amount"] = None
            return ctx.next("since", "钱数先空着，工作人员打电话时会问您。")
        return Reply.of("没看懂这个钱数。") + _ask_amount(ctx)
    ctx.data["amount"] = value
    return ctx.next("since", f"记下了：{value}元。")


# --- 3. since when ------------------------------------------------------------------------------------
def _ask_since(ctx: Ctx) -> Reply:
    return Reply.of("从什么时候开始欠的？\n比如：去年12月、2025年10月。记不清就回复“不清楚”。")


@flow.step("since", ask=_ask_since)
def since(ctx: Ctx) -> Reply:
    text = normalize(ctx.text)
    if any(compact(text).startswith(w) for w in UNKNOWN_WORDS):
        ctx.data["since"] = None
    elif not compact(text) or len(text) > 32:
        if misses.missed(ctx, "since"):
            ctx.data["since"] = None
            return ctx.next("town", "时间先空着，工作人员打电话时会问您。")
        return Reply.of("请简单说一下，比如：去年12月。") + _ask_since(ctx)
    else:
        ctx.data["since"] = text
    return ctx.next("town")


# --- 4. where ------------------------------------------------------------------------------------------
def _ask_town(ctx: Ctx) -> Reply:
    return Reply.of("在哪个乡镇干的活？\n比如：华埠、马金。")


@flow.step("town", ask=_ask_town)
def town(ctx: Ctx) -> Reply:
    if compact(ctx.text) in (compact(OUTSIDE), "县外", "外地", "不在开化"):
        ctx.data["town"] = None
        return ctx.next("phone")
    guess = ctx.services.places.resolve(ctx.text)
    if guess.town:
        ctx.data["town"] = guess.town
        return ctx.next("phone")
    ctx.data["town_choices"] = list(guess.candidates) or ctx.services.places.names
    misses.missed(ctx, "town_pick")
    return ctx.goto("town_pick", "您说的是下面哪一个？" if guess.candidates else "没找到这个乡镇，请从下面选一个：")


def _ask_town_pick(ctx: Ctx) -> Reply:
    places = ctx.services.places
    choices = ctx.data.get("town_choices", places.names)
    if len(choices) == len(places.names):  # all of them: by number on a few lines
        return Reply.of(f"开化县的乡镇有：\n{places.numbered()} {len(choices) + 1}{OUTSIDE}\n请回复编号。")
    return Reply.of("请回复编号。", choices=[*choices, OUTSIDE])


@flow.step("town_pick", ask=_ask_town_pick)
def town_pick(ctx: Ctx) -> Reply:
    choices: list[str] = ctx.data.get("town_choices") or ctx.services.places.names
    picked = choice_numbers(ctx.text, len(choices) + 1)
    if (picked and picked[0] == len(choices) + 1) or compact(ctx.text) == compact(OUTSIDE):
        ctx.data["town"] = None
    elif picked:
        ctx.data["town"] = choices[picked[0] - 1]
    elif (guess := ctx.services.places.resolve(ctx.text)).town:
        ctx.data["town"] = guess.town
    elif misses.missed(ctx, "town_pick"):  # the list was the town question's second asking: not a third
        ctx.data["town"] = None
        ctx.data.pop("town_choices", None)
        return ctx.next("phone", "乡镇先空着，工作人员打电话时会问您。")
    else:
        return Reply.of("请回复前面的编号，比如 1。") + _ask_town_pick(ctx)
    ctx.data.pop("town_choices", None)
    return ctx.next("phone")


# --- 5. a phone number --------------------------------------------------------------------------------
def _ask_phone(ctx: Ctx) -> Reply:
    return Reply.of("留一个能打通的电话，工作人员会打给您。\n比如：13812341234。")


@flow.step("phone", ask=_ask_phone)
def phone(ctx: Ctx) -> Reply:
    number = parse_phone(ctx.text)
    if number is None:
        return Reply.of("这个电话号码好像不对，手机号是11位数字。") + _ask_phone(ctx)
    ctx.data["phone"] = number
    return ctx.next("confirm")


# --- 6. check and send ---------------------------------------------------------------------------------
def describe(data: dict[str, Any]) -> str:
    return "\n".join([
        f"老板或单位：{data.get('employer') or '未填'}",
        f"欠的工资：{amount_text(data.get('amount'))}",
        f"从什么时候欠：{data.get('since') or '不清楚'}",
        f"乡镇：{data.get('town') or OUTSIDE}",
        f"联系电话：{store.mask_phone(data.get('phone'))}",
    ])


def _ask_confirm(ctx: Ctx) -> Reply:
    return Reply.of(f"请核对：\n{describe(ctx.data)}", choices=["确认提交", "修改"])


@flow.step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "修改", "改", "不对", "错了"):
        return ctx.goto("edit_pick")
    if key not in ("1", "确认提交", "确认", "提交", "对", "好", "好的", "是", "没错"):
        return Reply.of("请回复 1 确认提交，或回复 2 修改。") + _ask_confirm(ctx)
    d = ctx.data
    case = store.open_case(ctx.session, account_id=ctx.account.id, worker_id=ctx.account.worker_id,
                           employer=d["employer"][:128], amount=d.get("amount"), owed_since=d.get("since"),
                           town=d.get("town"), phone=d["phone"], year=ctx.services.local_now().year, now=ctx.now)
    ctx.finish(keep_paused=True)
    later = "进度有变化会发消息告诉您，" if ctx.account.worker_id else ""
    return Reply.of(f"已受理。您的维权编号是：{case.number}",
                    "工作人员会尽快打电话联系您，请留意接听。",
                    f"{later}也可以随时回复“查进度”看看。")


def _ask_edit_pick(ctx: Ctx) -> Reply:
    return Reply.of("您要改哪一项？", choices=[label for label, _ in EDITABLE])


@flow.step("edit_pick", ask=_ask_edit_pick)
def edit_pick(ctx: Ctx) -> Reply:
    picked = choice_numbers(ctx.text, len(EDITABLE))
    if not picked or len(picked) != 1:
        return Reply.of("请回复一个编号。") + _ask_edit_pick(ctx)
    ctx.data["return_to"] = "confirm"
    return ctx.goto(EDITABLE[picked[0] - 1][1])


# --- progress -----------------------------------------------------------------------------------------
def case_line(case: RightsCase, tz: Any) -> str:
    changed = case.updated_at.astimezone(tz)
    return (f"{case.number}：{case.employer}，{amount_text(case.amount)}\n"
            f"   状态：{store.STATUSES.get(case.status, case.status)}（{changed.month}月{changed.day}日）")


@router.command("查进度", "我的维权", "维权进度", "查维权", "案件进度", "wq", prefix=True)
def progress(ctx: Ctx) -> Reply:
    number = store.parse_number(ctx.update.text)
    if number is None and compact(ctx.args):
        return Reply.of("编号好像不对，维权编号像这样：WQ2026-000123。", "回复“我的维权”看您提交过的。")
    tz = ctx.services.tz
    if number is not None:
        case = store.find_case(ctx.session, number=number)
        if case is None or not store.owned_by(case, ctx.account):
            return Reply.of(f"没找到编号为 {number} 的维权记录，请核对一下编号。", "回复“我的维权”看您提交过的。")
        history = [f"{e.at.astimezone(tz).month}月{e.at.astimezone(tz).day}日 {store.STATUSES.get(e.status, e.status)}"
                   + (f"：{e.note}" if e.note else "") for e in store.events(ctx.session, case_id=saved_id(case))]
        return Reply.of(case_line(case, tz) + "\n进展：\n" + "\n".join(history))
    mine = store.cases_of(ctx.session, account=ctx.account)
    if not mine:
        return Reply.of("您还没有提交过维权。", "被拖欠工资，回复“我要维权”。")
    return Reply.of("您提交的维权：\n" + "\n".join(case_line(c, tz) for c in mine[:10]),
                    "看某一件的详细进展，回复“查进度 编号”。")


# --- 撤回: the person withdraws a case of their own -------------------------------------------------------
WITHDRAWN_NOTE = "本人在聊天里撤回"


@router.command("撤回维权", "我要撤回维权", "撤销维权", "不维权了", "不要维权了", "撤回投诉", "撤回案件", "取消维权")
def withdraw(ctx: Ctx) -> Reply:
    mine = store.open_cases_of(ctx.session, account=ctx.account)
    if not mine:
        return Reply.of("您没有正在办的维权，不用撤回。", "回复“我的维权”看您提交过的。")
    if len(mine) == 1:
        return ctx.start(withdraw_flow.name, "confirm", {"case_id": mine[0].id})
    return ctx.start(withdraw_flow.name, "pick", {"case_ids": [c.id for c in mine]})


def _case(ctx: Ctx) -> RightsCase | None:
    case = store.get_case(ctx.session, ctx.data.get("case_id") or 0)
    return case if case is not None and store.owned_by(case, ctx.account) else None


def _ask_pick(ctx: Ctx) -> Reply:
    cases = [store.get_case(ctx.session, i) for i in ctx.data.get("case_ids", [])]
    return Reply.of("要撤回哪一件？", choices=[f"{c.number}（{c.employer}）" for c in cases if c is not None])


@withdraw_flow.step("pick", ask=_ask_pick)
def withdraw_pick(ctx: Ctx) -> Reply:
    ids = ctx.data.get("case_ids", [])
    picked = choice_numbers(ctx.text, len(ids)) or []
    if len(picked) != 1:
        return Reply.of("请回复一个编号。") + _ask_pick(ctx)
    ctx.data["case_id"] = ids[picked[0] - 1]
    return ctx.goto("confirm")


def _ask_withdraw(ctx: Ctx) -> Reply:
    case = _case(ctx)
    about = f"{case.number}（{case.employer}，{amount_text(case.amount)}）" if case else "这件维权"
    return Reply.of(f"确定要撤回维权{about}吗？\n撤回后工作人员不再处理，以后还想讨薪可以重新登记。",
                    choices=["确认撤回", "不撤回"])


@withdraw_flow.step("confirm", ask=_ask_withdraw)
def withdraw_confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("2", "不撤回", "不", "不要", "算了", "不撤"):
        ctx.finish(keep_paused=True)
        return Reply.of("好的，维权照常办理。")
    if key not in ("1", "确认撤回", "确认", "确定", "是", "撤回", "对"):
        return Reply.of("请回复 1 确认撤回，或回复 2 不撤回。") + _ask_withdraw(ctx)
    case = _case(ctx)
    ctx.finish(keep_paused=True)
    if case is None or case.status in store.FINISHED:
        return Reply.of("这件维权已经办完或撤回了，不用再撤。")
    store.set_status(ctx.session, case_id=saved_id(case), status=store.WITHDRAWN, note=WITHDRAWN_NOTE, now=ctx.now)
    return Reply.of(f"已撤回维权 {case.number}，工作人员会看到。", "以后还想讨薪，回复“我要维权”。")

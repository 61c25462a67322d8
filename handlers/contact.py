"""How to reach a person who applies for jobs: how to address them (称呼, 王阿姨) and, if they
agree, a phone number. Asked once right after 登记 (a light flow: any command leaves it), and
changed through 修改. The phone is shown masked in the chat and only staff may reveal it."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers import asking, misses
from handlers.rights import parse_phone
from knowledge.text import compact
from storage.cases import mask_phone

router = Router("contact")
flow = router.flow("contact", title="")
SKIP = ("跳过", "不说", "不留", "不想留", "不要", "不用", "算了", "没有", "不想说", "不填", "不填了")
THANKS = ("好", "好的", "谢谢", "谢谢你", "谢谢您", "嗯", "嗯嗯", "知道了", "收到", "ok", "行",
          "可以", "好嘞")  # not a name
# words no 称呼 has: a question or a request typed instead ("有没有公益性岗位", "我想找活")
_NOT_A_NAME = re.compile(r"[吗呢么?？]|有没有|怎么|什么|能不能|可不可以|哪|多少|想|找|要|办|问|帮|岗位|工作|政策")
_DECLINED = re.compile(r"不|没|算了|免了")
ONLY = "only"  # came from 修改 for this one answer: save it and stop
STEPS = ("name", "phone")


def describe(fields: dict[str, Any]) -> list[str]:
    """The 称呼 and phone lines of a profile summary (the phone masked); none before either is
    given, so the summary of a first 登记 (asked before them) stays short."""
    if not (fields.get("name") or fields.get("phone")):
        return []
    return [f"称呼：{fields.get('name') or '未填'}", f"电话：{mask_phone(fields.get('phone')) or '未留'}"]


def ask_after_registration(ctx: Ctx, done: Reply) -> Reply:
    return done + ctx.start(flow.name, "name")


def edit(ctx: Ctx, step: str) -> Reply:
    """修改 称呼 or 电话: leave the registration summary and ask just that."""
    ctx.finish()
    return ctx.start(flow.name, step, {ONLY: True})


def _ask_name(ctx: Ctx) -> Reply:
    return Reply.of("怎么称呼您？比如：王阿姨、李师傅。\n不想说可以回复“跳过”。")


@asking.step(flow, "name", ask=_ask_name, declinable=True)
def name(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in THANKS and not ctx.data.get(ONLY):
        ctx.finish()
        return Reply.of("不客气！想留称呼和电话，方便工作人员联系您，随时回复“修改”。")
    if key in SKIP:
        return _after(ctx, "phone", "好的。")
    if _NOT_A_NAME.search(key) and not ctx.data.get(ONLY):  # something else asked: answered, not kept
        return asking.leave(ctx)
    if not key or key.isdigit() or len(key) > 12:
        if misses.missed(ctx, "name"):  # asked twice: move on; words kept for staff, a number never
            if key and not any(c.isdigit() for c in key):
                asking.note(ctx, "name", ctx.text.strip())
                ctx.save_worker({"notes": {**((ctx.worker and ctx.worker.notes) or {}), **ctx.data["notes"]}})
                return _after(ctx, "phone", asking.kept("称呼先空着。"))
            return _after(ctx, "phone", "称呼先空着。")
        return Reply.of("称呼写几个字就行，比如：王阿姨。") + _ask_name(ctx)
    ctx.save_worker({"name": ctx.text.strip()[:32]})
    return _after(ctx, "phone", f"好的，{ctx.text.strip()[:32]}。")


def _ask_phone(ctx: Ctx) -> Reply:
    return Reply.of("留个电话吗？您报名后，工作人员和用工单位可以打电话给您。\n"
                    "电话只用来联系工作，不会给别人。不想留回复“跳过”。")


@asking.step(flow, "phone", ask=_ask_phone, declinable=True)
def phone(ctx: Ctx) -> Reply:
    number = parse_phone(ctx.text)
    if number is None and not any(c.isdigit() for c in ctx.text):
        if compact(ctx.text) in SKIP or _DECLINED.search(ctx.text):
            ctx.finish()
            return Reply.of("好的，不留电话也能报名。以后想留，回复“修改”。")
        if not ctx.data.get(ONLY):
            return asking.leave(ctx)  # no number at all: something else typed, answered as free text
    if number is None and misses.missed(ctx, "phone"):  # asked twice: not asked a third time
        ctx.finish()
        return Reply.of("这个号码没对上，先不留了。以后想留，回复“修改”。")
    if number is None:
        return Reply.of("这个号码好像不对。手机是11位数字，座机带区号，比如 0570-6012345。") + _ask_phone(ctx)
    ctx.save_worker({"phone": number})
    ctx.finish()
    return Reply.of(f"记下了：{mask_phone(number)}。回复“我的信息”可以看看。")


def _after(ctx: Ctx, step: str, lead: str) -> Reply:
    if ctx.data.get(ONLY):
        ctx.finish()
        return Reply.of("已保存修改。回复“我的信息”可以再看看。")
    return ctx.goto(step, lead)

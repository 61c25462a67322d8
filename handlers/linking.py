"""绑定: join a second chat account (WeChat ↔ Telegram) to one worker profile.

On a registered account `绑定` shows an eight-digit one-time code (10 minutes, single use);
on the other account `绑定 12345678` links it. An account that has its own profile is asked
to confirm first, since that profile is then replaced and deleted. Five wrong or expired
codes in a row make an account wait an hour before it may try again; too many wrong codes
on all accounts together make everyone wait a while, and void the codes they were aimed at
(storage.accounts).
"""

from __future__ import annotations

import re

from bot.messages import Reply
from bot.router import Ctx, Router
from knowledge.text import compact, normalize
from storage.accounts import (
    LINK_ALL_WINDOW,
    LINK_BLOCK,
    LINK_CODE_DIGITS,
    LINK_CODE_TTL,
    CodeState,
    check_link_code,
    count_wrong_code,
    guessing_paused,
    issue_link_code,
    link_account,
    link_blocked,
    use_link_code,
)
from storage.models import saved_id

router = Router("linking")
confirm_flow = router.flow("link", title="")

MINUTES = int(LINK_CODE_TTL.total_seconds() // 60)
NOT_REGISTERED = (f"您还没有登记。\n在另一个聊天软件里登记过的话：在那边回复“绑定”拿到{LINK_CODE_DIGITS}位数字，"
                  "再在这里回复“绑定 数字”。\n没登记过，回复“登记”。")
BAD_FORMAT = f"绑定码是{LINK_CODE_DIGITS}位数字，比如：绑定 12345678"
GET_NEW = "请在另一个聊天软件里回复“绑定”，拿一个新的。"
UNKNOWN = "这个绑定码不对，或者已经用过了。" + GET_NEW
EXPIRED = f"这个绑定码已经过期了（{MINUTES}分钟内有效）。" + GET_NEW
SAME = "这个账号用的已经是这份登记信息，不用再绑。绑定码要在另一个聊天软件里发。"
LINKED = "绑定好了！两边用的是同一份登记信息。\n以后的推送只发到您最近用过的那个聊天软件，不会重复发。"
BLOCKED = (f"绑定码输错太多次了，为了安全，请{int(LINK_BLOCK.total_seconds() // 3600)}小时后再试。"
           f"\n可以在另一个聊天软件里回复“绑定”，仔细核对{LINK_CODE_DIGITS}位数字。")
BUSY = (f"现在核对绑定码的人太多了，为了安全，请{int(LINK_ALL_WINDOW.total_seconds() // 60)}分钟后再试。"
        "\n到时候如果绑定码已经过期，请在另一个聊天软件里回复“绑定”拿一个新的。")
CHOICES = ("确认绑定", "不绑定")


@router.command("绑定", "绑定码", "关联账号", prefix=True)
def link(ctx: Ctx) -> Reply:
    code = _digits(ctx.args)
    if code:
        return _redeem(ctx, code)
    if ctx.worker is None:
        return Reply.of(NOT_REGISTERED)
    issued = issue_link_code(ctx.session, worker_id=saved_id(ctx.worker), now=ctx.now)
    return Reply.of(f"您的绑定码：{issued.code}\n{MINUTES}分钟内有效，只能用一次。",
                    f"请在另一个聊天软件（微信或 Telegram）里给我发：\n绑定 {issued.code}")


_CN_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")


def _digits(text: str) -> str:
    """The digits typed after 绑定: "１２３ ４５６", "一二三四五六", "码：123456" → "123456"."""
    return re.sub(r"[^0-9]", "", normalize(text).translate(_CN_DIGITS))


def _redeem(ctx: Ctx, code: str) -> Reply:
    if len(code) != LINK_CODE_DIGITS:
        return Reply.of(BAD_FORMAT)
    if link_blocked(ctx.account, ctx.now):
        return Reply.of(BLOCKED)
    if guessing_paused(ctx.session, now=ctx.now):
        return Reply.of(BUSY)
    check = check_link_code(ctx.session, code=code, now=ctx.now)
    if check.state is not CodeState.VALID:
        if count_wrong_code(ctx.session, account=ctx.account, now=ctx.now):
            return Reply.of(BLOCKED)
        return Reply.of(UNKNOWN if check.state is CodeState.UNKNOWN else EXPIRED)
    if check.worker_id == ctx.account.worker_id:
        return Reply.of(SAME)
    if ctx.worker is not None:
        return ctx.start(confirm_flow.name, "confirm", {"code": code})
    return _link(ctx, code)


def _link(ctx: Ctx, code: str) -> Reply:
    worker_id = use_link_code(ctx.session, code=code, now=ctx.now)
    if worker_id is None:  # expired or used by someone else since it was checked
        ctx.finish()
        return Reply.of(UNKNOWN)
    link_account(ctx.session, account=ctx.account, worker_id=worker_id)
    ctx.forget_worker()
    ctx.finish()
    return Reply.of(LINKED, "回复“我的信息”可以看看。")


def _ask_confirm(ctx: Ctx) -> Reply:
    return Reply.of("这个账号已经有一份登记信息。\n"
                    "绑定后，这里改用另一个聊天软件里的登记信息，这里原来的信息会删除。\n确定绑定吗？",
                    choices=CHOICES)


@confirm_flow.step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("1", compact(CHOICES[0]), "确认", "确定", "是", "好", "好的"):
        return _link(ctx, ctx.data.get("code", ""))
    if key in ("2", compact(CHOICES[1]), "不", "不要", "否", "算了"):
        ctx.finish()
        return Reply.of("好的，没有绑定，这里的信息保持不变。")
    return Reply.of("请回复 1 确认绑定，或回复 2 不绑定。") + _ask_confirm(ctx)

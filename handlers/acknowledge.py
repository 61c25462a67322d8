"""好的 / 谢谢 / 收到: a short friendly word back — after a push people often just say thanks,
and that is not a policy question. Inside a form the word answers its question instead."""

from __future__ import annotations

from bot.messages import Reply
from bot.router import Ctx, Router

router = Router("acknowledge")

MORE = "有事随时找我，回复“菜单”看看我能帮什么。"


@router.command("谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "好的谢谢", "好谢谢", "谢谢啦", "麻烦了", "辛苦了")
def thanks(ctx: Ctx) -> Reply:
    return _in_form(ctx) or Reply.of(f"不客气！{MORE}")


@router.command("好的", "好嘞", "好滴", "收到", "知道了", "晓得了", "明白了", "嗯嗯")
def agreed(ctx: Ctx) -> Reply:
    return _in_form(ctx) or Reply.of(f"好的！{MORE}")


def _in_form(ctx: Ctx) -> Reply | None:
    step = ctx.current_step()
    return step.answer(ctx) if ctx.flow_title() and step is not None else None

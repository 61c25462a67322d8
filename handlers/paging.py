"""Lists shown in chat (jobs, courses, fairs): the ids on the page shown now, the answers
更多 and 上一页, and text that is not a choice. The list lives in the flow's data as `ids`
and `page`."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.messages import Reply
from bot.router import Ctx
from knowledge.text import arabize, compact

PAGE = 3  # a page stays short enough to read at once (150 characters)
NEXT = ("更多", "下一页", "还有吗", "还有")
PREVIOUS = ("上一页",)
_PICKING = re.compile(r"^(看|要|选|报名)?第?\d+(个|号|项|条|吧|的)?$")  # a number meant as a choice


def current_page(ctx: Ctx) -> tuple[int, list[int]]:
    """The number the page's first item is shown with, and the ids on the page."""
    ids: list[int] = ctx.data["ids"]
    page: int = ctx.data.get("page", 0)
    return page * PAGE + 1, ids[page * PAGE:(page + 1) * PAGE]


def has_next(ctx: Ctx) -> bool:
    page: int = ctx.data.get("page", 0)
    return (page + 1) * PAGE < len(ctx.data["ids"])


def heading(ctx: Ctx, first: str) -> str:
    """`first` on the first page, "第N页：" on the others."""
    page: int = ctx.data.get("page", 0)
    return first if page == 0 else f"第{page + 1}页："


def turn_page(ctx: Ctx, key: str, show: Callable[[Ctx], Reply]) -> Reply | None:
    """Answer 更多 or 上一页 (`key`, compacted) with `show` of that page; None for anything else."""
    page: int = ctx.data["page"]
    if key in NEXT:
        if not has_next(ctx):
            return Reply.of("已经是全部了。回复编号看详情。")
        ctx.data["page"] = page + 1
        return show(ctx)
    if key in PREVIOUS and page > 0:
        ctx.data["page"] = page - 1
        return show(ctx)
    return None


def off_the_list(ctx: Ctx) -> Reply | None:
    """A question typed while a list is shown ("创业贷款能贷多少", "我60多岁了还能干吗"): leave the
    list and answer it. None for a number off the list ("9", "第5个"), which the list answers itself."""
    if not ctx.text.strip() or _PICKING.match(compact(arabize(ctx.text))):
        return None
    ctx.finish()
    return ctx.fallback(ctx)

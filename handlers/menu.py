"""The way in and the way out: welcome, 菜单/帮助, 继续, 取消, 返回, 详情 (the rest of a long
reply), and platform events."""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Kind, Reply
from bot.router import MORE, Ctx, MenuItem, Router
from handlers.policy import free_text
from knowledge.text import choice_numbers

router = Router("menu")
main_menu = router.flow("menu", title="")

WELCOME = "您好！我是开化县零工就业小助手，帮您找活、提醒招聘会、解答就业政策。请回复："
FIRST_THINGS = ("登记找活", "招聘会", "问政策")  # what a brand-new follower is offered
MENU_QUESTION = "请问您想做什么？"


def show_menu(ctx: Ctx, *lead: str, only: tuple[str, ...] = ()) -> Reply:
    """The numbered main menu (or `only` these items of it); a flow the person is in waits for 继续."""
    return ctx.start(main_menu.name, "pick", {"only": list(only)} if only else None, *lead)


def _items(ctx: Ctx) -> list[MenuItem]:
    only = ctx.data.get("only")
    return [m for m in ctx.menu if m.label in only] if only else ctx.menu


def _ask_menu(ctx: Ctx) -> Reply:
    question = "" if ctx.data.get("only") else MENU_QUESTION
    return Reply.of(question, choices=[m.label for m in _items(ctx)])


@main_menu.step("pick", ask=_ask_menu)
def _menu_pick(ctx: Ctx) -> Reply:
    items = _items(ctx)
    picked = choice_numbers(ctx.text, len(items))
    label = next((m for m in items if m.label == ctx.text), None)
    item = label or (items[picked[0] - 1] if picked else None)
    ctx.finish(keep_paused=True)
    return item.handler(ctx) if item else free_text(ctx)


@router.command("菜单", "帮助", "help", "开始", "主菜单", "你好", "您好", "在吗", "hi", "hello", "/start", "/help")
def menu(ctx: Ctx) -> Reply:
    return show_menu(ctx)


@router.command("继续", "接着填")
def resume(ctx: Ctx) -> Reply:
    resumed = ctx.resume()
    if resumed is not None:
        return resumed
    if ctx.in_flow and ctx.flow_title():
        return ctx.ask()
    return show_menu(ctx, "现在没有要接着填的内容。")


@router.command("取消", "退出", "结束", anytime=True)
def cancel(ctx: Ctx) -> Reply:
    title = ctx.flow_title() or ctx.paused_title()
    ctx.finish()
    return show_menu(ctx, f"好的，已取消{title}。" if title else "")


@router.command("不填了", "算了", anytime=True)
def give_up(ctx: Ctx) -> Reply:
    """"不填了", "算了" at a question one may decline ("哪个村", "要不要发消息") answer it; anywhere else
    they leave the form, as 取消 does."""
    step = ctx.current_step()
    return step.answer(ctx) if step is not None and step.declinable else cancel(ctx)


# "返回上一个 漏了一个", "回到上一步", "上一个": going back said in a sentence, inside a form too; what
# follows the words at the start of the message answers the question gone back to ("返回 远一点也行")
@router.command("返回", "上一步", "回去", "后退", anytime=True,
                within=r"(?:返回|回到|退回)(?:上一?[步个题]|上一个问题|前一[步个题])|回上一?[步题]|上一步"
                       r"|^上一?[个题](?:问题)?$|^返回")
def back(ctx: Ctx) -> Reply:
    resumed = ctx.resume()
    if resumed is not None:
        return resumed
    if ctx.in_flow and ctx.flow_title():
        previous = ctx.go_back()
        step = ctx.current_step()
        if previous is not None and ctx.args and step is not None:
            return step.answer(replace(ctx, update=replace(ctx.update, text=ctx.args)))
        if previous is not None:
            return previous
        return cancel(ctx)
    ctx.finish()
    return show_menu(ctx)


@router.command("详情", "看原文", "原文", "全文", anytime=True)
def more(ctx: Ctx) -> Reply:
    """The part of the last reply that was cut off for being too long."""
    rest = ctx.data.pop(MORE, None)
    if rest:
        return Reply.of(rest)
    return Reply.of("没有更多内容了。") + (ctx.ask() if ctx.in_flow else Reply.of("回复“菜单”看看我能帮什么。"))


@router.on(Kind.SUBSCRIBE)
def subscribed(ctx: Ctx) -> Reply:
    return show_menu(ctx, WELCOME, only=FIRST_THINGS)


@router.on(Kind.MEDIA)
def media(ctx: Ctx) -> Reply:
    return Reply.of("图片、视频和文件我还看不懂，请直接打字告诉我。") + _keep_place(ctx)


@router.on(Kind.VOICE)
def voice_without_text(ctx: Ctx) -> Reply:
    return Reply.of("没听清您的语音，请打字告诉我，谢谢。") + _keep_place(ctx)


@router.on(Kind.LOCATION_REPORT)
def location_report(ctx: Ctx) -> Reply:
    account = ctx.account
    account.latitude, account.longitude = ctx.update.latitude, ctx.update.longitude
    account.located_at = ctx.now
    ctx.session.add(account)
    return Reply()


@router.on(Kind.LOCATION)
def location(ctx: Ctx) -> Reply:
    location_report(ctx)
    if ctx.update.latitude is None or ctx.update.longitude is None:
        return Reply.of("没收到位置，请再发一次，或直接打字告诉我您在哪个乡镇。")
    town, km = ctx.services.places.nearest(ctx.update.latitude, ctx.update.longitude)
    if km > 40:
        return Reply.of("您现在好像不在开化县。找县里的活，回复 菜单 看看。")
    return show_menu(ctx, f"收到，您在{town.name}附近。")


def _keep_place(ctx: Ctx) -> Reply:
    return ctx.ask() if ctx.in_flow else Reply()

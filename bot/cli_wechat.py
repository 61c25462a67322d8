"""`jobbot wechat …`: the official account's administration (the custom menu)."""

from __future__ import annotations

import asyncio
import json

import typer

from bot.app import configure_logging, prepare_database
from bot.cli_help import HelpGroup
from bot.settings import get_settings

wechat_app = typer.Typer(cls=HelpGroup, help="微信公众号：菜单", no_args_is_help=True)


@wechat_app.command("menu")
def menu(show: bool = typer.Option(False, "--show", help="只显示菜单，不提交")) -> None:
    """创建公众号菜单：登记、找工作、招聘会、问政策、我的信息。"""
    from bot.channels.wechat.client import ApiError, ApiUnavailable, WeChatClient
    from bot.channels.wechat.menu import MENU
    from bot.channels.wechat.token import TokenUnavailable

    if show:
        typer.echo(json.dumps(MENU, ensure_ascii=False, indent=2))
        return
    configure_logging()
    settings = get_settings()
    if not (settings.wechat_appid and settings.wechat_secret):
        typer.echo("请先设置 JOBBOT_WECHAT_APPID 和 JOBBOT_WECHAT_SECRET。", err=True)
        raise typer.Exit(2)
    engine = prepare_database(settings)

    async def create() -> None:
        client = WeChatClient(settings, engine)
        try:
            await client.create_menu(MENU)
        finally:
            await client.aclose()

    try:
        asyncio.run(create())
    except ApiError as exc:
        typer.echo(f"微信拒绝了菜单：errcode {exc.errcode} {exc.errmsg}", err=True)
        raise typer.Exit(1) from exc
    except (ApiUnavailable, TokenUnavailable) as exc:
        typer.echo(f"连不上微信接口：{exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo("菜单已创建：登记 | 找工作（找工作、招聘会）| 更多（问政策、我的信息）")

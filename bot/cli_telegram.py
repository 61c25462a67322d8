"""`jobbot telegram …`: long polling for development, and setting or removing the webhook
that `jobbot serve` answers at /telegram."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import typer

from bot.app import build_dispatcher, configure_logging
from bot.cli_help import HelpGroup
from bot.settings import Settings, get_settings

if TYPE_CHECKING:  # telegram is imported only by the commands that call it
    import telegram

telegram_app = typer.Typer(cls=HelpGroup, help="Telegram：本机轮询收发消息、设置 webhook", no_args_is_help=True)


def _settings() -> Settings:
    settings = get_settings()
    if not settings.telegram_token:
        typer.echo("请先设置 JOBBOT_TELEGRAM_TOKEN（在 @BotFather 那里拿到的机器人 token）。", err=True)
        raise typer.Exit(1)
    return settings


def _call_bot(settings: Settings, work: Callable[..., Awaitable[None]]) -> None:
    from telegram.error import TelegramError

    from bot.channels.telegram import make_bot

    async def run() -> None:
        async with make_bot(settings) as bot:
            await work(bot)

    try:
        asyncio.run(run())
    except TelegramError as exc:
        typer.echo(f"Telegram 没有接受：{exc}", err=True)
        raise typer.Exit(1) from exc


@telegram_app.command()
def poll() -> None:
    """用长轮询（getUpdates）在本机收发 Telegram 消息，开发用；会先删掉已设置的 webhook。Ctrl-C 停止。"""
    from telegram.error import TelegramError

    from bot.channels.telegram import TelegramChannel

    settings = _settings()
    configure_logging()
    channel = TelegramChannel.from_settings(settings, build_dispatcher(settings), polling=True)
    assert channel is not None
    try:
        channel.run_polling()
    except TelegramError as exc:
        typer.echo(f"连不上 Telegram：{exc}", err=True)
        raise typer.Exit(1) from exc


@telegram_app.command("set-webhook")
def set_webhook(
    url: str = typer.Argument(..., help="公网 HTTPS 地址，比如 https://example.org/telegram"),
    drop_pending: bool = typer.Option(False, "--drop-pending", help="丢掉 Telegram 那边还没送出的消息"),
) -> None:
    """让 Telegram 把消息推到 URL（带上 JOBBOT_TELEGRAM_WEBHOOK_SECRET），并设置机器人的命令菜单。"""
    from bot.channels.telegram import ALLOWED_UPDATES, BOT_COMMANDS

    settings = _settings()
    secret = settings.telegram_webhook_secret
    if not secret:
        typer.echo("请先设置 JOBBOT_TELEGRAM_WEBHOOK_SECRET：没有它，服务器会拒绝 Telegram 的推送。", err=True)
        raise typer.Exit(1)

    async def work(bot: telegram.Bot) -> None:
        await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                              drop_pending_updates=drop_pending)
        await bot.set_my_commands(BOT_COMMANDS)

    _call_bot(settings, work)
    typer.echo(f"已设置 webhook：{url}")
    if not url.rstrip("/").endswith("/telegram"):
        typer.echo("提醒：jobbot serve 在 /telegram 接收 Telegram 消息。")


@telegram_app.command("delete-webhook")
def delete_webhook(
    drop_pending: bool = typer.Option(False, "--drop-pending", help="丢掉 Telegram 那边还没送出的消息"),
) -> None:
    """取消 webhook（之后可以用 jobbot telegram poll 在本机收消息）。"""
    settings = _settings()

    async def work(bot: telegram.Bot) -> None:
        await bot.delete_webhook(drop_pending_updates=drop_pending)

    _call_bot(settings, work)
    typer.echo("已取消 webhook。")

"""The `jobbot` command line: demo, chat, seed, database and staff commands."""

from __future__ import annotations

import sys

import typer

from bot.app import build_dispatcher, configure_logging, prepare_database
from bot.settings import get_settings

app = typer.Typer(help="开化县零工就业小助手 jobbot", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="数据库：迁移", no_args_is_help=True)
app.add_typer(db_app, name="db")

DEFAULT_USER = "local-user"


@app.command()
def chat(user: str = typer.Option(DEFAULT_USER, "--user", help="以哪个用户的身份聊天")) -> None:
    """在终端里以一个用户的身份和助手聊天；从管道读入时每行一条消息。"""
    from bot.channels.console import chat as console_chat

    configure_logging()
    dispatcher = build_dispatcher(get_settings())
    console_chat(dispatcher, user_id=user, lines=None if sys.stdin.isatty() else sys.stdin)


@app.command()
def seed() -> None:
    """把演示数据（用工主体、岗位、招聘会、培训班）装进数据库；重复运行不会重复添加。"""
    from bot.services import Services
    from storage.db import session_scope
    from storage.seed import load_demo

    settings = get_settings()
    engine = prepare_database(settings)
    services = Services(settings=settings)
    with session_scope(engine) as session:
        added = load_demo(session, now=services.clock(), tz=services.tz)
    typer.echo("已载入演示数据：" + "，".join(f"{k} +{v}" for k, v in added.items()))


@app.command()
def demo() -> None:
    """在本机启动演示：SQLite 数据库、演示数据，然后进入终端聊天。"""
    seed()
    typer.echo(f"数据库：{get_settings().db_url}")
    chat(user=DEFAULT_USER)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """把数据库结构升级到最新（或指定版本）。"""
    from storage.db import upgrade

    settings = get_settings()
    upgrade(settings.db_url, revision)
    typer.echo(f"数据库已升级到 {revision}")


def main() -> None:
    app()

"""The `jobbot` command line: demo, chat, seed, database and staff commands."""

from __future__ import annotations

import socket
import sys
from typing import Any

import typer
from pydantic import ValidationError

from bot.app import build_dispatcher, configure_logging, prepare_database
from bot.cli_help import HelpGroup
from bot.cli_jobs import deliver, jobs_app
from bot.cli_policy import ask_command, kb_app
from bot.cli_staff import staff_app
from bot.cli_telegram import telegram_app
from bot.cli_wechat import wechat_app
from bot.settings import Settings, describe, get_settings

app = typer.Typer(cls=HelpGroup, help="开化县零工就业小助手 jobbot", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(cls=HelpGroup, help="数据库：迁移", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(telegram_app, name="telegram")
app.add_typer(wechat_app, name="wechat")
app.add_typer(jobs_app, name="jobs")
app.add_typer(kb_app, name="kb")
app.add_typer(staff_app, name="staff")
app.command("ask")(ask_command)
app.command("deliver")(deliver)

DEFAULT_USER = "local-user"


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Believe X-Forwarded-For only from the configured proxies: uvicorn's default trusts any
    local peer, which let a client on this machine pick its own address."""
    trusted = settings.trusted_proxies.strip()
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


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
def serve(workers: int = typer.Option(1, "--workers", help="进程数（uvicorn workers）")) -> None:
    """启动生产服务器：微信 /wechat、Telegram /telegram、工作人员后台 /console、健康检查 /healthz，
    同时发送推送、运行定时任务；监听 JOBBOT_HOST:JOBBOT_PORT。"""
    import uvicorn

    configure_logging()
    settings = get_settings()
    _address(settings, change="JOBBOT_PORT=").close()  # uvicorn binds it again, for its workers
    prepare_database(settings)
    # No access log: its query strings carry signatures and openids. A worker loads the policy
    # index and the Chinese dictionaries while it starts, which on a busy host takes longer than
    # uvicorn's default 5 s before it declares a worker dead and starts another.
    uvicorn.run("bot.web:serve_app", factory=True, host=settings.host, port=settings.port,
                workers=workers, access_log=False, log_level="info", timeout_worker_healthcheck=60,
                **proxy_options(settings))


@app.command()
def demo(port: int | None = typer.Option(None, "--port", min=1, max=65535, show_default=False,
                                  help="端口；不填用 JOBBOT_PORT（默认 8000）"),
         host: str | None = typer.Option(None, "--host", show_default=False,
                                  help="地址；不填用 JOBBOT_HOST（默认 127.0.0.1）")) -> None:
    """在本机启动演示：SQLite 数据库、演示数据、模拟微信聊天网页、假的微信接口和工作人员后台。"""
    import uvicorn

    from bot.channels.sandbox.demo import create_demo_app, demo_settings, local_base
    from bot.console import demo_admin
    from bot.services import Services
    from storage.db import make_engine

    settings = get_settings()
    settings = settings.model_copy(update={"host": host or settings.host, "port": port or settings.port})
    with _address(settings, change="--port ") as sock:  # before anything is printed or made
        seed()
        configure_logging()
        settings = demo_settings(settings)
        app_ = create_demo_app(settings, build_dispatcher(settings))
        typer.echo(f"数据库：{settings.db_url}")
        typer.echo(f"村民聊天（模拟微信）：{local_base(settings)}/sandbox/")
        name, password = demo_admin(settings, make_engine(settings.db_url), Services(settings=settings))
        typer.echo(f"工作人员后台：{local_base(settings)}/console/  账号：{name}  密码：{password}")
        typer.echo("按 Ctrl-C 结束")
        config = uvicorn.Config(app_, host=settings.host, port=settings.port, access_log=False, log_level="info",
                                **proxy_options(settings))
        uvicorn.Server(config).run(sockets=[sock])


def _address(settings: Settings, *, change: str) -> socket.socket:
    """The server's socket, or one clear line and exit status 1 when it cannot be had."""
    from bot.listen import AddressUnusable, bind

    try:
        return bind(settings.host, settings.port, change=change)
    except AddressUnusable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Alembic 版本号；不填升到最新")) -> None:
    """把数据库结构升级到最新（或指定版本）。"""
    from storage.db import upgrade

    settings = get_settings()
    upgrade(settings.db_url, revision)
    typer.echo(f"数据库已升级到 {revision}")


def main() -> None:
    try:
        app()
    except ValidationError as error:  # a wrong JOBBOT_* setting: say which, and start nothing
        typer.echo("设置有误，请改正后再运行：", err=True)
        for line in describe(error):
            typer.echo("  " + line, err=True)
        sys.exit(2)

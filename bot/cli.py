"""The `jobbot` command line: demo, chat, seed, database and staff commands."""

from __future__ import annotations

import sys

import typer

from bot.app import build_dispatcher, configure_logging, prepare_database
from bot.cli_telegram import telegram_app
from bot.cli_wechat import wechat_app
from bot.cli_jobs import deliver, jobs_app
from bot.cli_policy import ask_command, kb_app
from bot.settings import get_settings

app = typer.Typer(help="开化县零工就业小助手 jobbot", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="数据库：迁移", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(telegram_app, name="telegram")
app.add_typer(wechat_app, name="wechat")
app.add_typer(jobs_app, name="jobs")
app.add_typer(kb_app, name="kb")
app.command("ask")(ask_command)
app.command("deliver")(deliver)

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
def serve(workers: int = typer.Option(1, "--workers", help="进程数（uvicorn workers）")) -> None:
    """启动生产服务器：微信 /wechat、Telegram /telegram、工作人员后台 /console、健康检查 /healthz，
    同时发送推送、运行定时任务；监听 JOBBOT_HOST:JOBBOT_PORT。"""
    import uvicorn

    configure_logging()
    settings = get_settings()
    prepare_database(settings)
    # No access log: its query strings carry signatures and openids. A worker loads the policy
    # index and the Chinese dictionaries while it starts, which on a busy host takes longer than
    # uvicorn's default 5 s before it declares a worker dead and starts another.
    uvicorn.run("bot.web:serve_app", factory=True, host=settings.host, port=settings.port,
                workers=workers, access_log=False, log_level="info", timeout_worker_healthcheck=60)


@app.command()
def demo() -> None:
    """在本机启动演示：SQLite 数据库、演示数据、模拟微信聊天网页、假的微信接口和工作人员后台。"""
    import uvicorn

    from bot.channels.sandbox.demo import create_demo_app, demo_settings, local_base

    seed()
    configure_logging()
    settings = demo_settings(get_settings())
    app_ = create_demo_app(settings, build_dispatcher(settings))
    typer.echo(f"数据库：{settings.db_url}")
    typer.echo(f"村民聊天（模拟微信）：{local_base(settings)}/sandbox/")
    typer.echo(f"工作人员后台：{local_base(settings)}/console/  登录口令：{settings.admin_token}")
    typer.echo("按 Ctrl-C 结束")
    uvicorn.run(app_, host=settings.host, port=settings.port, access_log=False, log_level="info")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """把数据库结构升级到最新（或指定版本）。"""
    from storage.db import upgrade

    settings = get_settings()
    upgrade(settings.db_url, revision)
    typer.echo(f"数据库已升级到 {revision}")


def main() -> None:
    app()

"""`jobbot staff …`: staff accounts from the command line (the first administrator comes from
here): add, list, disable, reset-password."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import typer

from bot.cli_help import HelpGroup
from bot.settings import get_settings

if TYPE_CHECKING:  # the commands import the database parts only when they run
    from sqlalchemy import Engine
    from sqlmodel import Session

    from storage.models import StaffAccount

staff_app = typer.Typer(cls=HelpGroup, help="工作人员账号：新建、列出、停用、重置密码", no_args_is_help=True)


def _engine() -> Engine:
    from bot.app import prepare_database

    return prepare_database(get_settings())


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@staff_app.command("add")
def add(name: str = typer.Argument(..., help="账号名，例如 华埠-张"),
        role: str = typer.Option(..., "--role", help="admin 县级管理员 / county 县级工作人员 / town 乡镇工作人员 / "
                                                     "village 村网格员 / leader 领导查看"),
        town: str = typer.Option("", "--town", help="乡镇（乡镇工作人员、村网格员必填）"),
        village: str = typer.Option("", "--village", help="村（村网格员必填）"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码，不自动生成")) -> None:
    """新建一个账号，打印一次性的临时密码（第一次登录时必须改掉）。"""
    from bot.console.accounts import new_account
    from bot.services import Services
    from storage.db import session_scope
    from storage.staff import StaffError

    password = sys.stdin.readline().strip() if password_stdin else None
    services = Services(settings=get_settings())
    try:
        with session_scope(_engine()) as session:
            account, given = new_account(session, services.places, name=name, role=role, town=town or None,
                                         village=village or None, now=services.clock(), password=password)
            label = f"{account.name}（{account.role}{'·' + account.town if account.town else ''}" \
                    f"{account.village or ''}）"
    except (StaffError, ValueError) as error:
        _fail(str(error))
    typer.echo(f"已新建账号 {label}")
    if password is None:
        typer.echo(f"临时密码：{given}（只显示这一次，第一次登录时要改掉）")


@staff_app.command("list")
def list_() -> None:
    """列出全部账号。"""
    from bot.console.roles import Role
    from storage.db import session_scope
    from storage.staff import list_accounts

    with session_scope(_engine()) as session:
        rows = list_accounts(session)
        typer.echo("账号\t角色\t负责范围\t状态")
        for a in rows:
            state = "已停用" if a.disabled else ("待改初始密码" if a.must_change_password else "正常")
            typer.echo(f"{a.name}\t{Role(a.role).label}\t{a.town or '全县'}{a.village or ''}\t{state}")


def _with_account(name: str, action: Callable[[Session, StaffAccount], None]) -> None:
    from storage.db import session_scope
    from storage.staff import find_account

    with session_scope(_engine()) as session:
        account = find_account(session, name)
        if account is None:
            _fail(f"没有账号“{name}”")
        action(session, account)


@staff_app.command("disable")
def disable(name: str = typer.Argument(..., help="账号名")) -> None:
    """停用一个账号，它的登录马上失效。"""
    from storage.staff import disable_account

    _with_account(name, disable_account)
    typer.echo(f"已停用 {name}")


@staff_app.command("reset-password")
def reset_password(name: str = typer.Argument(..., help="账号名")) -> None:
    """给账号换一个临时密码（下次登录时要改掉），它现在的登录都会退出。"""
    from bot.console.accounts import one_time_password
    from storage.staff import set_password

    password = one_time_password()
    _with_account(name, lambda session, account: set_password(session, account, password, must_change=True))
    typer.echo(f"{name} 的临时密码：{password}（只显示这一次）")

"""Policy commands: `jobbot ask "问题" [--json]` and `jobbot kb add FILE` / `jobbot kb list`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.cli_help import HelpGroup
from bot.settings import get_settings

kb_app = typer.Typer(cls=HelpGroup, help="政策知识库：添加文件、查看已载入的文件", no_args_is_help=True)


def _store() -> Path:
    return get_settings().data_dir / "policies"


def ask_command(
    question: str = typer.Argument(..., help="用大白话提问，如：创业贷款能贷多少"),
    json_output: bool = typer.Option(False, "--json", help="输出一个 JSON 对象"),
) -> None:
    """按县里的就业创业方案回答一个政策问题，并注明出处。"""
    from knowledge.policy import PolicyBase

    answer = PolicyBase.load(_store()).ask(question)
    typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if json_output else answer.answer)


@kb_app.command("add")
def add(path: Path = typer.Argument(..., help="政策文件（纯文本，UTF-8 或 GB18030）")) -> None:
    """检查文件能读出条款后，把它加进知识库（同一文件加两次不会重复）。"""
    from knowledge.policy import add_document

    try:
        title = add_document(path, _store())
    except ValueError as error:
        typer.echo(f"没有添加：{error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"已加入知识库：《{title}》")


@kb_app.command("list")
def list_documents() -> None:
    """列出知识库里的文件和每个文件的段落数。"""
    from knowledge.policy import PolicyBase

    for document in PolicyBase.load(_store()).documents:
        typer.echo(f"《{document.title}》 {document.passages} 段  ({document.source})")

"""One Chinese help text for the whole `jobbot` command line.

Typer prints its own English line for `--help` ("Show this message and exit.") and a type
marker after every option and argument (`<str>`, `<int>`, `<bool>`). Every group of the
command line is built with `HelpGroup` (`typer.Typer(cls=HelpGroup)`), which gives the help
option a Chinese text, each option a Chinese placeholder (文字, 整数, 文件) or none for a
yes/no switch, and arguments their name and help alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer.core import TyperArgument, TyperGroup

if TYPE_CHECKING:  # the click Context typer's own methods take (typer.Context is a subclass)
    from typer._click.core import Context

HELP_TEXT = "显示这段说明，然后退出"
PLACEHOLDERS: dict[Any, str] = {str: "文字", int: "整数", float: "数字", Path: "文件", bool: "是/否"}


class _Argument(TyperArgument):
    """An argument shown by its name and help alone: Typer takes no placeholder for an
    argument's type and would print `<str>` or `<path>` beside it."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None


def _chinese(command: Any, ctx: Context) -> Any:
    help_option = command.get_help_option(ctx)  # made once per command, then reused
    if help_option is not None:
        help_option.help = HELP_TEXT
        help_option.metavar = ""
    for param in command.params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument
        elif param.metavar is None:
            switch = getattr(param, "is_flag", False)
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            param.metavar = "" if switch else PLACEHOLDERS.get(annotation, "值")
    return command


class HelpGroup(TyperGroup):
    """A command group whose help, and its commands' help, reads in Chinese."""

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help, option.metavar = HELP_TEXT, ""
        return option

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        return None if command is None else _chinese(command, ctx)

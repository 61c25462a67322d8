"""The terminal channel: chat as one person from a keyboard, or feed it lines from a pipe."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from bot.dispatch import Dispatcher
from bot.messages import Kind, Update

CHANNEL = "console"
PROMPT = "您> "


def render(reply_texts: list[str], out: TextIO) -> None:
    for text in reply_texts:
        out.write(f"助手> {text}\n\n" if out.isatty() else f"{text}\n")
    out.flush()


def chat(dispatcher: Dispatcher, *, user_id: str, lines: Iterable[str] | None = None,
         out: TextIO | None = None) -> None:
    """Send each line as a message from `user_id` and print the replies (to `out`, or to
    whatever sys.stdout is at the time of the call).

    With a terminal it prompts until end of input (Ctrl-D) or 再见; given lines (a pipe)
    it sends each non-empty one and returns at the end.
    """
    out = out or sys.stdout
    interactive = lines is None
    if lines is None:
        out.write("开化县零工就业小助手（输入“菜单”看能做什么，Ctrl-D 退出）\n\n")
        lines = _prompted(out)
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if interactive and text in ("再见", "exit", "quit"):
            break
        reply = dispatcher.dispatch(Update(CHANNEL, user_id, Kind.TEXT, text))
        if reply is not None:
            render(reply.messages(), out)


def _prompted(out: TextIO) -> Iterable[str]:
    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return

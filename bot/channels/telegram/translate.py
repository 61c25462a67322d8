"""Telegram ↔ our types: a PTB `telegram.Update` becomes our `Update`; a `Reply` becomes
the messages to send, numbered choices as a reply keyboard.

Pure functions with no network or database, so both the webhook and polling use them and
tests can call them directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

import telegram
from telegram.constants import ChatType, MessageLimit

from bot.messages import Kind, Reply, Update

CHANNEL = "telegram"
CHOOSE = "请选择："  # Telegram will not show a keyboard without a message to carry it
PLACEHOLDER = "点下面的按钮，或直接打字"
WIDE_KEYBOARD = 6  # more choices than this go two to a row
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH

_COMMAND = re.compile(r"^(/[A-Za-z0-9_]+)(@[A-Za-z0-9_]+)?(?:\s+.*)?$", re.DOTALL)
_MEDIA = ("photo", "sticker", "video", "video_note", "animation", "document", "audio", "contact",
          "poll", "dice", "story", "paid_media")


def button_label(number: int, label: str) -> str:
    return f"{number} {label}"


class _From(TypedDict):
    channel: str
    user_id: str
    dedup_key: str
    received_at: datetime


def to_update(update: telegram.Update) -> Update | None:
    """Our update for a message in a private chat; None for anything we do not answer
    (groups and channels, edits, service messages)."""
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return None
    common: _From = {"channel": CHANNEL, "user_id": str(message.chat.id), "dedup_key": str(update.update_id),
              "received_at": message.date}
    if message.location is not None:
        return Update(kind=Kind.LOCATION, latitude=message.location.latitude,
                      longitude=message.location.longitude, **common)
    if message.text is not None:
        return Update(kind=Kind.TEXT, text=_text(message.text), **common)
    if message.voice is not None:
        return Update(kind=Kind.VOICE, **common)  # no recognition: the core asks to type
    if any(getattr(message, name, None) for name in _MEDIA):
        return Update(kind=Kind.MEDIA, **common)
    return None


def _text(text: str) -> str:
    text = text.strip()
    command = _COMMAND.match(text)
    if command:
        # "/start@our_bot", "/start deep-link-payload" → "/start"
        return command.group(1).lower()
    return text


@dataclass(frozen=True)
class Outgoing:
    """One sendMessage: text and the keyboard to show (or remove) with it."""

    text: str
    markup: telegram.ReplyKeyboardMarkup | telegram.ReplyKeyboardRemove | None = None


def render(reply: Reply) -> list[Outgoing]:
    """The messages for a reply; the last one carries the choices as a keyboard, or
    removes a keyboard left from an earlier question."""
    texts = [part for text in reply.texts for part in split_text(text)]
    if reply.choices and not texts:
        texts = [CHOOSE]
    if not texts:
        return []
    markup: telegram.ReplyKeyboardMarkup | telegram.ReplyKeyboardRemove = (
        keyboard(reply.choices) if reply.choices else telegram.ReplyKeyboardRemove())
    return [Outgoing(t) for t in texts[:-1]] + [Outgoing(texts[-1], markup)]


def keyboard(choices: tuple[str, ...]) -> telegram.ReplyKeyboardMarkup:
    buttons = [button_label(i, label) for i, label in enumerate(choices, 1)]
    width = 2 if len(buttons) > WIDE_KEYBOARD else 1
    rows = [buttons[i:i + width] for i in range(0, len(buttons), width)]
    return telegram.ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True,
                                        input_field_placeholder=PLACEHOLDER)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Texts longer than Telegram takes in one message, cut at line ends where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts

"""The platform-neutral message types: what a person sent (`Update`) and what we say (`Reply`).

Channels translate platform messages into `Update`s and render `Reply`s back; nothing past
the channel ever sees WeChat XML or Telegram objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.models import utcnow


class Kind(StrEnum):
    TEXT = "text"
    VOICE = "voice"  # text is the platform's speech recognition, empty when there was none
    LOCATION = "location"
    MENU = "menu"  # text is the menu key
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    MEDIA = "media"  # picture, video, file, link, sticker: nothing we can read
    LOCATION_REPORT = "location_report"  # the platform's automatic position report


@dataclass(frozen=True)
class Update:
    """One thing a person did in a chat, on any channel."""

    channel: str
    user_id: str
    kind: Kind = Kind.TEXT
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    dedup_key: str | None = None  # the platform's message id: a retry carries the same key
    received_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Reply:
    """What we answer: short messages, and optionally numbered choices after the last one.

    `choices` are labels; they are shown as "回复 1 …" lines on text channels and as buttons
    where a channel has them. A person may answer with the number or the label.
    """

    texts: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    @classmethod
    def of(cls, *texts: str, choices: tuple[str, ...] | list[str] = ()) -> Reply:
        return cls(tuple(t for t in texts if t), tuple(choices))

    @property
    def empty(self) -> bool:
        return not self.texts and not self.choices

    def choice_lines(self) -> str:
        return "\n".join(f"回复 {i} {label}" for i, label in enumerate(self.choices, 1))

    def messages(self) -> list[str]:
        """The reply as plain text messages, the numbered choices joined to the last one."""
        texts = list(self.texts)
        if self.choices:
            lines = self.choice_lines()
            texts = [*texts[:-1], f"{texts[-1]}\n{lines}"] if texts else [lines]
        return texts

    def as_text(self) -> str:
        """One text for channels that answer with a single message (WeChat's passive reply)."""
        return "\n\n".join(self.messages())

    def to_dict(self) -> dict[str, Any]:
        return {"texts": list(self.texts), "choices": list(self.choices)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(tuple(data.get("texts", ())), tuple(data.get("choices", ())))

    def __add__(self, other: Reply) -> Reply:
        return Reply(self.texts + other.texts, other.choices or self.choices)

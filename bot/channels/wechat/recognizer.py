"""Speech recognition for voice messages, as a pluggable part.

WeChat puts its own recognition in the `Recognition` field and has said the field may go
away; a `Recognizer` turns a voice message into text ("" when it cannot), so another
engine (one that downloads the media by MediaId) can be plugged in without touching the
webhook.
"""

from __future__ import annotations

from typing import Protocol

from wechatpy.messages import VoiceMessage


class Recognizer(Protocol):
    async def recognize(self, message: VoiceMessage) -> str:
        """The words spoken, or "" when unknown (the bot then asks the person to type)."""
        ...


class RecognitionField:
    """The default: WeChat's own recognition text, when the message carries one."""

    async def recognize(self, message: VoiceMessage) -> str:
        return (message.recognition or "").strip()

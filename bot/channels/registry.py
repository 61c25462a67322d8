"""The configured channels, built in this one place; everything else loops over the list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.channels.base import Channel
from bot.channels.sms.channel import SmsChannel
from bot.channels.telegram import TelegramWebhook
from bot.channels.voice.channel import VoiceChannel
from bot.channels.wechat import WeChatChannel
from bot.dispatch import Dispatcher
from bot.settings import Settings
from storage.models import utcnow


def build_channels(settings: Settings, dispatcher: Dispatcher, *, replace: Iterable[Channel] = (),
                   clock: Callable[[], datetime] = utcnow) -> list[Channel]:
    """Every channel the server runs; one in `replace` takes the place of the default of the
    same name (tests and the demo bring channels pointed at fakes). `clock` is what the
    channels count their platforms' windows by."""
    defaults: dict[str, Callable[[], Channel]] = {
        "wechat": lambda: WeChatChannel(settings, dispatcher, clock=clock),
        "telegram": lambda: TelegramWebhook.from_settings(settings, dispatcher),
        "sms": lambda: SmsChannel(settings, dispatcher),
        "voice": lambda: VoiceChannel(settings, dispatcher),
    }
    given = {channel.name: channel for channel in replace}
    return [given.pop(name) if name in given else build() for name, build in defaults.items()] + list(given.values())

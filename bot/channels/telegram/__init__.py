"""The Telegram channel (python-telegram-bot): webhook and polling in, replies and pushes out.

It only translates: a Telegram message becomes our `Update` for `Dispatcher.dispatch`, and
the `Reply` goes back as messages with a reply keyboard for numbered choices.

- `translate`: Telegram ↔ `Update` / `Reply`
- `application`: the PTB Application and its handler (`TelegramChannel`)
- `webhook`: POST /telegram for `jobbot serve` (`TelegramWebhook`)
- `sender`: `TelegramSender.send(chat_id, reply) -> SendResult`, within Telegram's limits;
  `TelegramPushes`, the push sender on top of it
- `ratelimit`: the token buckets behind those limits
"""

from bot.channels.telegram.application import ALLOWED_UPDATES, BOT_COMMANDS, TelegramChannel
from bot.channels.telegram.ratelimit import RateLimits
from bot.channels.telegram.sender import TelegramPushes, TelegramSender, make_bot, open_sender
from bot.channels.telegram.translate import CHANNEL, to_update
from bot.channels.telegram.webhook import TelegramWebhook

__all__ = ["ALLOWED_UPDATES", "BOT_COMMANDS", "CHANNEL", "RateLimits", "TelegramChannel", "TelegramPushes",
           "TelegramSender", "TelegramWebhook", "make_bot", "open_sender", "to_update"]

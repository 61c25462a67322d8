"""A person's private Telegram chat with our server, for tests: updates are POSTed over HTTP
to /telegram of the real app (`create_app` under uvicorn) as Telegram would, and the bot's
answers are read back from the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bot.app import build_dispatcher
from bot.channels.telegram import RateLimits, TelegramChannel, TelegramWebhook
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.web import create_app
from fakes.server import serving
from fakes.telegram_api import FakeTelegram, message_update
from storage.db import make_engine

SECRET = "kaihua-webhook-secret_1"
FAST = RateLimits(per_chat=1000, per_chat_burst=100, overall=1000, overall_burst=100)


@dataclass
class TelegramChat:
    """One chat seen from both ends; `other(chat_id)` is another person on the same server."""

    http: httpx.Client
    api: FakeTelegram
    dispatcher: Dispatcher
    chat_id: int = 7001
    next_update_id: list[int] = field(default_factory=lambda: [500])  # shared by every chat
    seen: int = 0
    last_keyboard: list[str] = field(default_factory=list)

    @property
    def engine(self) -> Any:
        return self.dispatcher.engine

    def other(self, chat_id: int) -> TelegramChat:
        return replace(self, chat_id=chat_id, seen=len(self.api.sent(chat_id)), last_keyboard=[])

    def post(self, payload: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if raw is not None:
            return self.http.post("/telegram", content=raw, headers={**headers, "content-type": "application/json"})
        return self.http.post("/telegram", json=payload, headers=headers)

    def update(self, update_id: int | None = None, **fields: Any) -> dict[str, Any]:
        if update_id is None:
            self.next_update_id[0] += 1
            update_id = self.next_update_id[0]
        return message_update(update_id, self.chat_id, **fields)

    def send(self, text: str | None = None, *, update_id: int | None = None, **fields: Any) -> list[str]:
        """Post one update; the texts the bot sent to this chat because of it."""
        response = self.post(self.update(update_id, text=text, **fields))
        assert response.status_code == 200, response.text
        return self.new_texts()

    def say(self, text: str) -> str:
        return "\n\n".join(self.send(text))

    def new_texts(self) -> list[str]:
        sent = self.api.sent(self.chat_id)
        new, self.seen = sent[self.seen:], len(sent)
        if new:
            markup = new[-1].params.get("reply_markup") or {}
            self.last_keyboard = [b["text"] for row in markup.get("keyboard", []) for b in row]
        return [c.params["text"] for c in new]

    def press(self, label: str) -> list[str]:
        """Tap the keyboard button for `label`: it sends its text, like "2 修改"."""
        button = next(b for b in self.last_keyboard if b.split(" ", 1)[1] == label)
        return self.send(button)


@contextmanager
def telegram_chat(db_url: str, data_dir: Path, api: FakeTelegram, clock: Any,
                  **settings: Any) -> Iterator[TelegramChat]:
    """Our server on a free port, its Telegram channel pointed at the fake API."""
    values: dict[str, Any] = {"telegram_token": api.token, "telegram_api_base": api.url,
                              "telegram_webhook_secret": SECRET,
              "background": False}
    config = Settings(database_url=db_url, data_dir=data_dir, **(values | settings))
    engine = make_engine(db_url)
    dispatcher = build_dispatcher(config, engine=engine, clock=clock)
    channel = TelegramChannel.from_settings(config, dispatcher, limits=FAST, retry_interval=0)
    app = create_app(config, dispatcher, channels=[TelegramWebhook(config, channel)])
    try:
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
            yield TelegramChat(http, api, dispatcher)
    finally:
        engine.dispose()

"""The staff console at /console: HTML pages and a JSON API for jobs, fairs, broadcasts,
workers, the closed loop around the job (training, rights, 数字银龄, graduates, hardship; see
`bot.console.loop`) and the plan's figures, for named staff accounts each kept to their role
and place (bot/console/roles.py); JOBBOT_ADMIN_TOKEN is a bearer token for scripts.

`console_routes(settings, engine, services)` gives the routes to add to the web app;
`demo_admin_token(settings)` and `demo_admin(settings, engine, services)` give the demo a
token and an administrator's login to print.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.console import loop
from bot.console.accounts import Accounts, new_account
from bot.console.accounts import one_time_password as accounts_password
from bot.console.api import Api
from bot.console.context import HERE, PREFIX, Console
from bot.console.login import Login
from bot.console.pages import Pages
from bot.console.replies import Replies
from bot.console.villagers import Villagers
from bot.console.waiting import Waiting
from bot.services import Services
from bot.settings import Settings
from storage import staff as store
from storage.db import session_scope

MAX_BODY = 6 * 1024 * 1024  # a spreadsheet upload and a little more
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class _SecurityHeaders:
    """Locks the pages to our own scripts and styles; pages and API answers are never cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(PREFIX + "/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def console_routes(settings: Settings, engine: Engine, services: Services) -> list[BaseRoute]:
    console = Console(settings, engine, services)
    api = Api(console)
    pages = Pages(console, api)
    accounts = Accounts(console)
    loop_api, loop_pages = loop.routes(console)
    waiting = Waiting(console)
    villagers = Villagers(console)
    replies = Replies(console)
    routes: list[BaseRoute] = [
        Mount("/api", routes=api.routes() + loop_api + waiting.api() + villagers.api() + replies.api()
              + accounts.api()),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
        *Login(console).routes(), *pages.routes(), *loop_pages, *waiting.pages(), *villagers.pages(),
        *replies.pages(), *accounts.pages(),
    ]
    return [Mount(PREFIX, routes=routes, middleware=[Middleware(_SecurityHeaders)], max_body_size=MAX_BODY)]


def _kept_secret(settings: Settings, name: str, make: Callable[[], str]) -> str:
    """A secret made once for the demo and kept, readable by its owner only, in the data folder."""
    path = Path(settings.data_dir) / name
    if path.exists():
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret


def demo_admin_token(settings: Settings) -> str:
    """The configured admin token, or one made once for the demo and kept in the data folder."""
    return settings.admin_token or _kept_secret(settings, "console-token", lambda: secrets.token_urlsafe(24))


DEMO_ADMIN = "admin"


def demo_admin(settings: Settings, engine: Engine, services: Services) -> tuple[str, str]:
    """(name, password) of the demo's county administrator, made on the first run. The demo
    prints the password, so it is not asked to be changed at the first login."""
    password = _kept_secret(settings, "console-admin-password", accounts_password)
    with session_scope(engine) as session:
        if store.find_account(session, DEMO_ADMIN) is None:
            account, _ = new_account(session, services.places, name=DEMO_ADMIN, role="admin", town=None, village=None,
                                     now=services.clock(), password=password)
            account.must_change_password = False
    return DEMO_ADMIN, password
